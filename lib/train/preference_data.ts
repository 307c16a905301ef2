/**
 * Preference examples: truncation, masks and batching with padding.
 *
 * @module
 */
import type { TokenSpan } from "../core/mod.ts";
import {
  buildPairMasks,
  hybridTargetFlags,
  mixSeed,
  type PairTokenMasks,
  seededPermutation,
} from "../loss/mod.ts";
import type { TrainBatch } from "./types.ts";

/** A tokenised preference pair, as the data stage stores it. */
export interface PreferenceExample {
  /** Stable identifier (for example the task id), used in errors and in the dataset hash. */
  readonly id: string;
  /** Prompt tokens (include BOS here if the model uses one); at least one token. */
  readonly promptIds: readonly number[];
  /** Chosen completion `y+` without EOS. */
  readonly chosenIds: readonly number[];
  /** Rejected completion `y-` without EOS. */
  readonly rejectedIds: readonly number[];
  /** Sorted `[start, end)` spans of `D+` tokens in `chosenIds`. */
  readonly chosenSpans: readonly TokenSpan[];
  /** Sorted `[start, end)` spans of `D-` tokens in `rejectedIds` (`m-`; empty under `keep`). */
  readonly rejectedSpans: readonly TokenSpan[];
}

/** Truncation options of {@link preparePair}. */
export interface PreparePairOptions {
  /** End-of-sequence id appended to both completions (it is part of `m = 1`). */
  readonly eosId: number;
  /** Maximum tokens of prompt + completion (EOS included) per side: the model's context. */
  readonly contextLength: number;
  /**
   * Maximum prompt tokens; longer prompts keep their last tokens (TRL's `keep_end`).
   * @default {Math.floor(contextLength / 2)}
   */
  readonly maxPromptLength?: number;
}

/** A pair after truncation, ready for batching. */
export interface PreparedPair {
  readonly id: string;
  readonly promptIds: readonly number[];
  /** Kept chosen completion tokens, EOS included unless truncated away. */
  readonly chosenIds: readonly number[];
  /** Kept rejected completion tokens, EOS included unless truncated away. */
  readonly rejectedIds: readonly number[];
  /** Per-completion-token masks (same lengths as the completions above). */
  readonly masks: PairTokenMasks;
}

/**
 * Truncates a pair and builds its masks. The prompt keeps its last `maxPromptLength` tokens;
 * each completion (with EOS appended) keeps its first `contextLength - promptLength` tokens, and
 * the mask spans are clipped with it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { preparePair } from "./preference_data.ts";
 * const p = preparePair({
 *   id: "t1", promptIds: [1, 2, 3], chosenIds: [4, 5], rejectedIds: [6, 7, 8],
 *   chosenSpans: [[1, 2]], rejectedSpans: [[2, 3]],
 * }, { eosId: 0, contextLength: 5, maxPromptLength: 2 });
 * deepStrictEqual(p.promptIds, [2, 3]);
 * deepStrictEqual(p.chosenIds, [4, 5, 0]);
 * deepStrictEqual(p.rejectedIds, [6, 7, 8]); // EOS truncated away
 * deepStrictEqual(Array.from(p.masks.rejectedDiff), [0, 0, 1]);
 * ```
 */
export function preparePair(example: PreferenceExample, options: PreparePairOptions): PreparedPair {
  const { eosId, contextLength } = options;
  const maxPrompt = options.maxPromptLength ?? Math.floor(contextLength / 2);
  if (!Number.isInteger(maxPrompt) || maxPrompt < 1 || maxPrompt >= contextLength) {
    throw new Error(
      `preparePair: maxPromptLength must be an integer in [1, ${contextLength - 1}] ` +
        `(contextLength ${contextLength}), found ${maxPrompt}`,
    );
  }
  if (example.promptIds.length === 0) {
    throw new Error(`pair ${example.id}: empty prompt; the first completion token needs context`);
  }
  const promptIds = example.promptIds.slice(-maxPrompt);
  const room = contextLength - promptIds.length;
  const chosenFull = [...example.chosenIds, eosId];
  const rejectedFull = [...example.rejectedIds, eosId];
  const chosenIds = chosenFull.slice(0, room);
  const rejectedIds = rejectedFull.slice(0, room);
  const masks = buildPairMasks({
    chosenTextTokens: example.chosenIds.length,
    rejectedTextTokens: example.rejectedIds.length,
    masks: { chosen: example.chosenSpans, rejected: example.rejectedSpans },
    chosenKept: chosenIds.length,
    rejectedKept: rejectedIds.length,
    where: `pair ${example.id}`,
  });
  return { id: example.id, promptIds, chosenIds, rejectedIds, masks };
}

