/**
 * Every benchmark's reference solutions pass its tests through the sandbox, and wrong or empty
 * solutions fail. These are the heavy eval tests (about 1,300 sandbox programs plus the EvalPlus
 * reference outputs, which are cached under `<repo>/.cache/eval` after the first run).
 */
import assert from "node:assert/strict";
import { BenchmarkRunner, type CheckResult } from "../../lib/eval/benchmark_runner.ts";
import { loadBenchmark } from "../../lib/eval/load_benchmark.ts";
import { type BenchmarkName, type BenchmarkTask, canonicalProgram } from "../../lib/eval/types.ts";

/**
 * Sanitized-MBPP reference solutions that legitimately fail their own tests: none. (In the full
 * MBPP, tasks 367 and 927 need `test_setup_code` run after the solution; the loader does that.)
 */
const MBPP_SANITIZED_KNOWN_FAILURES: ReadonlySet<string> = new Set();

/** A wrong solution of every task: defines the entry point, returns None. */
function wrongProgram(task: BenchmarkTask): string {
  return task.promptStyle === "complete"
    ? `${task.prompt}    return None\n`
    : `def ${task.entryPoint}(*args, **kwargs):\n    return None\n`;
}

/** An empty solution: the stub's body is `pass` (HumanEval) or nothing is defined (MBPP). */
function emptyProgram(task: BenchmarkTask): string {
  return task.promptStyle === "complete" ? `${task.prompt}    pass\n` : "pass\n";
}

async function checkAll(
  runner: BenchmarkRunner,
  tasks: readonly BenchmarkTask[],
  program: (t: BenchmarkTask) => string,
): Promise<Map<string, CheckResult>> {
  const results = await Promise.all(tasks.map((t) => runner.check(t, program(t))));
  return new Map(tasks.map((t, i) => [t.taskId, results[i]]));
}

function failing(results: Map<string, CheckResult>): string[] {
  return [...results].filter(([, r]) => r.verdict !== "pass")
    .map(([id, r]) =>
      `${id}: ${r.verdict} ${r.errorType ?? ""} ${r.errorMessage?.slice(0, 160) ?? ""}`
    );
}

function passing(results: Map<string, CheckResult>): string[] {
  return [...results].filter(([, r]) => r.verdict === "pass").map(([id]) => id);
}

function heavyTest(
  name: BenchmarkName,
  body: (tasks: BenchmarkTask[], runner: BenchmarkRunner) => Promise<void>,
) {
  Deno.test({
    name: `${name}: reference solutions pass, wrong and empty ones fail`,
    fn: async () => {
      const tasks = await loadBenchmark(name);
      const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
      try {
        await body(tasks, runner);
      } finally {
        await runner.close();
      }
    },
  });
}

heavyTest("humaneval", async (tasks, runner) => {
  assert.deepEqual(failing(await checkAll(runner, tasks, canonicalProgram)), []);
  assert.deepEqual(passing(await checkAll(runner, tasks, wrongProgram)), []);
  const empty = await checkAll(runner, tasks, emptyProgram);
  assert.deepEqual(passing(empty), []);
  assert.equal(empty.get("HumanEval/0")?.errorType, "AssertionError");
});

heavyTest("mbpp", async (tasks, runner) => {
  const canonical = await checkAll(runner, tasks, canonicalProgram);
  assert.deepEqual(failing(canonical).map((f) => f.split(":")[0]), [
    ...MBPP_SANITIZED_KNOWN_FAILURES,
  ]);
  assert.deepEqual(passing(await checkAll(runner, tasks, wrongProgram)), []);
  const empty = await checkAll(runner, tasks, emptyProgram);
  assert.deepEqual(passing(empty), []);
  assert.equal(empty.get("2")?.errorType, "NameError");
});

Deno.test({
  name: "mbpp-full: the two tasks with test_setup_code pass (setup runs after the solution)",
  fn: async () => {
    const tasks = (await loadBenchmark("mbpp-full")).filter((t) =>
      t.testSetup !== undefined || t.taskId === "11"
    );
    assert.deepEqual(tasks.map((t) => t.taskId), ["11", "367", "927"]);
    const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
    try {
      assert.deepEqual(failing(await checkAll(runner, tasks, canonicalProgram)), []);
      const wrong = await checkAll(runner, tasks, wrongProgram);
      assert.deepEqual(passing(wrong), []);
      assert.deepEqual([...wrong.values()].map((r) => [r.passedTests, r.totalTests]), [[0, 3], [
        0,
        3,
      ], [0, 3]]);
    } finally {
      await runner.close();
    }
  },
});

heavyTest("humaneval+", async (tasks, runner) => {
  await runner.prepare(tasks);
  const canonical = await checkAll(runner, tasks, canonicalProgram);
  assert.deepEqual(failing(canonical), []);
  assert.ok(
    [...canonical.values()].every((r) => r.basePassed === true && r.passedTests === r.totalTests),
  );
  const wrong = await checkAll(runner, tasks, wrongProgram);
  assert.deepEqual(passing(wrong), []);
  assert.deepEqual(passing(await checkAll(runner, tasks, emptyProgram)), []);
});

heavyTest("mbpp+", async (tasks, runner) => {
  await runner.prepare(tasks);
  const canonical = await checkAll(runner, tasks, canonicalProgram);
  assert.deepEqual(failing(canonical), []);
  assert.ok(
    [...canonical.values()].every((r) => r.basePassed === true && r.passedTests === r.totalTests),
  );
  assert.deepEqual(passing(await checkAll(runner, tasks, wrongProgram)), []);
  assert.deepEqual(passing(await checkAll(runner, tasks, emptyProgram)), []);
});
