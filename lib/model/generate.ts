/**
 * Autoregressive generation: greedy or temperature/top-p sampling (seeded), with a per-layer
 * KV cache (each new token costs one position; see `Gpt.forwardCached`) or, as the reference,
 * full recomputation. `deno run -A bench/generate_bench.ts` measures both.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { disposeKvCache, type Gpt, type KvCache } from "./gpt.ts";
import { mulberry32 } from "../util/rng.ts";
import { argmax, sampleTopP } from "./sampling.ts";

/** How the next token is chosen. */
export type DecodingStrategy = "greedy" | "sample";

/** Why generation stopped. */
export type StopReason = "eos" | "maxNewTokens" | "contextLength";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /**
   * Upper bound on generated tokens (EOS included in the count).
   * @default 256
   */
  readonly maxNewTokens?: number;
  /**
   * `greedy` takes the arg-max (lowest id on ties); `sample` draws from the tempered,
   * top-p-truncated distribution.
   * @default "greedy"
   */
  readonly strategy?: DecodingStrategy;
  /**
   * Softmax temperature for `sample` (must be > 0).
   * @default 1
   */
  readonly temperature?: number;
  /**
   * Nucleus mass for `sample`: keep the smallest set of most likely tokens whose probability
   * sums to at least `topP`.
   * @default 1
   */
  readonly topP?: number;
  /**
   * Seed of the sampling PRNG (mulberry32); same seed, same model, same tokens.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Stop after this token (it is not included in `tokens`); `null` never stops early.
   * @default null
   */
  readonly eosId?: number | null;
  /**
   * Use the KV cache; `false` recomputes the whole sequence per token (reference path).
   * @default true
   */
  readonly useKvCache?: boolean;
  /**
   * Also return the logits each token was chosen from.
   * @default false
   */
  readonly recordLogits?: boolean;
}

/** Output of {@link generate}. */
export interface GenerateResult {
  /** Generated ids, without the prompt and without the final EOS. */
  readonly tokens: number[];
  readonly stopReason: StopReason;
  /** Logits `[V]` of every step (only with `recordLogits`); `stepLogits[i]` chose step `i`. */
  readonly stepLogits?: Float32Array[];
}

/**
 * Continue `prompt` (non-empty, at most `contextLength` ids) with the model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt } from "./gpt.ts";
 * import { generate } from "./generate.ts";
 * await initBackend("cpu");
 * const model = createGpt({
 *   vocabSize: 13, contextLength: 8, dModel: 8, nLayer: 1, nHead: 2, mlpRatio: 2, dropout: 0, seed: 0,
 * });
 * const a = await generate(model, [1, 5], { maxNewTokens: 4 });
 * const b = await generate(model, [1, 5], { maxNewTokens: 4, useKvCache: false });
 * assert.deepEqual(a.tokens, b.tokens);
 * assert.equal(a.stopReason, "maxNewTokens");
 * model.dispose();
 * ```
 */
export async function generate(
  model: Gpt,
  prompt: readonly number[],
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const {
    maxNewTokens = 256,
    strategy = "greedy",
    temperature = 1,
    topP = 1,
    seed = 0,
    eosId = null,
    useKvCache = true,
    recordLogits = false,
  } = options;
  const { contextLength, vocabSize } = model.config;
  if (prompt.length === 0) throw new Error("generate: the prompt is empty (add a BOS token)");
  if (prompt.length > contextLength) {
    throw new Error(
      `generate: prompt has ${prompt.length} tokens, more than contextLength ${contextLength}`,
    );
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new Error(`generate: maxNewTokens must be a non-negative integer, found ${maxNewTokens}`);
  }
  if (strategy === "sample" && !(temperature > 0)) {
    throw new Error(`generate: temperature must be > 0 for sampling, found ${temperature}`);
  }
  if (!(topP > 0 && topP <= 1)) throw new Error(`generate: topP must be in (0, 1], found ${topP}`);
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`generate: prompt token ${id} outside [0, ${vocabSize})`);
    }
  }

  const rng = mulberry32(seed);
  const seq = [...prompt];
  const tokens: number[] = [];
  const stepLogits: Float32Array[] = [];
  const state: { cache: KvCache | null } = { cache: null };
  let stopReason: StopReason = "maxNewTokens";
  try {
    /** Feed `newIds` (appended to `seq` already) and return the logits of the last position. */
    const step = async (newIds: readonly number[]): Promise<Float32Array> => {
      let lastRow: tf.Tensor;
      if (useKvCache) {
        const input = tf.tensor2d([...newIds], [1, newIds.length], "int32"); // [1, n]
        const out = model.forwardCached(input, state.cache); // extends the cache in place
        input.dispose();
        state.cache = out.cache;
        lastRow = tf.tidy(() => tf.slice(out.logits, [0, newIds.length - 1, 0], [1, 1, vocabSize])); // [1, 1, V]
        out.logits.dispose();
      } else {
        lastRow = tf.tidy(() => {
          const input = tf.tensor2d(seq, [1, seq.length], "int32"); // [1, T]
          const logits = model.logits(input); // [1, T, V]
          return tf.slice(logits, [0, seq.length - 1, 0], [1, 1, vocabSize]); // [1, 1, V]
        });
      }
      const data = await lastRow.data() as Float32Array;
      lastRow.dispose();
      return data;
    };
    if (maxNewTokens === 0) return { tokens, stopReason };
    let last = await step(prompt); // [V]
    for (;;) {
      if (recordLogits) stepLogits.push(last);
      const next = strategy === "greedy" ? argmax(last) : sampleTopP(last, temperature, topP, rng);
      if (eosId !== null && next === eosId) {
        stopReason = "eos";
        break;
      }
      tokens.push(next);
      seq.push(next);
      if (tokens.length >= maxNewTokens) {
        stopReason = "maxNewTokens";
        break;
      }
      if (seq.length >= contextLength) {
        stopReason = "contextLength";
        break;
      }
      last = await step([next]);
    }
  } finally {
    disposeKvCache(state.cache);
  }
  return recordLogits ? { tokens, stopReason, stepLogits } : { tokens, stopReason };
}
