import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertNotebookHasChart,
  assertNotebookHasTable,
  assertNotebookOk,
  checkNotebookPrereqs,
  executeNotebook,
} from "../../testing/notebook/mod.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

async function _withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nb-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true });
  }
}

Deno.test("checkNotebookPrereqs: /usr/bin/jupyter and the deno kernel are present here", async () => {
  const r = await checkNotebookPrereqs();
  assert.deepEqual(r, { ok: true, jupyter: true, kernel: true, problems: [] });
  const missing = await checkNotebookPrereqs({ jupyterPath: "/nonexistent/jupyter" });
  assert.equal(missing.ok, false);
  assert.deepEqual(missing.problems, [
    "/nonexistent/jupyter with nbconvert not found; install with: " +
    "apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client",
    'Jupyter kernel "deno" not registered; install with: deno jupyter --install',
  ]);
});

Deno.test("executeNotebook: the self-test notebook imports lib/ and shows a table and a chart", async () => {
  await _withTmp(async (dir) => {
    const source = join(FIXTURES, "self_test.ipynb");
    const before = await readFile(source, "utf8");
    const r = await executeNotebook(source, { outDir: dir, timeoutMs: 120_000 });
    assertNotebookOk(r);
    assert.equal(r.outputPath, join(dir, "self_test.ipynb"));
    assert.equal(await readFile(source, "utf8"), before, "the source notebook is untouched");
    assert.deepEqual(r.cells.map((c) => c.executionCount), [null, 1, 2, 3, 4, 5]);

    const tables = assertNotebookHasTable(r);
    assert.deepEqual(tables.map((t) => [t.cellIndex, t.mime]), [
      [3, "text/markdown"],
      [3, "text/html"],
    ]);
    // summarize([0.40, 0.45, 0.50]): mean 0.45, std 0.05, hw 4.303 * 0.05 / sqrt(3) = 0.124.
    assert.ok(tables[0].text.includes("| dpo | 0.450 ± 0.124 | 3 |"), tables[0].text);
    assert.ok(tables[0].text.includes("| target-dpo | 0.550 ± 0.124 | 3 |"));

    const charts = assertNotebookHasChart(r);
    assert.equal(charts.length, 1);
    assert.equal(charts[0].cellIndex, 4);
    assert.equal(charts[0].mime, "application/vnd.vegalite.v5+json");
    assert.equal(charts[0].spec.title, "Self-test pass@1");
    const html = r.outputs.find((o) => o.cellIndex === 5)?.data["text/html"] as string;
    assert.ok(html.includes("pair &lt;demo&gt;") && html.includes('<del title="token 2">-1</del>'));
  });
});

Deno.test("executeNotebook: a failing cell is reported with its index, later cells still run", async () => {
  await _withTmp(async (dir) => {
    const r = await executeNotebook(join(FIXTURES, "failing_cell.ipynb"), { outDir: dir });
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 0);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].cellIndex, 2);
    assert.equal(r.errors[0].ename, "Error");
    assert.equal(r.errors[0].evalue, "fixture failure in cell 2");
    assert.ok(r.errors[0].traceback[0].startsWith("Error: fixture failure in cell 2"));
    // console output is published after the cell's idle status more often than not under load;
    // it must still be filed under its cell (lib/notebook/_late_outputs.py)
    const before = r.outputs.find((o) => o.cellIndex === 1 && o.outputType === "stream");
    assert.equal(before?.text, "before 42\n");
    const after = r.outputs.find((o) => o.cellIndex === 3 && o.outputType === "execute_result");
    assert.equal(after?.data["text/plain"], '"after 42"');
    assert.throws(() => assertNotebookOk(r), /cell 2: Error: fixture failure in cell 2/);
    assert.throws(
      () => assertNotebookHasChart(r),
      /expected a Vega-Lite chart .*found .*cell 2: error; cell 3: execute_result \[text\/plain\]/,
    );
  });
});

Deno.test("executeNotebook: a cell past cellTimeoutMs is named by index", async () => {
  await _withTmp(async (dir) => {
    const r = await executeNotebook(join(FIXTURES, "slow_cell.ipynb"), {
      outDir: dir,
      cellTimeoutMs: 3_000,
      timeoutMs: 60_000,
    });
    assert.equal(r.ok, false);
    assert.equal(r.outputPath, null);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].ename, "CellTimeoutError");
    assert.equal(r.errors[0].cellIndex, 1);
    assert.match(r.errors[0].evalue, /after 3 seconds/);
    assert.ok(r.durationMs < 30_000, `took ${r.durationMs} ms`);
  });
});

Deno.test("executeNotebook: the whole run is killed at timeoutMs (exit 124)", async () => {
  await _withTmp(async (dir) => {
    const r = await executeNotebook(join(FIXTURES, "slow_cell.ipynb"), {
      outDir: dir,
      timeoutMs: 4_000,
      killGraceMs: 1_000,
    });
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 124);
    assert.equal(r.outputPath, null);
    assert.deepEqual(
      r.errors.map((e) => [e.cellIndex, e.ename, e.evalue]),
      [[null, "NotebookTimeout", "the run exceeded timeoutMs = 4000 ms and was killed"]],
    );
    assert.ok(r.durationMs < 4_000 + 1_000 + 3_000, `took ${r.durationMs} ms`);
  });
});

Deno.test("executeNotebook: an unknown kernel and a bad outDir are reported", async () => {
  await _withTmp(async (dir) => {
    const source = join(FIXTURES, "failing_cell.ipynb");
    const r = await executeNotebook(source, { outDir: dir, kernel: "no-such-kernel" });
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].ename, "NoSuchKernel");
    assert.match(r.errors[0].evalue, /no-such-kernel/);
    await assert.rejects(
      () => executeNotebook(source, { outDir: FIXTURES }),
      /outDir must differ from the notebook's folder/,
    );
    await assert.rejects(
      () => executeNotebook(join(FIXTURES, "missing.ipynb"), { outDir: dir }),
      /cannot read notebook .*missing\.ipynb/,
    );
  });
});
