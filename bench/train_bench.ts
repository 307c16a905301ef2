/**
 * Training throughput (tokens/s) for the reference configuration: vocab 256, d_model 128,
 * 4 layers, 4 heads, MLP 4x, context 256, batch 16, AdamW. Measures the plain LM step and a
 * Target-DPO step on 16 chosen+rejected pairs (2 accumulated micro-batches of 8: one pass of 32
 * sequences exceeds the 4 GiB wasm heap), plus the three `tokenLogps` formulations.
 *
 * - `deno run -A bench/train_bench.ts [--backend wasm|cpu|webgpu] [--steps 4]` prints one JSON
 *   line per measurement (median tokens/s over the steps after the first);
 * - `deno bench -A bench/train_bench.ts` runs the same work as `Deno.bench` cases.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { type BackendKind, initBackend } from "../lib/backend.ts";
import { tokenLogps, type TokenLogpsMethod } from "../lib/loss/mod.ts";
import { createGpt } from "../lib/model/mod.ts";
import type { GptConfig } from "../lib/model/types.ts";
import {
  lmBatches,
  lmLoss,
  preferenceBatches,
  preferenceLoss,
  preparePair,
  referenceLogps,
  train,
  type TrainBatch,
  type TrainOptions,
} from "../lib/train/mod.ts";

/** The reference configuration of the issue. */
const REFERENCE: GptConfig = {
  vocabSize: 256,
  contextLength: 256,
  dModel: 128,
  nLayer: 4,
  nHead: 4,
  mlpRatio: 4,
  dropout: 0,
  seed: 1,
};
const BATCH = 16;

/** Runs `steps` training steps; returns the median tokens/s of the steps after the first. */
async function throughput<B extends TrainBatch>(
  options: Omit<TrainOptions<B>, "runDir" | "progress" | "onEvent" | "model" | "steps">,
  steps: number,
): Promise<{ tokensPerSecond: number; secondsPerStep: number; tokensPerStep: number }> {
  const model = createGpt(REFERENCE);
  const runDir = await Deno.makeTempDir({ prefix: "train-bench-" });
  const rates: number[] = [];
  const seconds: number[] = [];
  let tokens = 0;
  await train({
    ...options,
    model,
    steps,
    runDir,
    progress: false,
    onEvent: (e) => {
      if (e.type !== "step") return;
      rates.push(e.tokensPerSecond);
      seconds.push(e.tokens / e.tokensPerSecond);
      tokens = e.tokens;
    },
  });
  model.dispose();
  await Deno.remove(runDir, { recursive: true });
  const median = (xs: number[]) => {
    const s = xs.slice(steps > 1 ? 1 : 0).sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  return { tokensPerSecond: median(rates), secondsPerStep: median(seconds), tokensPerStep: tokens };
}

function lmStep(steps: number) {
  const stream = Int32Array.from({ length: 50_000 }, (_, i) => (i * 7919 + (i >> 3)) % 256);
  return throughput({
    batches: lmBatches({ stream, batchSize: BATCH, length: REFERENCE.contextLength, seed: 1 }),
    lossFn: lmLoss(),
  }, steps);
}

async function dpoStep(steps: number) {
  // 16 pairs: prompt 64 tokens, completions 191 tokens + EOS -> 255 input positions per side.
  const pairs = Array.from({ length: BATCH }, (_, p) => {
    const ids = (n: number, k: number) =>
      Array.from({ length: n }, (_, i) => (p * 31 + i * k) % 255 + 1);
    return preparePair({
      id: `bench-${p}`,
      promptIds: ids(64, 3),
      chosenIds: ids(191, 5),
      rejectedIds: ids(191, 7),
      chosenSpans: [[40, 60]],
      rejectedSpans: [[40, 70]],
    }, { eosId: 0, contextLength: REFERENCE.contextLength, maxPromptLength: 64 });
  });
  const refModel = createGpt(REFERENCE);
  const reference = await referenceLogps(refModel, pairs, { batchSize: 4 });
  refModel.dispose();
  // 16 pairs = 32 sequences of 255 positions do not fit in the wasm heap (4 GiB) in one
  // forward+backward pass, so the step accumulates 2 micro-batches of 8 pairs (same update).
  return throughput({
    batches: preferenceBatches({ pairs, reference, batchSize: BATCH / 2, seed: 1, padId: 0 }),
    accumulation: 2,
    lossFn: preferenceLoss({ variant: "target-dpo" }),
  }, steps);
}

/** Forward + backward of `tokenLogps` on `[32, 256, 256]` logits (a DPO batch's logits). */
async function tokenLogpsMs(method: TokenLogpsMethod, reps: number): Promise<number> {
  const logits = tf.randomNormal([2 * BATCH, 256, 256], 0, 1, "float32", 1) as tf.Tensor3D;
  const targets = tf.randomUniform([2 * BATCH, 256], 0, 256, "int32", 2) as tf.Tensor2D;
  const g = tf.grad((x: tf.Tensor) => tf.sum(tokenLogps(x as tf.Tensor3D, targets, { method })));
  const once = async () => {
    const s = tf.tidy(() => tf.sum(g(logits)));
    await s.data();
    s.dispose();
  };
  await once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await once();
  tf.dispose([logits, targets]);
  return (performance.now() - t0) / reps;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "wasm" },
      steps: { type: "string", default: "4" },
    },
  });
  const info = await initBackend(values.backend as BackendKind);
  const steps = Number(values.steps);
  const base = { backend: info.backend, simd: info.simd, adapter: info.adapter, config: REFERENCE };
  for (const method of ["closed-form", "log-softmax", "logsumexp"] as const) {
    console.log(
      JSON.stringify({
        bench: `tokenLogps fwd+bwd [32,256,256] ${method}`,
        ms: await tokenLogpsMs(method, 3),
        backend: info.backend,
      }),
    );
  }
  console.log(
    JSON.stringify({ bench: "lm step", batch: BATCH, ...(await lmStep(steps)), ...base }),
  );
  console.log(
    JSON.stringify({ bench: "target-dpo step", pairs: BATCH, ...(await dpoStep(steps)), ...base }),
  );
} else {
  await initBackend("wasm");
  Deno.bench({
    name: "lm step x2 (reference config, wasm)",
    n: 1,
    warmup: 0,
    fn: async () => {
      console.log("lm", await lmStep(2));
    },
  });
  Deno.bench({
    name: "target-dpo step x2 (reference config, wasm)",
    n: 1,
    warmup: 0,
    fn: async () => {
      console.log("dpo", await dpoStep(2));
    },
  });
}
