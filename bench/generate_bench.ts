/**
 * Decoding throughput: greedy generation with the KV cache vs naive full recomputation (the
 * whole sequence re-run for every new token), both arms in the same invocation on the same
 * model, so their ratio is meaningful on a loaded machine.
 *
 * `deno run -A bench/generate_bench.ts [--backend wasm] [--new-tokens 128] [--prompt-length 16]
 * [--batch 1,16] [--checkpoint data/checkpoints/base] [--profile] [--kernels auto|onednn|wasm]`
 *
 * For each model (the reference configuration of `bench/reference_config.ts`, randomly
 * initialised, and the committed base checkpoint) and each batch size it greedily generates
 * `--new-tokens` tokens after random prompts of `--prompt-length` ids, once per arm (naive first,
 * then cached), checks that both arms chose the same tokens, and prints one JSON line per case
 * with each arm's generated tokens/s (prefill included), `ratio` = cached / naive, and
 * `cpuRatio`, the same ratio per second of this process's CPU time (steadier on a loaded
 * machine). Batch 1 runs lib/model's `generate` (`useKvCache: false` vs `true`); batch B runs the
 * same loop as the evaluation's batched decoder (`TfjsCodeModel`: one prefill, then one
 * `forwardCached` per step and one `[B, V]` logits read-back) against `logits([B, T])` per step.
 * `--profile` also prints the milliseconds and calls per kernel of the cached arm.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { type BackendKind, initBackend, KERNELS_CHOICES } from "../lib/backend/mod.ts";
import { argmax } from "../lib/model/sampling.ts";
import {
  createGpt,
  disposeKvCache,
  generate,
  type Gpt,
  type KvCache,
  loadCheckpoint,
} from "../lib/model/mod.ts";
import { mulberry32 } from "../lib/util/rng.ts";
import { REFERENCE_CONFIG } from "./reference_config.ts";
import { oneOf } from "../lib/core/mod.ts";

/** CPU seconds of this process so far (user + system). */
function _cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Greedy continuation of `prompts` (all the same length) by `newTokens` tokens per row. */
async function greedyBatch(
  model: Gpt,
  prompts: readonly (readonly number[])[],
  newTokens: number,
  useKvCache: boolean,
): Promise<number[][]> {
  const B = prompts.length;
  const V = model.config.vocabSize;
  const seqs = prompts.map((p) => [...p]);
  const out: number[][] = prompts.map(() => []);
  let cache: KvCache | null = null;
  try {
    for (let step = 0; step < newTokens; step++) {
      const T = seqs[0].length;
      const n = cache === null ? T : 1; // positions fed this step
      const input = tf.tensor2d(seqs.flatMap((s) => s.slice(T - n)), [B, n], "int32"); // [B, n]
      let logits: tf.Tensor3D; // [B, n, V]
      if (useKvCache) {
        const r = model.forwardCached(input, cache); // extends the cache in place
        cache = r.cache;
        logits = r.logits;
      } else {
        logits = model.logits(input);
      }
      const last = tf.tidy(() => tf.slice(logits, [0, n - 1, 0], [B, 1, V])); // [B, 1, V]
      const rows = await last.data() as Float32Array; // [B * V]
      tf.dispose([input, logits, last]);
      for (let b = 0; b < B; b++) {
        const token = argmax(rows.subarray(b * V, (b + 1) * V));
        out[b].push(token);
        seqs[b].push(token);
      }
    }
  } finally {
    disposeKvCache(cache);
  }
  return out;
}

