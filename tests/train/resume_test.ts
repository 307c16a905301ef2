import { deepStrictEqual, equal } from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readMetricsLog } from "../../lib/train/mod.ts";

const worker = new URL("./_resume_worker.ts", import.meta.url).pathname;

async function runWorker(runDir: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", worker, "--run-dir", runDir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`worker failed (${out.code}):\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function lineCount(path: string): number {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
}

Deno.test("a run killed with SIGKILL after a checkpoint resumes to the same loss curve", async () => {
  // Uninterrupted run: 12 steps.
  const full = await Deno.makeTempDir();
  const fullResult = await runWorker(full);
  equal(fullResult.step, 12);
  equal(fullResult.resumedFrom, 0);

  // Interrupted run: slow steps, killed after the step-6 checkpoint once step 7 is logged.
  const killed = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", worker, "--run-dir", killed, "--step-delay-ms", "150"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const metrics = join(killed, "metrics.jsonl");
  const ckpt6 = join(killed, "checkpoints", "step-00000006");
  await waitFor("checkpoint 6 and step 7", () => existsSync(ckpt6) && lineCount(metrics) >= 7);
  child.kill("SIGKILL");
  const status = await child.status;
  equal(status.signal, "SIGKILL");
  const loggedAtKill = lineCount(metrics);
  equal(loggedAtKill >= 7 && loggedAtKill < 12, true, `${loggedAtKill} steps logged at the kill`);
  equal(existsSync(join(killed, "checkpoints", "step-00000012")), false);

  // Resume: continues from step 6, drops the steps logged after it, finishes at 12.
  const resumed = await runWorker(killed);
  equal(resumed.resumedFrom, 6);
  equal(resumed.step, 12);
  equal(resumed.referenceCacheHit, true);

  const a = await readMetricsLog(join(full, "metrics.jsonl"));
  const b = await readMetricsLog(metrics);
  deepStrictEqual(b.map((r) => r.step), a.map((r) => r.step));
  deepStrictEqual(a.map((r) => r.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  for (let i = 0; i < a.length; i++) {
    for (const key of Object.keys(a[i].metrics) as (keyof typeof a[number]["metrics"])[]) {
      const d = Math.abs(a[i].metrics[key]! - b[i].metrics[key]!);
      equal(d <= 1e-6, true, `step ${i + 1} ${key}: ${a[i].metrics[key]} vs ${b[i].metrics[key]}`);
    }
    equal(Math.abs(a[i].gradNorm - b[i].gradNorm) <= 1e-6, true, `step ${i + 1} gradNorm`);
    equal(a[i].lr, b[i].lr);
  }
  // the curve is not flat: the run did train
  equal(
    a[11].metrics.loss! < a[0].metrics.loss! - 0.01,
    true,
    `${a[0].metrics.loss} -> ${a[11].metrics.loss}`,
  );
  // only the 2 newest checkpoints are kept
  deepStrictEqual(
    [...Deno.readDirSync(join(killed, "checkpoints"))].map((e) => e.name).sort(),
    ["step-00000009", "step-00000012"],
  );
});
