/**
 * Matching blocks: the common subsequence found by a line-diff method, and the critical lines and
 * hunks derived from it.
 *
 * @module
 */
import type { DiffMethod, Hunk, PairDiff } from "../core/mod.ts";

/**
 * `size` equal items starting at `a` in the first sequence (rejected) and `b` in the second
 * (chosen). This is difflib's `Match(a, b, size)`.
 */
export interface MatchingBlock {
  readonly a: number;
  readonly b: number;
  readonly size: number;
}

/**
 * Turn matching blocks (sorted, non-overlapping, no zero-size sentinel needed) into critical lines
 * and hunks. `D-` are the rejected indexes outside every block, `D+` the chosen ones, and each gap
 * between consecutive blocks that is non-empty on either side is one hunk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairDiffFromBlocks } from "./matching_blocks.ts";
 * const d = pairDiffFromBlocks([{ a: 0, b: 0, size: 1 }, { a: 2, b: 3, size: 1 }], 3, 4, "lcs");
 * assert.deepEqual(d.rejectedLines, [1]);
 * assert.deepEqual(d.chosenLines, [1, 2]);
 * assert.deepEqual(d.hunks, [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 3 }]);
 * ```
 */
export function pairDiffFromBlocks(
  blocks: readonly MatchingBlock[],
  rejectedLength: number,
  chosenLength: number,
  method: DiffMethod,
): PairDiff {
  const rejectedLines: number[] = [];
  const chosenLines: number[] = [];
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  const close = (ai: number, bj: number) => {
    if (ai < i || bj < j) {
      throw new RangeError(`matching blocks overlap or are unsorted at a=${ai}, b=${bj}`);
    }
    if (i < ai || j < bj) {
      hunks.push({ rejectedStart: i, rejectedEnd: ai, chosenStart: j, chosenEnd: bj });
      for (let x = i; x < ai; x++) rejectedLines.push(x);
      for (let y = j; y < bj; y++) chosenLines.push(y);
    }
  };
  for (const { a, b, size } of blocks) {
    if (size === 0) continue;
    close(a, b);
    i = a + size;
    j = b + size;
  }
  close(rejectedLength, chosenLength);
  return { method, chosenLines, rejectedLines, hunks };
}
