/**
 * Line diffs between chosen and rejected code, critical lines, context lines and token masks
 * (DESIGN §1.2, §2, §3).
 *
 * @module
 */
export type { OffsetTokenizer, TokenizedText } from "../core/mod.ts";
export { type LineSpan, lineTexts, splitLines } from "./lines.ts";
export { type MatchingBlock, pairDiffFromBlocks } from "./matching_blocks.ts";
export { type Opcode, SequenceMatcher, type SequenceMatcherOptions } from "./sequence_matcher.ts";
export { lcsMatchingBlocks } from "./lcs.ts";
export { prefixSuffixMatchingBlocks } from "./prefix_suffix.ts";
export { diffLineLists, lineDiff, matchLines } from "./line_diff.ts";
export {
  type ContextSpec,
  drawContextLines,
  expandChosenLines,
  expandRejectedLines,
  resolveContextLines,
} from "./context.ts";
export { planRejectedLines, policyOfCase, type RejectedLinePlan } from "./empty_rejected.ts";
export {
  anchorTokenSpans,
  denseToSpans,
  lineTokenSpans,
  mergeSpans,
  spansToDense,
} from "./token_mask.ts";
export {
  chosenMaskSpans,
  type MaskOptions,
  type RejectedMask,
  rejectedMaskSpans,
} from "./pair_masks.ts";
