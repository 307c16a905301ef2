/**
 * Critical lines of a (chosen, rejected) pair with one of the three diff methods (DESIGN §1.2, §3).
 *
 * @module
 */
import type { DiffMethod, PairDiff } from "../core/mod.ts";
import { lcsMatchingBlocks } from "./lcs.ts";
import { lineTexts } from "./lines.ts";
import { type MatchingBlock, pairDiffFromBlocks } from "./matching_blocks.ts";
import { prefixSuffixMatchingBlocks } from "./prefix_suffix.ts";
import { SequenceMatcher } from "./sequence_matcher.ts";

/**
 * Matching blocks of `rejected` (first sequence) against `chosen` (second sequence):
 * - `lcs`: a minimal edit script (Myers, `npm:diff`), i.e. a longest common subsequence;
 * - `ratcliff`: `difflib.SequenceMatcher(None, rejected, chosen)` (autojunk on, as in difflib);
 * - `prefix-suffix`: the common prefix and suffix only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchLines } from "./line_diff.ts";
 * const a = ["if a:", "pass", "if a:"], b = ["pass", "", "if a:"];
 * assert.equal(matchLines(a, b, "ratcliff").reduce((s, m) => s + m.size, 0), 1);
 * assert.equal(matchLines(a, b, "lcs").reduce((s, m) => s + m.size, 0), 2);
 * ```
 */
export function matchLines(
  rejected: readonly string[],
  chosen: readonly string[],
  method: DiffMethod,
): readonly MatchingBlock[] {
  switch (method) {
    case "lcs":
      return lcsMatchingBlocks(rejected, chosen);
    case "ratcliff":
      return new SequenceMatcher(rejected, chosen).getMatchingBlocks();
    case "prefix-suffix":
      return prefixSuffixMatchingBlocks(rejected, chosen);
    default: {
      const never: never = method;
      throw new TypeError(`unknown diff method ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Critical lines and hunks between two line lists (already split). `D-` (`rejectedLines`) are the
 * rejected lines outside the matched subsequence and `D+` (`chosenLines`) the chosen ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffLineLists } from "./line_diff.ts";
 * const d = diffLineLists(["a", "b", "c"], ["a", "B", "c", "d"], "lcs");
 * assert.deepEqual(d.rejectedLines, [1]);
 * assert.deepEqual(d.chosenLines, [1, 3]);
 * ```
 */
export function diffLineLists(
  rejected: readonly string[],
  chosen: readonly string[],
  method: DiffMethod,
): PairDiff {
  return pairDiffFromBlocks(
    matchLines(rejected, chosen, method),
    rejected.length,
    chosen.length,
    method,
  );
}

/**
 * Critical lines of a pair of code texts, cut into lines by {@linkcode lineTexts} (CRLF and LF
 * lines compare equal; the terminator is not part of the compared text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "./line_diff.ts";
 * const d = lineDiff("def f(x):\n    return x - 1\n", "def f(x):\n    return x + 1\n", "lcs");
 * assert.deepEqual(d.rejectedLines, [1]);
 * assert.deepEqual(d.hunks, [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }]);
 * ```
 */
export function lineDiff(rejected: string, chosen: string, method: DiffMethod): PairDiff {
  return diffLineLists(lineTexts(rejected), lineTexts(chosen), method);
}
