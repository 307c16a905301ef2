/**
 * Teacher call-path throughput against the local OpenAI-compatible test server.
 *
 * `deno run -A bench/synth_bench.ts` measures tasks/s of the `openai` teacher path (one
 * proposeTask + one refine call per task, no sandbox: the sandbox pool has its own bench) at
 * concurrency 1 and 16 with 50 ms injected server latency, checks that 16 gives at least 12× the
 * throughput of 1, and reports the per-call overhead at 0 ms latency. The server runs in a worker
 * thread, as a real endpoint runs in another process. `deno bench -A bench/`
 * runs the per-call cases below.
 *
 * @module
 */
import { OpenAITeacher } from "../lib/synth/mod.ts";

const FEEDBACK = {
  verdict: "fail",
  errorType: "AssertionError",
  failingTest: "assert inc(1) == 2",
} as const;

/** Run `tasks` tasks (propose + refine) with `concurrency` workers; returns seconds. */
async function teacherPath(
  baseUrl: string,
  concurrency: number,
  tasks: number,
  offset: number,
): Promise<number> {
  const teacher = new OpenAITeacher({ baseUrl, model: "bench", concurrency, seed: offset });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tasks) {
      const i = next++;
      const task = await teacher.proposeTask(i);
      if (!task.ok) throw new Error(`bench task ${i}: ${task.reason}`);
      const fix = await teacher.refine(task.value, [], FEEDBACK);
      if (!fix.ok) throw new Error(`bench fix ${i}: ${fix.reason}`);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await teacher.close();
  return seconds;
}

/** Start the test server in a worker thread; returns its base URL and the worker. */
async function serverInWorker(latencyMs: number): Promise<{ baseUrl: string; worker: Worker }> {
  const worker = new Worker(new URL("./_synth_server_worker.ts", import.meta.url), {
    type: "module",
  });
  const baseUrl = await new Promise<string>((resolve) => {
    worker.onmessage = (e: MessageEvent<{ baseUrl: string }>) => resolve(e.data.baseUrl);
    worker.postMessage({ latencyMs });
  });
  return { baseUrl, worker };
}

if (import.meta.main) {
  const slow = await serverInWorker(50);
  const fast = await serverInWorker(0);
  try {
    await teacherPath(fast.baseUrl, 4, 40, 100); // warm-up (JIT, connections)
    const n1 = 40, n16 = 480;
    const s1 = await teacherPath(slow.baseUrl, 1, n1, 1);
    const s16 = await teacherPath(slow.baseUrl, 16, n16, 2);
    const tp1 = n1 / s1, tp16 = n16 / s16;
    const nFast = 400;
    const sFast = await teacherPath(fast.baseUrl, 1, nFast, 3);
    const perCallMs = (sFast * 1000) / (2 * nFast);
    const fast16 = await teacherPath(fast.baseUrl, 16, nFast, 4);
    console.log(
      "openai teacher call path vs local test server (2 model calls per task, no sandbox)",
    );
    console.log(
      `latency 50 ms, concurrency  1: ${tp1.toFixed(1)} tasks/s (${n1} tasks in ${
        s1.toFixed(2)
      } s)`,
    );
    console.log(
      `latency 50 ms, concurrency 16: ${tp16.toFixed(1)} tasks/s (${n16} tasks in ${
        s16.toFixed(2)
      } s)`,
    );
    console.log(`speed-up 16 vs 1: ${(tp16 / tp1).toFixed(1)}x (required >= 12x)`);
    console.log(
      `per-call overhead at 0 ms latency, concurrency 1: ${perCallMs.toFixed(2)} ms ` +
        `(client + HTTP + server, ${2 * nFast} calls)`,
    );
    console.log(`calls/s at 0 ms latency, concurrency 16: ${((2 * nFast) / fast16).toFixed(0)}`);
    if (tp16 / tp1 < 12) {
      console.error(`FAIL: speed-up ${(tp16 / tp1).toFixed(1)}x < 12x`);
      Deno.exitCode = 1;
    }
  } finally {
    slow.worker.terminate();
    fast.worker.terminate();
  }
} else {
  const fast = await serverInWorker(0);
  const teacher = new OpenAITeacher({ baseUrl: fast.baseUrl, model: "bench", concurrency: 16 });
  let i = 0;
  Deno.bench("openai teacher: one proposeTask call, 0 ms latency", async () => {
    const r = await teacher.proposeTask(i++);
    if (!r.ok) throw new Error(r.reason);
  });
  Deno.bench("openai teacher: 16 concurrent proposeTask calls, 0 ms latency", async () => {
    const rs = await Promise.all(Array.from({ length: 16 }, () => teacher.proposeTask(i++)));
    if (!rs.every((r) => r.ok)) throw new Error("malformed bench answer");
  });
  globalThis.addEventListener("unload", () => fast.worker.terminate());
}
