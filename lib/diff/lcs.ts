/**
 * Minimal line diff (a longest common subsequence) through `npm:diff`'s Myers implementation.
 *
 * @module
 */
import { diffArrays } from "diff";
import type { MatchingBlock } from "./matching_blocks.ts";

/**
 * Matching blocks of a minimal edit script between `a` and `b` (Myers' O(ND) algorithm as
 * implemented by `npm:diff`'s `diffArrays`). The matched items form a longest common subsequence,
 * so `a.length + b.length - 2 * matched` is the minimal number of line insertions and deletions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lcsMatchingBlocks } from "./lcs.ts";
 * assert.deepEqual(lcsMatchingBlocks(["if a:", "pass", "if a:"], ["pass", "", "if a:"]), [
 *   { a: 1, b: 0, size: 1 },
 *   { a: 2, b: 2, size: 1 },
 * ]);
 * ```
 */
export function lcsMatchingBlocks(a: readonly string[], b: readonly string[]): MatchingBlock[] {
  const blocks: MatchingBlock[] = [];
  let i = 0;
  let j = 0;
  for (const change of diffArrays(a as string[], b as string[])) {
    if (change.added) {
      j += change.count;
    } else if (change.removed) {
      i += change.count;
    } else {
      blocks.push({ a: i, b: j, size: change.count });
      i += change.count;
      j += change.count;
    }
  }
  return blocks;
}
