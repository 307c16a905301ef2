/**
 * Throughput of benchmark checking: HumanEval's 164 canonical solutions through the sandbox
 * (`deno bench -A bench/eval_bench.ts`). One iteration checks all 164; programs/s is printed.
 */
import { BenchmarkRunner } from "../lib/eval/benchmark_runner.ts";
import { loadHumanEval } from "../lib/eval/load_humaneval.ts";
import { canonicalProgram } from "../lib/eval/types.ts";

const tasks = await loadHumanEval();
const workers = navigator.hardwareConcurrency ?? 1;

Deno.bench({
  name: `HumanEval canonical solutions through the sandbox (164 programs, ${workers} workers)`,
  n: 3,
  warmup: 1,
  async fn(b) {
    const runner = new BenchmarkRunner({ sandbox: { workers } });
    b.start();
    const t0 = performance.now();
    const results = await Promise.all(tasks.map((t) => runner.check(t, canonicalProgram(t))));
    const seconds = (performance.now() - t0) / 1000;
    b.end();
    await runner.close();
    const passed = results.filter((r) => r.verdict === "pass").length;
    if (passed !== tasks.length) {
      throw new Error(`only ${passed}/${tasks.length} canonical solutions passed`);
    }
    console.log(`${(tasks.length / seconds).toFixed(1)} programs/s`);
  },
});
