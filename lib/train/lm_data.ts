/**
 * Plain language-modelling data: a token stream cut into random windows.
 *
 * @module
 */
import { mixSeed, mulberry32 } from "../loss/mod.ts";
import type { TrainBatch } from "./types.ts";

/** A batch of `B` windows of `T + 1` tokens, as inputs and next-token targets. */
export interface LmBatch extends TrainBatch {
  readonly batchSize: number;
  readonly length: number;
  /** `[B, T]` input ids. */
  readonly inputs: Int32Array;
  /** `[B, T]` target ids (inputs shifted by one). */
  readonly targets: Int32Array;
  /** `[B, T]` loss mask (all ones for windows cut from a stream). */
  readonly mask: Float32Array;
}

/** Options of {@link tokenStream}. */
export interface TokenStreamOptions {
  /** Appended after every document. */
  readonly eosId: number;
  /** Prepended before every document, when given. */
  readonly bosId?: number;
}

/**
 * Concatenates tokenised documents into one stream: `[BOS] doc EOS [BOS] doc EOS …`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { tokenStream } from "./lm_data.ts";
 * deepStrictEqual(Array.from(tokenStream([[5, 6], [7]], { eosId: 0, bosId: 1 })), [1, 5, 6, 0, 1, 7, 0]);
 * ```
 */
export function tokenStream(
  documents: readonly (readonly number[])[],
  options: TokenStreamOptions,
): Int32Array {
  const out: number[] = [];
  for (const doc of documents) {
    if (options.bosId !== undefined) out.push(options.bosId);
    for (const id of doc) out.push(id);
    out.push(options.eosId);
  }
  return Int32Array.from(out);
}

/** Options of {@link lmBatches}. */
export interface LmBatchesOptions {
  /** The token stream ({@link tokenStream}). */
  readonly stream: Int32Array;
  /** Windows per micro-batch. */
  readonly batchSize: number;
  /** Input positions per window `T` (at most the model's context). */
  readonly length: number;
  /** Seed of the window positions. */
  readonly seed: number;
}

/**
 * A stateless batch function: micro-batch `k` cuts `B` windows of `T + 1` tokens at offsets drawn
 * from `mulberry32(mixSeed(seed, k))`, so any step can be rebuilt after a resume.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { lmBatches } from "./lm_data.ts";
 * const batches = lmBatches({ stream: Int32Array.of(0, 1, 2, 3, 4), batchSize: 1, length: 4, seed: 1 });
 * deepStrictEqual(Array.from(batches(0).inputs), [0, 1, 2, 3]);
 * deepStrictEqual(Array.from(batches(0).targets), [1, 2, 3, 4]);
 * ```
 */
export function lmBatches(options: LmBatchesOptions): (index: number) => LmBatch {
  const { stream, batchSize, length, seed } = options;
  if (stream.length < length + 1) {
    throw new Error(
      `lmBatches: the stream has ${stream.length} tokens, a window needs length + 1 = ${
        length + 1
      }`,
    );
  }
  const starts = stream.length - length; // valid offsets: [0, starts)
  return (index: number) => {
    const rand = mulberry32(mixSeed(seed, index));
    const inputs = new Int32Array(batchSize * length);
    const targets = new Int32Array(batchSize * length);
    for (let b = 0; b < batchSize; b++) {
      const o = Math.floor(rand() * starts);
      inputs.set(stream.subarray(o, o + length), b * length);
      targets.set(stream.subarray(o + 1, o + 1 + length), b * length);
    }
    return {
      batchSize,
      length,
      inputs,
      targets,
      mask: new Float32Array(batchSize * length).fill(1),
      tokens: batchSize * length,
    };
  };
}
