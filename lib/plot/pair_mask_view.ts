/**
 * A codeflow pair with its stored token masks, as the input of `pairMaskHtml`.
 *
 * @module
 */
import type { OffsetTokenizer, Pair, PairCompletions } from "../core/mod.ts";
import type { PairMaskView } from "./mask_html.ts";

/**
 * The view of `pair` for `pairMaskHtml`: both completions tokenised by `tokenizer` (which must be
 * the tokenizer the masks were computed with: its `id` must equal `pair.masks.tokenizer`), the
 * stored `D+` / `D-` spans, the prompt, and the task id with the iterations as title.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairMaskView } from "./pair_mask_view.ts";
 * const chars = {
 *   id: "chars",
 *   encodeWithOffsets: (text: string) => ({
 *     ids: [...text].map((c) => c.charCodeAt(0)),
 *     offsets: [...text].map((_, i) => [i, i + 1] as const),
 *   }),
 * };
 * const view = pairMaskView({
 *   taskId: "t1", prompt: "p", chosen: "a+b", rejected: "a-b", chosenIteration: 1,
 *   rejectedIteration: 0, masks: { tokenizer: "chars", chosen: [[1, 2]], rejected: [[1, 2]] },
 * }, chars);
 * assert.equal(view.title, "t1 (y- from iteration 0, y+ from iteration 1)");
 * assert.deepEqual(view.rejected.spans, [[1, 2]]);
 * assert.deepEqual(view.chosen.offsets[2], [2, 3]);
 * ```
 */
export function pairMaskView(
  pair:
    & Pick<
      Pair,
      | "taskId"
      | "prompt"
      | "chosen"
      | "rejected"
      | "chosenIteration"
      | "rejectedIteration"
      | "masks"
    >
    & { readonly completion?: Pick<PairCompletions, "chosen" | "rejected"> },
  tokenizer: OffsetTokenizer,
): PairMaskView {
  if (pair.masks === undefined) {
    throw new Error(
      `pairMaskView: pair ${pair.taskId} has no token masks (build it with a tokenizer)`,
    );
  }
  if (pair.masks.tokenizer !== tokenizer.id) {
    throw new Error(
      `pairMaskView: pair ${pair.taskId}: expected masks of tokenizer "${tokenizer.id}", found ` +
        `"${pair.masks.tokenizer}"`,
    );
  }
  // The masks index the completions' tokens (records without `completion`: the full code's).
  const { chosen, rejected } = pair.completion ?? pair;
  return {
    title:
      `${pair.taskId} (y- from iteration ${pair.rejectedIteration}, y+ from iteration ${pair.chosenIteration})`,
    prompt: pair.prompt,
    chosen: {
      text: chosen,
      offsets: tokenizer.encodeWithOffsets(chosen).offsets,
      spans: pair.masks.chosen,
    },
    rejected: {
      text: rejected,
      offsets: tokenizer.encodeWithOffsets(rejected).offsets,
      spans: pair.masks.rejected,
    },
  };
}
