import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { readJsonlFile } from "../../lib/core/mod.ts";
import { join } from "node:path";
import { humanevalPlus } from "../../experiments/humaneval_plus.ts";
import { STUDIES } from "../../experiments/mod.ts";
import { preferenceCell } from "../../experiments/preference_study.ts";
import { BenchmarkRunner, loadBenchmark, type SampleResult } from "../../lib/eval/mod.ts";
import { runStudy } from "../../lib/experiment/mod.ts";

Deno.test("humaneval-plus smoke: the base checkpoint scored on HumanEval+ as the evaluation target", async () => {
  assert.equal(STUDIES["humaneval-plus"], humanevalPlus);
  const tmp = await Deno.makeTempDir({ prefix: "studies-heplus-" });
  const cacheDir = join(tmp, "cache");
  const options = {
    study: humanevalPlus,
    preset: "smoke" as const,
    overrides: ["seeds=[0]"],
    variants: ["ref", "target-dpo"],
    runsDir: join(tmp, "runs"),
    cell: preferenceCell({ cacheDir }),
    quiet: true,
    writePlots: false,
  };
  const run = await runStudy(options);
  const heplus = await loadBenchmark("humaneval+");
  const firstThree = heplus.slice(0, 3);

  // The table says what the test pass@1 was measured on; result.json names the target.
  assert.match(
    run.table,
    /pass@1 test: HumanEval\+, first 3 tasks · pass@1 val: MiniFlow validation split, 2 tasks/,
  );
  const runner = new BenchmarkRunner({ cacheDir: join(cacheDir, "eval") });
  try {
    await runner.prepare(firstThree); // read back from the cell's cache of reference outputs
    for (const key of ["ref/0", "target-dpo/0"]) {
      const cellDir = join(run.runDir, "cells", key);
      const result = JSON.parse(await readFile(join(cellDir, "result.json"), "utf8"));
      assert.equal(result.result.evalTarget, "HumanEval+");
      const samples = await readJsonlFile<SampleResult>(join(cellDir, "eval-test.jsonl"));
      assert.deepEqual(samples.map((s) => s.taskId), firstThree.map((t) => t.taskId));
      // pass@1/test is the share of passing samples; each verdict is the runner's on the program.
      const passed = samples.filter((s) => s.verdict === "pass").length;
      const metrics = run.results.find((r) => r.taskId === key)!.metrics;
      assert.equal(metrics["pass@1/test"], passed / 3);
      for (const [i, s] of samples.entries()) {
        assert.equal(typeof s.basePassed, "boolean", "a + benchmark scores base inputs apart");
        assert.equal((await runner.check(firstThree[i], s.program)).verdict, s.verdict);
      }
      const val = await readJsonlFile<{ taskId: string }>(join(cellDir, "eval-validation.jsonl"));
      assert.deepEqual(val.map((s) => s.taskId), [
        "miniflow/validation/0",
        "miniflow/validation/1",
      ]);
    }
  } finally {
    await runner.close();
  }

  // A task subset scores exactly those tasks, in the order given.
  const subset = await runStudy({
    ...options,
    variants: ["ref"],
    overrides: ["seeds=[0]", 'eval.tasks=["HumanEval/7","HumanEval/2"]'],
  });
  const picked = await readJsonlFile<SampleResult>(
    join(subset.runDir, "cells", "ref", "0", "eval-test.jsonl"),
  );
  assert.deepEqual(picked.map((s) => s.taskId), ["HumanEval/7", "HumanEval/2"]);
  assert.match(subset.table, /pass@1 test: HumanEval\+, 2 tasks/);

  // Bad targets fail naming the field and the value.
  await assert.rejects(
    runStudy({ ...options, variants: ["ref"], overrides: ['eval.tasks=["HumanEval/9999"]'] }),
    /eval.tasks: humaneval\+ has no task "HumanEval\/9999" \(164 tasks\)/,
  );
  await assert.rejects(
    runStudy({ ...options, variants: ["ref"], overrides: ['eval.target="apps"'] }),
    /eval.target: expected one of miniflow, humaneval, humaneval\+, mbpp, mbpp-full, mbpp\+, bigcodebench-complete, bigcodebench-instruct, livecodebench, found "apps"/,
  );
  await Deno.remove(tmp, { recursive: true });
});
