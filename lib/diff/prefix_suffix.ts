/**
 * The prefix/suffix diff of the paper's Appendix C.7 ablation.
 *
 * @module
 */
import type { MatchingBlock } from "./matching_blocks.ts";

/**
 * Matching blocks that keep only the common prefix and the common suffix of `a` and `b`; every
 * line between them is changed. The suffix never overlaps the prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixSuffixMatchingBlocks } from "./prefix_suffix.ts";
 * assert.deepEqual(prefixSuffixMatchingBlocks(["a", "x", "b", "c"], ["a", "b", "y", "c"]), [
 *   { a: 0, b: 0, size: 1 },
 *   { a: 3, b: 3, size: 1 },
 * ]);
 * ```
 */
export function prefixSuffixMatchingBlocks(
  a: readonly string[],
  b: readonly string[],
): MatchingBlock[] {
  const limit = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < limit - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) suffix++;
  const blocks: MatchingBlock[] = [];
  if (prefix > 0) blocks.push({ a: 0, b: 0, size: prefix });
  if (suffix > 0) blocks.push({ a: a.length - suffix, b: b.length - suffix, size: suffix });
  return blocks;
}
