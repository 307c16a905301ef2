/**
 * Per-pair 0/1 token masks built from completion lengths and stored spans (DESIGN §3).
 *
 * @module
 */
import type { PairMasks, TokenSpan } from "../core/mod.ts";

/** Options of {@link spanMask}. */
export interface SpanMaskOptions {
  /** Number of tokens the spans index into (the completion before truncation). */
  readonly length: number;
  /** Sorted, disjoint `[start, end)` spans within `[0, length]`. */
  readonly spans: readonly TokenSpan[];
  /**
   * Length of the returned mask: the tokens kept after truncation (spans are clipped to it).
   * @default {length}
   */
  readonly keep?: number;
  /**
   * Name used in error messages (for example `pair 17 rejected`).
   * @default {"spans"}
   */
  readonly where?: string;
}

/**
 * A 0/1 mask with ones on the tokens covered by `spans`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { spanMask } from "./pair_masks.ts";
 * deepStrictEqual(
 *   Array.from(spanMask({ length: 6, spans: [[1, 3], [4, 5]] })),
 *   [0, 1, 1, 0, 1, 0],
 * );
 * ```
 */
export function spanMask(options: SpanMaskOptions): Float32Array {
  const { length, spans } = options;
  const keep = options.keep ?? length;
  const where = options.where ?? "spans";
  if (!Number.isInteger(length) || length < 0) {
    throw new Error(`${where}: length must be a non-negative integer, found ${length}`);
  }
  if (!Number.isInteger(keep) || keep < 0 || keep > length) {
    throw new Error(`${where}: keep must be an integer in [0, ${length}], found ${keep}`);
  }
  const mask = new Float32Array(keep);
  let previousEnd = 0;
  for (const [k, span] of spans.entries()) {
    const [start, end] = span;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
      throw new Error(`${where}: span ${k} is [${start}, ${end}); expected 0 <= start < end`);
    }
    if (end > length) {
      throw new Error(`${where}: span ${k} [${start}, ${end}) ends past the ${length} tokens`);
    }
    if (start < previousEnd) {
      throw new Error(
        `${where}: span ${k} [${start}, ${end}) overlaps or precedes the previous span ` +
          `(ended at ${previousEnd}); spans must be sorted and disjoint`,
      );
    }
    previousEnd = end;
    mask.fill(1, Math.min(start, keep), Math.min(end, keep));
  }
  return mask;
}

/** The four masks of one pair, each indexed by completion token (EOS is the last token). */
export interface PairTokenMasks {
  /** `m = 1` over the chosen completion, EOS included. */
  readonly chosen: Float32Array;
  /** `m = 1` over the rejected completion, EOS included. */
  readonly rejected: Float32Array;
  /** `D+` tokens of the chosen completion. */
  readonly chosenDiff: Float32Array;
  /** `m-`: `D-` tokens of the rejected completion. */
  readonly rejectedDiff: Float32Array;
}

/** Options of {@link buildPairMasks}. */
export interface BuildPairMasksOptions {
  /** Tokens of the chosen completion text, without EOS (what `masks.chosen` indexes). */
  readonly chosenTextTokens: number;
  /** Tokens of the rejected completion text, without EOS. */
  readonly rejectedTextTokens: number;
  /** Stored spans of the pair. */
  readonly masks: Pick<PairMasks, "chosen" | "rejected">;
  /**
   * Completion tokens kept on the chosen side after truncation, EOS included.
   * @default {chosenTextTokens + 1}
   */
  readonly chosenKept?: number;
  /**
   * Completion tokens kept on the rejected side after truncation, EOS included.
   * @default {rejectedTextTokens + 1}
   */
  readonly rejectedKept?: number;
  /**
   * Name used in error messages.
   * @default {"pair"}
   */
  readonly where?: string;
}

/**
 * Builds every mask a loss variant can use for one pair: the full completion masks (`m = 1`,
 * EOS included) and the diff masks from the stored spans. Spans never cover EOS; the empty-`D-`
 * policy and diff-augmentation are already part of the stored spans (lib/diff builds them).
 * Which masks a variant uses is fixed by the variant's loss function (lib/loss/mod.ts).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { buildPairMasks } from "./pair_masks.ts";
 * const m = buildPairMasks({
 *   chosenTextTokens: 3, rejectedTextTokens: 2, masks: { chosen: [[0, 1]], rejected: [] },
 * });
 * deepStrictEqual(Array.from(m.chosen), [1, 1, 1, 1]);
 * deepStrictEqual(Array.from(m.chosenDiff), [1, 0, 0, 0]);
 * deepStrictEqual(Array.from(m.rejectedDiff), [0, 0, 0]);
 * ```
 */
export function buildPairMasks(options: BuildPairMasksOptions): PairTokenMasks {
  const where = options.where ?? "pair";
  const chosenKept = options.chosenKept ?? options.chosenTextTokens + 1;
  const rejectedKept = options.rejectedKept ?? options.rejectedTextTokens + 1;
  const full = (kept: number, total: number, side: string): Float32Array => {
    if (!Number.isInteger(kept) || kept < 1 || kept > total) {
      throw new Error(`${where} ${side}: kept tokens must be in [1, ${total}], found ${kept}`);
    }
    return new Float32Array(kept).fill(1);
  };
  return {
    chosen: full(chosenKept, options.chosenTextTokens + 1, "chosen"),
    rejected: full(rejectedKept, options.rejectedTextTokens + 1, "rejected"),
    chosenDiff: spanMask({
      length: options.chosenTextTokens + 1,
      spans: options.masks.chosen,
      keep: chosenKept,
      where: `${where} chosen`,
    }),
    rejectedDiff: spanMask({
      length: options.rejectedTextTokens + 1,
      spans: options.masks.rejected,
      keep: rejectedKept,
      where: `${where} rejected`,
    }),
  };
}
