/**
 * How many tasks of each benchmark are judged outside the program, and which stay in-process
 * (their tests have a shape the judge cannot rewrite into probes): every canonical solution is
 * run through the sandbox and its `CheckResult.judged` counted.
 *
 * ```sh
 * deno run -A tools/judged_share.ts [humaneval mbpp mbpp-full humaneval+ mbpp+]
 * ```
 *
 * @module
 */
import {
  BENCHMARK_NAMES,
  type BenchmarkName,
  BenchmarkRunner,
  canonicalProgram,
  loadBenchmark,
} from "../lib/eval/mod.ts";
import { oneOf } from "../lib/core/mod.ts";

const names = (Deno.args.length > 0 ? Deno.args : ["humaneval", "mbpp", "mbpp-full"])
  .map((n) => oneOf("benchmark", n, BENCHMARK_NAMES) as BenchmarkName);
const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
try {
  for (const name of names) {
    const tasks = await loadBenchmark(name);
    await runner.prepare(tasks);
    const results = await Promise.all(tasks.map((t) => runner.check(t, canonicalProgram(t))));
    const inProcess = tasks.filter((_, i) => results[i].judged === "in-process").map((t) =>
      t.taskId
    );
    console.log(
      `${name}: ${tasks.length - inProcess.length} of ${tasks.length} judged outside; ` +
        `in-process: ${inProcess.length}${inProcess.length ? ` (${inProcess.join(", ")})` : ""}`,
    );
  }
} finally {
  await runner.close();
}