/** Per-token reference log-probs of one pair's completions (same lengths as the completions). */
export interface ReferenceLogps {
  readonly chosen: Float32Array;
  readonly rejected: Float32Array;
}

/**
 * A padded batch of `B` pairs as plain arrays. Rows `0..B-1` of `inputs`/`targets` are the
 * chosen sequences, rows `B..2B-1` the rejected ones; both have `T` columns. Completion token
 * `i` of a side with prompt length `P` sits at target column `P - 1 + i`.
 */
export interface PreferenceBatch extends TrainBatch {
  readonly batchSize: number;
  readonly length: number;
  /** `[2B, T]` input ids (padding = `padId`). */
  readonly inputs: Int32Array;
  /** `[2B, T]` next-token ids (padding = `padId`, masked out). */
  readonly targets: Int32Array;
  /** `[B, T]` masks, 0 on prompt and padding. */
  readonly masks: {
    readonly chosen: Float32Array;
    readonly rejected: Float32Array;
    readonly chosenDiff: Float32Array;
    readonly rejectedDiff: Float32Array;
  };
  /** `[B, T]` reference token log-probs (0 off the completion), when given. */
  readonly reference?: { readonly chosen: Float32Array; readonly rejected: Float32Array };
  /** `[B]` hybrid flags (1 = Target-DPO masks for this pair). */
  readonly hybridTarget: Float32Array;
}

/** Options of {@link collatePreferenceBatch}. */
export interface CollateOptions {
  /** Padding id (any valid id; padded positions are masked out). */
  readonly padId: number;
  /** Reference log-probs, one per pair in the same order. */
  readonly reference?: readonly ReferenceLogps[];
  /**
   * Seed of this batch's hybrid split ({@link hybridTargetFlags}).
   * @default {0}
   */
  readonly hybridSeed?: number;
}

/**
 * Pads a list of prepared pairs into one {@link PreferenceBatch}; `T` is the longest
 * `prompt + completion - 1` of the batch.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { collatePreferenceBatch, preparePair } from "./preference_data.ts";
 * const p = preparePair({ id: "a", promptIds: [1], chosenIds: [2], rejectedIds: [3, 4],
 *   chosenSpans: [], rejectedSpans: [[1, 2]] }, { eosId: 0, contextLength: 8 });
 * const b = collatePreferenceBatch([p], { padId: 0 });
 * deepStrictEqual(Array.from(b.inputs), [1, 2, 0, 1, 3, 4]); // [2B, T] = [2, 3]
 * deepStrictEqual(Array.from(b.targets), [2, 0, 0, 3, 4, 0]);
 * deepStrictEqual(Array.from(b.masks.chosen), [1, 1, 0]);
 * deepStrictEqual(Array.from(b.masks.rejectedDiff), [0, 1, 0]);
 * ```
 */
