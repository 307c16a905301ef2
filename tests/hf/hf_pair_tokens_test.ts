/**
 * Target-DPO masks cut with a Hugging Face tokenizer (the Qwen2-style byte-level BPE and the
 * Llama-style BPE with a BOS of testing/hf_peer/make_tokenizers.py): a token is in `m-` exactly
 * when its character range (from the tokenizer's offsets) overlaps a `D-` line with its line
 * break, and in the `D+` mask exactly when it overlaps a `D+` line (with 0 and 1 context lines, so
 * the mask reaches the completion's first token, right after the prompt's last); byte-level ids
 * decode to the completion and the prompt.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { spansToDense } from "../../lib/diff/mod.ts";
import { lineDiff } from "../../lib/diff/mod.ts";
import { hfPreferenceExample, HfTokenizer } from "../../lib/hf/mod.ts";
import type { PreferenceRecord } from "../../lib/pipeline/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const PROMPT = 'def total(xs):\n    """Sum of xs, naïvely 😀."""\n';
const REJECTED = "    s = 0\r\n    for x in xs[1:]:\n        s -= x  # café\n    return s\n";
const CHOSEN = "    s = 0\r\n    for x in xs:\n        s += x  # café ✓\n    return s\n";

function record(contextLines: number): PreferenceRecord {
  return {
    schema: "pipeline.preference-pair/v1",
    taskId: "t/0",
    prompt: PROMPT,
    chosen: CHOSEN,
    rejected: REJECTED,
    chosenIteration: 1,
    rejectedIteration: 0,
    diff: lineDiff(REJECTED, CHOSEN, "lcs"),
    contextLines,
    emptyRejected: "non-empty",
    masks: { tokenizer: "kit", chosen: [], rejected: [] },
  };
}

/** `[start, end)` of each listed line of `text`, its line break included. */
function lineRanges(text: string, lines: readonly number[]): [number, number][] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\n/g)) starts.push(m.index! + m[0].length);
  return lines.map((l) => [starts[l], starts[l + 1] ?? text.length]);
}

/** Dense mask from first principles: token i overlaps one of `ranges`. */
function expectedMask(offsets: readonly (readonly [number, number])[], ranges: [number, number][]) {
  return offsets.map(([s, e]) => ranges.some(([a, b]) => s < b && e > a) ? 1 : 0);
}

for (const name of ["qwen2", "llama"]) {
  Deno.test(`hf masks (${name}-style tokenizer): m- and D+ are exactly the tokens overlapping the lines, at the boundary too`, async () => {
    const tok = await HfTokenizer.fromFile(
      join(await hfPeerOutput("tokenizers"), name, "tokenizer.json"),
    );
    for (const k of [0, 1]) {
      const r = record(k);
      const ex = await hfPreferenceExample(tok, r);
      const rej = await tok.encode(REJECTED, { addSpecialTokens: false });
      const cho = await tok.encode(CHOSEN, { addSpecialTokens: false });
      assert.deepEqual(ex.rejectedIds, rej.ids);
      assert.deepEqual(ex.chosenIds, cho.ids);
      const widen = (lines: readonly number[], n: number) =>
        [...new Set(lines.flatMap((l) => Array.from({ length: 2 * k + 1 }, (_, d) => l - k + d)))]
          .filter((l) => l >= 0 && l < n);
      const rejLines = widen(r.diff.rejectedLines, 4);
      const choLines = widen(r.diff.chosenLines, 4);
      assert.deepEqual(
        spansToDense(ex.rejectedSpans, rej.ids.length),
        expectedMask(rej.offsets, lineRanges(REJECTED, rejLines)),
        `k=${k}: m-`,
      );
      assert.deepEqual(
        spansToDense(ex.chosenSpans, cho.ids.length),
        expectedMask(cho.offsets, lineRanges(CHOSEN, choLines)),
        `k=${k}: D+`,
      );
      assert.ok(ex.rejectedSpans.length > 0 && ex.chosenSpans.length > 0);
      if (k === 1) {
        assert.equal(ex.rejectedSpans[0][0], 0, "k=1 widens m- to the completion's first token");
      }
    }
    const ex = await hfPreferenceExample(tok, record(0));
    if (name === "qwen2") {
      // Byte-level BPE round-trips every text.
      assert.equal(await tok.decode(ex.chosenIds), CHOSEN);
      assert.equal(await tok.decode(ex.promptIds), PROMPT);
    }
    const prompt = await tok.encode(PROMPT);
    assert.equal(prompt.offsets.at(-1)![1], PROMPT.length, "the prompt's tokens end where it ends");
    const bos = tok.tokenToId("<s>");
    assert.equal(ex.promptIds[0] === bos, name === "llama", "a Llama prompt starts with its BOS");
  });
}
