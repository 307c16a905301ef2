import assert from "node:assert/strict";
import { pairMaskHtml } from "../../lib/plot/mod.ts";
import { pairMaskView } from "../../lib/plot/pair_mask_view.ts";

/** One token per whitespace-separated word, with its character range. */
const words = {
  id: "words",
  encodeWithOffsets(text: string) {
    const offsets: (readonly [number, number])[] = [];
    for (const m of text.matchAll(/\S+/g)) offsets.push([m.index, m.index + m[0].length]);
    return { ids: offsets.map((_, i) => i), offsets };
  },
};

const PAIR = {
  taskId: "mf-7",
  prompt: "def f(x):\n",
  chosen: "    y = x + 1\n    return y\n",
  rejected: "    y = x - 1\n    return y\n",
  chosenIteration: 2,
  rejectedIteration: 0,
  masks: { tokenizer: "words", chosen: [[0, 5]] as const, rejected: [[0, 5]] as const },
};

Deno.test("pairMaskView: tokenises both sides, keeps the stored spans, titles the pair", () => {
  const view = pairMaskView(PAIR, words);
  assert.equal(view.title, "mf-7 (y- from iteration 0, y+ from iteration 2)");
  assert.equal(view.prompt, "def f(x):\n");
  // "    y = x - 1\n    return y\n": y [4,5) = [6,7) x [8,9) - [10,11) 1 [12,13) return [18,24) y [25,26)
  assert.deepEqual(view.rejected.offsets, [[4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [18, 24], [
    25,
    26,
  ]]);
  assert.deepEqual(view.rejected.spans, [[0, 5]]);
  assert.equal(view.chosen.text, PAIR.chosen);
  const html = pairMaskHtml(view);
  assert.ok(html.includes("tdpo-mask-rejected") && html.includes("mf-7"));
});

Deno.test("pairMaskView: masks of another tokenizer, or none, are rejected by name", () => {
  assert.throws(
    () => pairMaskView({ ...PAIR, masks: { ...PAIR.masks, tokenizer: "o200k" } }, words),
    /pair mf-7: expected masks of tokenizer "words", found "o200k"/,
  );
  assert.throws(
    () => pairMaskView({ ...PAIR, masks: undefined }, words),
    /pairMaskView: pair mf-7 has no token masks/,
  );
});
