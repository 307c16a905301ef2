import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import type { LossResult } from "../../lib/loss/mod.ts";
import {
  cachedReferenceLogps,
  lmBatches,
  lmLoss,
  NonFiniteError,
  preferenceBatches,
  preferenceLoss,
  readMetricsLog,
  referenceLogps,
  tokenStream,
  train,
  type TrainEvent,
} from "../../lib/train/mod.ts";
import { countingCorpus, syntheticPairs, tinyGpt } from "./_fixtures.ts";

await initBackend("wasm");

Deno.test("tf.memory().numTensors is unchanged across training steps (LM and hybrid DPO)", async () => {
  const model = tinyGpt();
  const pairs = syntheticPairs(6);
  const reference = await referenceLogps(model, pairs);
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const onEvent = (e: TrainEvent) => {
    if (e.type === "step") counts.push(tf.memory().numTensors);
  };
  const stream = tokenStream(countingCorpus(8), { eosId: 0, bosId: 1 });
  await train({
    model,
    steps: 3,
    batches: lmBatches({ stream, batchSize: 2, length: 8, seed: 1 }),
    lossFn: lmLoss(),
    runDir: await Deno.makeTempDir(),
    progress: false,
    onEvent,
  });
  await train({
    model,
    steps: 3,
    accumulation: 2,
    batches: preferenceBatches({ pairs, reference, batchSize: 2, seed: 1, padId: 0 }),
    lossFn: preferenceLoss({ variant: "hybrid" }),
    runDir: await Deno.makeTempDir(),
    progress: false,
    onEvent,
  });
  equal(tf.memory().numTensors, before, "tensors leaked by train()");
  // inside a run the optimizer holds 2 moments per variable; nothing else may accumulate
  const moments = 2 * model.variables.length;
  deepStrictEqual(counts, Array(6).fill(before + moments));
  model.dispose();
});

Deno.test("learning sanity: LM loss on a counting corpus drops from ln 16 to below 0.6", async () => {
  const model = tinyGpt({ dModel: 32 });
  const runDir = await Deno.makeTempDir();
  const stream = tokenStream(countingCorpus(40), { eosId: 0, bosId: 1 });
  await train({
    model,
    steps: 60,
    batches: lmBatches({ stream, batchSize: 8, length: 12, seed: 5 }),
    lossFn: lmLoss(),
    optimizer: { lr: 1e-2 },
    runDir,
    progress: false,
  });
  const log = await readMetricsLog(join(runDir, "metrics.jsonl"));
  equal(log.length, 60);
  const first = log[0].metrics.loss!;
  const last = log.slice(-5).reduce((s, r) => s + r.metrics.loss!, 0) / 5;
  // a fresh model is close to uniform over 16 ids: ln 16 = 2.77
  equal(Math.abs(first - Math.log(16)) < 0.15, true, `first loss ${first}`);
  // after BOS the start of a run is unpredictable (1 in 14 tokens), the rest is counting
  equal(last < 0.6, true, `mean loss of the last 5 steps ${last}`);
  model.dispose();
});

Deno.test("preference training: step 1 is exactly ln 2, then margins and accuracies rise", async () => {
  const model = tinyGpt();
  const pairs = syntheticPairs(8);
  const cacheDir = await Deno.makeTempDir();
  const ref = await cachedReferenceLogps(model, pairs, { cacheDir });
  equal(ref.hit, false);
  const again = await cachedReferenceLogps(model, pairs, { cacheDir });
  equal(again.hit, true);
  deepStrictEqual(again.logps, ref.logps);
  const runDir = await Deno.makeTempDir();
  await train({
    model,
    steps: 30,
    batches: preferenceBatches({
      pairs,
      reference: ref.logps,
      batchSize: 4,
      seed: 2,
      padId: 0,
    }),
    lossFn: preferenceLoss({ variant: "target-dpo", beta: 0.5 }),
    optimizer: { lr: 1e-2 },
    runDir,
    progress: false,
  });
  const log = await readMetricsLog(join(runDir, "metrics.jsonl"));
  // the policy starts equal to the reference: margin 0, loss ln 2, no pair "won" yet
  equal(Math.abs(log[0].metrics.loss! - Math.LN2) < 1e-6, true, `${log[0].metrics.loss}`);
  equal(Math.abs(log[0].metrics["rewards/margins"]!) < 1e-6, true);
  equal(log[0].metrics["rewards/accuracies"], 0);
  const tail = log.slice(-4);
  const mean = (k: "rewards/margins" | "rewards/accuracies" | "loss") =>
    tail.reduce((s, r) => s + r.metrics[k]!, 0) / tail.length;
  equal(mean("rewards/accuracies"), 1, `accuracies ${mean("rewards/accuracies")}`);
  equal(mean("rewards/margins") > 1, true, `margins ${mean("rewards/margins")}`);
  equal(mean("loss") < 0.35, true, `loss ${mean("loss")}`);
  model.dispose();
});

Deno.test("the reference cache rejects a file written for other data", async () => {
  const model = tinyGpt();
  const cacheDir = await Deno.makeTempDir();
  const pairs = syntheticPairs(2);
  const { path } = await cachedReferenceLogps(model, pairs, { cacheDir, checkpointHash: "abc" });
  // a same-named file whose metadata names another dataset
  const other = await cachedReferenceLogps(model, syntheticPairs(3), {
    cacheDir: await Deno.makeTempDir(),
    checkpointHash: "abc",
  });
  await Deno.copyFile(other.path, path);
  await rejects(
    cachedReferenceLogps(model, pairs, { cacheDir, checkpointHash: "abc" }),
    /metadata datasetHash: expected [0-9a-f]{64}, found [0-9a-f]{64}/,
  );
  model.dispose();
});

Deno.test("the NaN guard stops with the step and metric named", async () => {
  const model = tinyGpt();
  const stream = tokenStream(countingCorpus(4), { eosId: 0 });
  const base = lmLoss();
  let calls = 0;
  await rejects(
    train({
      model,
      steps: 5,
      batches: lmBatches({ stream, batchSize: 1, length: 4, seed: 1 }),
      lossFn: (m, b): LossResult => {
        const r = base(m, b);
        if (++calls < 3) return r;
        const loss = tf.mul(r.loss, NaN) as tf.Scalar;
        return { loss, metrics: { loss } };
      },
      runDir: await Deno.makeTempDir(),
      progress: false,
    }),
    (err: unknown) => {
      equal(err instanceof NonFiniteError, true);
      equal(
        (err as Error).message.startsWith('training diverged at step 3: metric "loss" is NaN'),
        true,
        (err as Error).message,
      );
      return true;
    },
  );
  model.dispose();
});
