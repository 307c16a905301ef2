import assert from "node:assert/strict";
import { join } from "node:path";
import { readJsonlFile, toJsonl, type Trajectory } from "../../lib/core/mod.ts";
import type { CoverageRecord } from "../../lib/synth/mod.ts";
import { KIT_ROOT, runTool } from "../../testing/cli/mod.ts";

const CLI = join(KIT_ROOT, "tools", "coverage.ts");
// Five statements and two branch arcs out of the `if`.
const ABS = "def f(x):\n    if x > 0:\n        return x\n    y = -x\n    return y\n";
const task = (id: string, tests: string): Trajectory => ({
  schema: "codeflow.trajectory/v1",
  taskId: id,
  teacher: { kind: "openai", model: "scripted" },
  prompt: "",
  entryPoint: "f",
  tests,
  versions: [{ iteration: 0, code: ABS, verdict: "pass", passedTests: 2, totalTests: 2 }],
});

Deno.test("deno task coverage on a run file: coverage, fully covered share and the filter by hand", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = join(dir, "run.jsonl");
    await Deno.writeTextFile(
      run,
      toJsonl([
        task("both", "assert f(2) == 2\nassert f(-1) == 1\n"), // 5/5 lines, 2/2 branches
        task("positive", "assert f(2) == 2\nassert f(3) == 3\n"), // 3/5 lines, 1/2 branches
      ]),
    );
    const out = join(dir, "out");
    const r = await runTool(CLI, ["--runs", run, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const md = await Deno.readTextFile(join(out, "coverage.md"));
    assert.match(md, /Tasks measured per run: 2; failed measurements: 0\./);
    assert.match(md, /\| mean coverage \(%\) \| 80\.0 \(n=1\) \| 75\.0 \(n=1\) \|/);
    assert.match(md, /\| tasks fully covered \(%\) \| 50\.0 \(n=1\) \| 50\.0 \(n=1\) \|/);
    assert.match(md, /at 80% lines and 80% branches drops 50\.0 \(n=1\)% of the tasks/);
    const records = await readJsonlFile<CoverageRecord>(join(out, "coverage_0.jsonl"));
    assert.deepEqual(records.map((c) => [c.taskId, c.lines.covered, c.branches.covered]), [
      ["both", 5, 2],
      ["positive", 3, 1],
    ]);
    await Deno.stat(join(out, "coverage_histogram.png"));
    const bad = await runTool(CLI, ["--runs", run, "--min-coverage", "1.5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^coverage: --min-coverage must be in \[0, 1\], got "1\.5"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