/** Milliseconds and calls per kernel name while the returned `stop` has not been called. */
function profileKernels(): { totals: Map<string, [number, number]>; stop: () => void } {
  const backend = tf.getBackend();
  const totals = new Map<string, [number, number]>();
  const originals: tf.KernelConfig[] = [];
  let depth = 0;
  for (const kernel of tf.getKernelsForBackend(backend)) {
    originals.push(kernel);
    const inner = kernel.kernelFunc;
    const kernelFunc = (args: Parameters<tf.KernelFunc>[0]) => {
      const t0 = depth++ === 0 ? performance.now() : 0;
      try {
        return inner(args);
      } finally {
        if (--depth === 0) {
          const t = totals.get(kernel.kernelName) ?? [0, 0];
          totals.set(kernel.kernelName, [t[0] + performance.now() - t0, t[1] + 1]);
        }
      }
    };
    tf.unregisterKernel(kernel.kernelName, backend);
    tf.registerKernel({ ...kernel, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  const stop = () => {
    for (const kernel of originals) {
      tf.unregisterKernel(kernel.kernelName, backend);
      tf.registerKernel(kernel);
    }
  };
  return { totals, stop };
}

/** One case: both arms on `model` at batch `B`; returns the JSON record. */
async function runCase(
  label: string,
  model: Gpt,
  o: { batch: number; newTokens: number; promptLength: number; profile: boolean },
): Promise<Record<string, unknown>> {
  const rng = mulberry32(o.batch * 1000 + o.promptLength);
  const V = model.config.vocabSize;
  const prompts = Array.from(
    { length: o.batch },
    () => Array.from({ length: o.promptLength }, () => Math.floor(rng() * V)),
  );
  const arm = async (useKvCache: boolean) => {
    const c0 = _cpuSeconds();
    const t0 = performance.now();
    const tokens = o.batch === 1
      ? [
        (await generate(model, prompts[0], { maxNewTokens: o.newTokens, useKvCache }))
          .tokens,
      ]
      : await greedyBatch(model, prompts, o.newTokens, useKvCache);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = _cpuSeconds() - c0;
    const n = o.batch * o.newTokens;
    return { tokens, tokensPerSecond: n / seconds, cpuTokensPerSecond: n / cpu };
  };
  // Warm-up (kernel compilation, first allocations) outside the timed arms.
  await greedyBatch(model, prompts.slice(0, 1), 2, true);
  await greedyBatch(model, prompts.slice(0, 1), 2, false);
  const naive = await arm(false);
  const cached = await arm(true);
  if (JSON.stringify(naive.tokens) !== JSON.stringify(cached.tokens)) {
    throw new Error(`${label} batch ${o.batch}: cached and naive greedy tokens differ`);
  }
  const record: Record<string, unknown> = {
    model: label,
    batch: o.batch,
    promptLength: o.promptLength,
    newTokens: o.newTokens,
    naiveTokensPerSecond: Number(naive.tokensPerSecond.toFixed(1)),
    cachedTokensPerSecond: Number(cached.tokensPerSecond.toFixed(1)),
    ratio: Number((cached.tokensPerSecond / naive.tokensPerSecond).toFixed(2)),
    cpuRatio: Number((cached.cpuTokensPerSecond / naive.cpuTokensPerSecond).toFixed(2)),
    identicalTokens: true,
  };
  if (o.profile) {
    const { totals, stop } = profileKernels();
    await arm(true);
    stop();
    record.cachedKernels = Object.fromEntries(
      [...totals].sort((a, b) => b[1][0] - a[1][0]).map(([k, [ms, n]]) => [
        k,
        `${ms.toFixed(1)} ms / ${n}`,
      ]),
    );
  }
  return record;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "wasm" },
      "new-tokens": { type: "string", default: "128" },
      "prompt-length": { type: "string", default: "16" },
      batch: { type: "string", default: "1,16" },
      checkpoint: { type: "string", default: "data/checkpoints/base" },
      profile: { type: "boolean", default: false },
      kernels: { type: "string", default: "auto" },
      "blas-threads": { type: "string", default: "2" },
    },
  });
  const info = await initBackend(values.backend as BackendKind, {
    kernels: oneOf("--kernels", values.kernels, KERNELS_CHOICES),
    blas: { threads: Number(values["blas-threads"]) },
  });
  const newTokens = Number(values["new-tokens"]);
  const promptLength = Number(values["prompt-length"]);
  const batches = values.batch.split(",").map(Number);
  for (const [name, v] of [["new-tokens", newTokens], ["prompt-length", promptLength]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`--${name} must be a positive integer, found ${v}`);
    }
  }
  for (const b of batches) {
    if (!Number.isInteger(b) || b < 1) {
      throw new Error(`--batch must list positive integers, found "${values.batch}"`);
    }
  }
  const models: [string, () => Promise<Gpt>][] = [
    ["reference", () => Promise.resolve(createGpt(REFERENCE_CONFIG))],
  ];
  if (values.checkpoint !== "") {
    models.push([
      values.checkpoint,
      async () => (await loadCheckpoint(values.checkpoint)).model,
    ]);
  }
  const summary: string[] = [];
  for (const [label, load] of models) {
    const model = await load();
    if (promptLength + newTokens > model.config.contextLength) {
      throw new Error(
        `${label}: --prompt-length ${promptLength} + --new-tokens ${newTokens} exceed ` +
          `contextLength ${model.config.contextLength}`,
      );
    }
    for (const batch of batches) {
      const r = await runCase(label, model, {
        batch,
        newTokens,
        promptLength,
        profile: values.profile,
      });
      console.log(JSON.stringify({ backend: info.backend, ...r }));
      summary.push(
        `${label} batch ${batch}: naive ${r.naiveTokensPerSecond} tok/s, cached ` +
          `${r.cachedTokensPerSecond} tok/s, ratio ${r.ratio}x (per CPU-second ${r.cpuRatio}x)`,
      );
    }
    model.dispose();
  }
  console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  for (const line of summary) console.log(line);
}
