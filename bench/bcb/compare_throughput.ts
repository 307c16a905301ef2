/**
 * BigCodeBench throughput: canonical solutions per second, the kit's runner (lib/eval, the
 * sandbox's zygote with the heavy libraries pre-imported) against bigcodebench's own evaluator
 * (testing/bcb_peer: `untrusted_check` in a pool of processes), same tasks, same worker count, in
 * one invocation; plus their per-sample agreement.
 *
 * Run: `deno run -A bench/bcb/compare_throughput.ts [--tasks 100] [--workers 2]
 * [--mutants]` (`--mutants`: each task's flipped-comparison, off-by-one and wrong-return mutants
 * as well). Target (issue 17): ≥ 2× bigcodebench's evaluator.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  BenchmarkRunner,
  BIGCODEBENCH_FILE,
  canonicalProgram,
  loadBenchmark,
  resolveBenchmarkFile,
} from "../../lib/eval/mod.ts";
import { mutant, MUTANT_KINDS, runBcbPeer } from "../../testing/bcb_peer/mod.ts";
import { cpuName } from "../../lib/core/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tasks: { type: "string", default: "100" },
    workers: { type: "string", default: "2" },
    mutants: { type: "boolean" },
  },
});
const workers = Number(values.workers);
const tasks = (await loadBenchmark("bigcodebench-complete")).slice(0, Number(values.tasks));
const samples = tasks.flatMap((t) => [
  { id: `${t.taskId} canonical`, task: t, solution: canonicalProgram(t) },
  ...(values.mutants ? MUTANT_KINDS : []).flatMap((kind) => {
    const body = mutant(t.canonicalSolution, kind);
    return body === undefined
      ? []
      : [{ id: `${t.taskId} ${kind}`, task: t, solution: t.prompt + body }];
  }),
]);

// The kit: its environment is resolved and its zygotes started before the clock starts, as the
// peer's pool starts inside its own timing.
const runner = new BenchmarkRunner({ sandbox: { workers } });
await runner.check(tasks[0], canonicalProgram(tasks[0]));
let t0 = performance.now();
const kit = await Promise.all(samples.map((s) => runner.check(s.task, s.solution)));
const kitSeconds = (performance.now() - t0) / 1000;
await runner.close();

t0 = performance.now();
const peer = await runBcbPeer(
  samples.map((s) => ({ id: s.id, taskId: s.task.taskId, solution: s.solution })),
  resolveBenchmarkFile(BIGCODEBENCH_FILE),
  workers,
);
const peerSeconds = (performance.now() - t0) / 1000;

const disagree = samples.flatMap((s, i) =>
  (kit[i].verdict === "pass") === (peer[i].status === "pass") ? [] : [
    `${s.id}: kit ${kit[i].verdict} ${kit[i].errorType ?? ""}, peer ${peer[i].status} ${
      peer[i].failed.join(",")
    }`,
  ]
);
const rate = (seconds: number) => samples.length / seconds;
console.log(`CPU: ${cpuName()}, ${navigator.hardwareConcurrency} cores; ${workers} workers each`);
console.log(`${samples.length} samples of ${tasks.length} tasks (BigCodeBench-Complete)`);
console.log(
  `kit:          ${kitSeconds.toFixed(1)} s, ${rate(kitSeconds).toFixed(2)} samples/s, ${
    kit.filter((r) => r.verdict === "pass").length
  } pass`,
);
console.log(
  `bigcodebench: ${peerSeconds.toFixed(1)} s, ${rate(peerSeconds).toFixed(2)} samples/s, ${
    peer.filter((r) => r.status === "pass").length
  } pass`,
);
console.log(`ratio kit/bigcodebench: ${(peerSeconds / kitSeconds).toFixed(2)}x (target >= 2x)`);
console.log(
  `agreement: ${samples.length - disagree.length}/${samples.length} (${
    (100 * (1 - disagree.length / samples.length)).toFixed(2)
  }%)`,
);
for (const d of disagree) console.log(`  disagree: ${d}`);
