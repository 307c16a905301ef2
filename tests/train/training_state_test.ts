import { equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  formatDuration,
  preferenceBatches,
  preferenceLoss,
  progressLine,
  readMetricsLog,
  referenceLogps,
  train,
  truncateMetricsLog,
} from "../../lib/train/mod.ts";
import { syntheticPairs, tinyGpt } from "./_fixtures.ts";

await initBackend("wasm");

Deno.test("gradient accumulation 2 x 2 pairs equals one batch of 4 pairs", async () => {
  // Micro-batches k = 2s, 2s+1 of size 2 hold the same pairs as batch s of size 4 (same epoch
  // permutation), and the DPO loss is a per-pair mean, so the mean of the two micro-batch losses
  // equals the 4-pair loss; the updates then agree up to float32 rounding.
  const pairs = syntheticPairs(8);
  const curves: number[][] = [];
  for (const [batchSize, accumulation] of [[4, 1], [2, 2]]) {
    const model = tinyGpt();
    const reference = await referenceLogps(model, pairs);
    const runDir = await Deno.makeTempDir();
    await train({
      model,
      steps: 4,
      accumulation,
      batches: preferenceBatches({ pairs, reference, batchSize, seed: 9, padId: 0 }),
      lossFn: preferenceLoss({ variant: "target-rpo", beta: 0.5 }),
      optimizer: { lr: 1e-2 },
      runDir,
      progress: false,
    });
    curves.push((await readMetricsLog(join(runDir, "metrics.jsonl"))).map((r) => r.metrics.loss!));
    model.dispose();
  }
  equal(curves[0].length, 4);
  curves[0].forEach((l, i) => {
    equal(Math.abs(l - curves[1][i]) < 1e-5, true, `step ${i + 1}: ${l} vs ${curves[1][i]}`);
  });
  equal(curves[0][3] < curves[0][0] - 0.05, true, `loss did not move: ${curves[0]}`);
});

Deno.test("resuming a run directory with another fingerprint fails with both values", async () => {
  const model = tinyGpt();
  const pairs = syntheticPairs(2);
  const reference = await referenceLogps(model, pairs);
  const runDir = await Deno.makeTempDir();
  const options = {
    model,
    steps: 1,
    batches: preferenceBatches({ pairs, reference, batchSize: 2, seed: 1, padId: 0 }),
    lossFn: preferenceLoss({ variant: "dpo" }),
    runDir,
    progress: false,
  };
  await train({ ...options, fingerprint: "run-a" });
  await rejects(
    train({ ...options, steps: 2, fingerprint: "run-b" }),
    /trainer.json: field fingerprint: the run directory belongs to another run \(expected run-b, found run-a\)/,
  );
  model.dispose();
});

Deno.test("truncateMetricsLog keeps steps up to the checkpoint and drops a torn last line", async () => {
  const path = join(await Deno.makeTempDir(), "metrics.jsonl");
  await Deno.writeTextFile(
    path,
    '{"step":1,"metrics":{"loss":3}}\n{"step":2,"metrics":{"loss":2}}\n' +
      '{"step":3,"metrics":{"loss":1}}\n{"step":4,"metr',
  );
  await truncateMetricsLog(path, 2);
  equal(
    await Deno.readTextFile(path),
    '{"step":1,"metrics":{"loss":3}}\n{"step":2,"metrics":{"loss":2}}\n',
  );
  await truncateMetricsLog(path, 0);
  equal(await Deno.readTextFile(path), "");
});

Deno.test("progress line shows steps, loss, tokens/s and ETA", () => {
  equal(formatDuration(3725), "1:02:05");
  equal(formatDuration(65), "1:05");
  equal(
    progressLine({
      step: 5,
      steps: 20,
      loss: 0.69314,
      tokensPerSecond: 1234.4,
      etaS: 90,
      width: 8,
    }),
    "[##......] 5/20 loss 0.6931 1234 tok/s ETA 1:30",
  );
});
