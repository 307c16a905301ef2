import assert from "node:assert/strict";
import { join } from "node:path";
import { toJsonl, type Trajectory } from "../../lib/core/mod.ts";
import { KIT_ROOT, runTool } from "../../testing/cli/mod.ts";

const CLI = join(KIT_ROOT, "tools", "sampling_tables.ts");

const tables = (args: string[]) => runTool(CLI, args);

const run = (id: string, verdicts: string, source?: "sampling"): Trajectory => ({
  schema: "codeflow.trajectory/v1",
  taskId: id,
  teacher: { kind: "openai", model: "scripted" },
  ...(source ? { source } : {}),
  prompt: "",
  entryPoint: "f",
  tests: "",
  versions: [...verdicts].map((c, i) => ({
    iteration: i,
    code: `v${i}`,
    verdict: c === "p" ? "pass" : "fail",
    passedTests: c === "p" ? 1 : 0,
    totalTests: 1,
  })),
});

Deno.test("sampling-tables from run files: Tables 5 and 6 by hand, mean ± 95% CI over two runs", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, records: Trajectory[]) => {
    await Deno.writeTextFile(join(dir, name), toJsonl(records));
    return join(dir, name);
  };
  try {
    // Debugging fixes a (2 calls) and never fixes b (3 calls), in both runs.
    const dbg = await write("dbg.jsonl", [run("a", "fp"), run("b", "fff")]);
    // Run 1: a passes 2 of 5 samples, b 1 of 5. Run 2: nothing passes.
    const s1 = await write("s1.jsonl", [
      run("a", "pfpff", "sampling"),
      run("b", "ffffp", "sampling"),
    ]);
    const s2 = await write("s2.jsonl", [
      run("a", "fffff", "sampling"),
      run("b", "fffff", "sampling"),
    ]);
    const out = join(dir, "out");
    const r = await tables([
      "--debugging",
      `${dbg},${dbg}`,
      "--sampling",
      `${s1},${s2}`,
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const md = await Deno.readTextFile(join(out, "tables.md"));
    assert.match(md, /^Teacher: openai:scripted\. 2 runs/);
    // pass@1 per run: (0.4 + 0.2) / 2 = 0.3 and 0; t(0.975, 1) = 12.706, std 0.2121 → ± 190.6.
    assert.match(md, /\| Iterative debugging \| ≤ 3 \(mean 2\.50 ± 0\.00\) \| 50\.0 ± 0\.0 \|/);
    assert.match(md, /\| 1 independent sample \| 1 \| 15\.0 ± 190\.6 \|/);
    assert.match(md, /\| 5 independent samples \| 5 \| 50\.0 ± 635\.3 \|/);
    assert.doesNotMatch(md, /6 independent samples/); // only 5 samples per task
    // Table 6 on b: pass@5 is 1 in run 1, 0 in run 2.
    assert.match(md, /tasks debugging never fixed \(1\.0 ± 0\.0 tasks per run\)/);
    assert.match(md, /\| 5 \| 50\.0 ± 635\.3 \|\n$/);
    await Deno.stat(join(out, "pass_rate_by_samples.png"));

    const swapped = await tables(["--debugging", s1, "--sampling", dbg, "--out", out]);
    assert.equal(swapped.code, 1);
    assert.match(
      swapped.stderr,
      /^sampling-tables: samplingTables: task a is a sampling trajectory among the debugging ones\n$/,
    );
    const unpaired = await tables(["--debugging", dbg, "--sampling", `${s1},${s2}`]);
    assert.equal(unpaired.code, 2);
    assert.match(unpaired.stderr, /--debugging names 1 runs and --sampling 2: pair them/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