export function collatePreferenceBatch(
  pairs: readonly PreparedPair[],
  options: CollateOptions,
): PreferenceBatch {
  const b = pairs.length;
  if (b === 0) throw new Error("collatePreferenceBatch: empty batch");
  if (options.reference !== undefined && options.reference.length !== b) {
    throw new Error(
      `collatePreferenceBatch: ${options.reference.length} reference entries for ${b} pairs`,
    );
  }
  let t = 1;
  for (const p of pairs) {
    t = Math.max(t, p.promptIds.length + p.chosenIds.length - 1);
    t = Math.max(t, p.promptIds.length + p.rejectedIds.length - 1);
  }
  const inputs = new Int32Array(2 * b * t).fill(options.padId);
  const targets = new Int32Array(2 * b * t).fill(options.padId);
  const masks = {
    chosen: new Float32Array(b * t),
    rejected: new Float32Array(b * t),
    chosenDiff: new Float32Array(b * t),
    rejectedDiff: new Float32Array(b * t),
  };
  const reference = options.reference === undefined
    ? undefined
    : { chosen: new Float32Array(b * t), rejected: new Float32Array(b * t) };
  let tokens = 0;
  pairs.forEach((p, row) => {
    const sides = [
      ["chosen", p.chosenIds, p.masks.chosen, p.masks.chosenDiff, 0],
      ["rejected", p.rejectedIds, p.masks.rejected, p.masks.rejectedDiff, b],
    ] as const;
    for (const [side, completion, full, diff, rowOffset] of sides) {
      const seq = [...p.promptIds, ...completion];
      const r = row + rowOffset;
      for (let j = 0; j < seq.length - 1; j++) {
        inputs[r * t + j] = seq[j];
        targets[r * t + j] = seq[j + 1];
      }
      tokens += seq.length - 1;
      const ref = options.reference?.[row][side];
      if (ref !== undefined && ref.length !== completion.length) {
        throw new Error(
          `pair ${p.id} ${side}: ${ref.length} reference log-probs for ${completion.length} ` +
            "completion tokens (stale reference cache?)",
        );
      }
      const sideMasks = side === "chosen"
        ? [masks.chosen, masks.chosenDiff, reference?.chosen]
        : [masks.rejected, masks.rejectedDiff, reference?.rejected];
      const start = row * t + p.promptIds.length - 1;
      sideMasks[0]!.set(full, start);
      sideMasks[1]!.set(diff, start);
      if (ref !== undefined) sideMasks[2]!.set(ref, start);
    }
  });
  return {
    batchSize: b,
    length: t,
    inputs,
    targets,
    masks,
    reference,
    hybridTarget: hybridTargetFlags(b, options.hybridSeed ?? 0),
    tokens,
  };
}

/** Options of {@link preferenceBatches}. */
export interface PreferenceBatchesOptions {
  readonly pairs: readonly PreparedPair[];
  /** Reference log-probs aligned with `pairs` (omit for SFT-only runs). */
  readonly reference?: readonly ReferenceLogps[];
  /** Pairs per micro-batch. */
  readonly batchSize: number;
  /** Seed of the data order and of the hybrid splits. */
  readonly seed: number;
  readonly padId: number;
}

/**
 * A stateless batch function over a pair dataset: micro-batch `k` holds the pairs at positions
 * `[k*B, (k+1)*B)` of the endless sequence of epochs, each epoch a permutation drawn from
 * `mixSeed(seed, epoch)`. Its hybrid split is seeded with `mixSeed(seed, k, 1)`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { preferenceBatches, preparePair } from "./preference_data.ts";
 * const pairs = [0, 1, 2].map((i) => preparePair({ id: `p${i}`, promptIds: [1], chosenIds: [i],
 *   rejectedIds: [i], chosenSpans: [], rejectedSpans: [] }, { eosId: 0, contextLength: 4 }));
 * const batches = preferenceBatches({ pairs, batchSize: 2, seed: 5, padId: 0 });
 * deepStrictEqual(batches(3), batches(3));
 * ```
 */
export function preferenceBatches(
  options: PreferenceBatchesOptions,
): (index: number) => PreferenceBatch {
  const { pairs, reference, batchSize, seed, padId } = options;
  if (pairs.length === 0) throw new Error("preferenceBatches: no pairs");
  if (reference !== undefined && reference.length !== pairs.length) {
    throw new Error(
      `preferenceBatches: ${reference.length} reference entries for ${pairs.length} pairs`,
    );
  }
  const order = _epochOrder(pairs.length, seed);
  return (index: number) => {
    const idx = Array.from({ length: batchSize }, (_, j) => order(index * batchSize + j));
    return collatePreferenceBatch(idx.map((i) => pairs[i]), {
      padId,
      reference: reference === undefined ? undefined : idx.map((i) => reference[i]),
      hybridSeed: mixSeed(seed, index, 1),
    });
  };
}

/** Position `k` of the endless sequence of seeded epoch permutations of `[0, n)`. */
function _epochOrder(n: number, seed: number): (k: number) => number {
  const cache = new Map<number, number[]>();
  return (k: number) => {
    const epoch = Math.floor(k / n);
    let perm = cache.get(epoch);
    if (perm === undefined) {
      if (cache.size > 4) cache.clear();
      perm = seededPermutation(n, mixSeed(seed, epoch));
      cache.set(epoch, perm);
    }
    return perm[k % n];
  };
}
