/**
 * Token masks of a pair, for the training variants of DESIGN §2.
 *
 * @module
 */
import type { EmptyRejectedCase, EmptyRejectedPolicy, PairDiff, TokenSpan } from "../core/mod.ts";
import { expandChosenLines, expandRejectedLines } from "./context.ts";
import { planRejectedLines } from "./empty_rejected.ts";
import { splitLines } from "./lines.ts";
import { anchorTokenSpans, lineTokenSpans } from "./token_mask.ts";
import type { TokenizedText } from "../core/mod.ts";

/** Options of {@linkcode rejectedMaskSpans} and {@linkcode chosenMaskSpans}. */
export interface MaskOptions {
  /**
   * Diff-augmentation: lines of context added before and after each hunk (already resolved; see
   * `drawContextLines` for `"random1to2"`).
   * @default 0
   */
  readonly contextLines?: number;
  /**
   * What to mark when `D-` is empty (rejected side only).
   * @default "keep"
   */
  readonly emptyRejected?: EmptyRejectedPolicy;
}

/** The rejected mask `m-` of a pair and the empty-`D-` case that produced it. */
export interface RejectedMask {
  readonly spans: readonly TokenSpan[];
  readonly case: EmptyRejectedCase;
}

/**
 * `m-` of Eq. 4-6: tokens of `rejected` overlapping `D-` (widened by `contextLines` around each
 * `D-` hunk); when `D-` is empty, the {@linkcode planRejectedLines} policy decides (the `drop`
 * case returns no spans: the caller removes the pair).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "./line_diff.ts";
 * import { rejectedMaskSpans } from "./pair_masks.ts";
 * const rejected = "a\nb\nc\n";
 * const diff = lineDiff(rejected, "a\nB\nc\n", "lcs");
 * // one token per character
 * const tokens = {
 *   ids: [...rejected].map((_, i) => i),
 *   offsets: [...rejected].map((_, i) => [i, i + 1] as [number, number]),
 * };
 * assert.deepEqual(rejectedMaskSpans(rejected, diff, tokens), { spans: [[2, 4]], case: "non-empty" });
 * assert.deepEqual(rejectedMaskSpans(rejected, diff, tokens, { contextLines: 1 }).spans, [[0, 6]]);
 * ```
 */
export function rejectedMaskSpans(
  rejected: string,
  diff: PairDiff,
  tokens: TokenizedText,
  options: MaskOptions = {},
): RejectedMask {
  const lineCount = splitLines(rejected).length;
  const plan = planRejectedLines(diff, lineCount, options.emptyRejected ?? "keep");
  if (plan.anchorLine !== null) {
    return { spans: anchorTokenSpans(rejected, plan.anchorLine, tokens), case: plan.case };
  }
  if (plan.case !== "non-empty") return { spans: [], case: plan.case };
  const lines = expandRejectedLines(diff.hunks, lineCount, options.contextLines ?? 0);
  return { spans: lineTokenSpans(rejected, lines, tokens), case: plan.case };
}

/**
 * Chosen-side mask for the symmetric ablation: tokens of `chosen` overlapping `D+`, widened by
 * `contextLines` around each `D+` hunk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "./line_diff.ts";
 * import { chosenMaskSpans } from "./pair_masks.ts";
 * const chosen = "a\nB\nc";
 * const tokens = { ids: [0, 1, 2], offsets: [[0, 2], [2, 4], [4, 5]] as [number, number][] };
 * assert.deepEqual(chosenMaskSpans(chosen, lineDiff("a\nb\nc", chosen, "lcs"), tokens), [[1, 2]]);
 * ```
 */
export function chosenMaskSpans(
  chosen: string,
  diff: PairDiff,
  tokens: TokenizedText,
  options: Pick<MaskOptions, "contextLines"> = {},
): TokenSpan[] {
  const lineCount = splitLines(chosen).length;
  const lines = expandChosenLines(diff.hunks, lineCount, options.contextLines ?? 0);
  return lineTokenSpans(chosen, lines, tokens);
}
