import assert from "node:assert/strict";
import type { Hunk, PairDiff } from "../../lib/core/mod.ts";
import {
  drawContextLines,
  expandRejectedLines,
  resolveContextLines,
} from "../../lib/diff/context.ts";
import { planRejectedLines } from "../../lib/diff/empty_rejected.ts";
import { lineDiff } from "../../lib/diff/line_diff.ts";
import { chosenMaskSpans, rejectedMaskSpans } from "../../lib/diff/pair_masks.ts";
import {
  anchorTokenSpans,
  denseToSpans,
  lineTokenSpans,
  spansToDense,
} from "../../lib/diff/token_mask.ts";
import type { OffsetTokenizer } from "../../lib/core/mod.ts";

/** Hand-made tokenizer: each token is a run of whitespace plus the next run of non-space. */
const wsTokenizer: OffsetTokenizer = {
  id: "test-ws",
  encodeWithOffsets(text) {
    const offsets: [number, number][] = [];
    for (const m of text.matchAll(/\s*\S+|\s+/g)) offsets.push([m.index, m.index + m[0].length]);
    return { ids: offsets.map((_, i) => i), offsets };
  },
};

// Lines: [0,7) "x = 1\r\n", [7,18) "y = 'é😀'\r\n" (😀 is 2 UTF-16 units), [18,23) "z = 3".
// Tokens: "x"[0,1] " ="[1,3] " 1"[3,5] "\r\ny"[5,8] " ="[8,10] " 'é😀'"[10,16] "\r\nz"[16,19]
//         " ="[19,21] " 3"[21,23]
const TEXT = "x = 1\r\ny = 'é😀'\r\nz = 3";

Deno.test("hand tokenizer offsets are as documented in the comment", () => {
  assert.deepEqual(wsTokenizer.encodeWithOffsets(TEXT).offsets, [
    [0, 1],
    [1, 3],
    [3, 5],
    [5, 8],
    [8, 10],
    [10, 16],
    [16, 19],
    [19, 21],
    [21, 23],
  ]);
});

Deno.test("token masks: tokens straddling CRLF newlines, non-ASCII, last line without newline", () => {
  const tokens = wsTokenizer.encodeWithOffsets(TEXT);
  assert.deepEqual(lineTokenSpans(TEXT, [0], tokens), [[0, 4]]);
  assert.deepEqual(lineTokenSpans(TEXT, [1], tokens), [[3, 7]]);
  assert.deepEqual(lineTokenSpans(TEXT, [2], tokens), [[6, 9]]);
  assert.deepEqual(lineTokenSpans(TEXT, [0, 2], tokens), [[0, 4], [6, 9]]);
  assert.deepEqual(lineTokenSpans(TEXT, [2, 1, 1], tokens), [[3, 9]]);
  assert.deepEqual(lineTokenSpans(TEXT, [], tokens), []);
  assert.deepEqual(spansToDense(lineTokenSpans(TEXT, [0, 2], tokens), 9), [
    1,
    1,
    1,
    1,
    0,
    0,
    1,
    1,
    1,
  ]);
  assert.throws(() => lineTokenSpans(TEXT, [3], tokens), /line 3 is outside the text's 3 lines/);
});

Deno.test("token masks: a token ending exactly at a line start does not overlap it", () => {
  // "ab\ncd": line 1 is [3,5). Token "ab\n" = [0,3) ends where line 1 starts: not in its mask.
  const tokens = { ids: [0, 1, 2], offsets: [[0, 3], [3, 4], [4, 5]] as [number, number][] };
  assert.deepEqual(lineTokenSpans("ab\ncd", [1], tokens), [[1, 3]]);
  // The newline belongs to line 0, so a token made of only "\n" is in line 0's mask.
  const nl = { ids: [0, 1, 2], offsets: [[0, 2], [2, 3], [3, 5]] as [number, number][] };
  assert.deepEqual(lineTokenSpans("ab\ncd", [0], nl), [[0, 2]]);
  // A zero-width token overlaps nothing.
  const zw = { ids: [0, 1], offsets: [[0, 0], [0, 2]] as [number, number][] };
  assert.deepEqual(lineTokenSpans("ab", [0], zw), [[1, 2]]);
});

Deno.test("spansToDense rejects unsorted or out-of-range spans; denseToSpans inverts it", () => {
  assert.throws(() => spansToDense([[2, 3], [0, 1]], 4), /span \[0,1\] is not a sorted/);
  assert.throws(() => spansToDense([[2, 5]], 4), /inside \[0, 4\)/);
  assert.deepEqual(denseToSpans(spansToDense([[0, 2], [3, 4]], 5)), [[0, 2], [3, 4]]);
});

const hunk = (rs: number, re: number, cs: number, ce: number): Hunk => ({
  rejectedStart: rs,
  rejectedEnd: re,
  chosenStart: cs,
  chosenEnd: ce,
});

Deno.test("context expansion by k lines, clipped at both ends", () => {
  const hunks = [hunk(0, 1, 0, 1), hunk(4, 5, 4, 5), hunk(9, 10, 9, 9)];
  assert.deepEqual(expandRejectedLines(hunks, 10, 0), [0, 4, 9]);
  assert.deepEqual(expandRejectedLines(hunks, 10, 1), [0, 1, 3, 4, 5, 8, 9]);
  assert.deepEqual(expandRejectedLines(hunks, 10, 2), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.throws(() => expandRejectedLines(hunks, 10, -1), /non-negative integer, got -1/);
  assert.throws(() => resolveContextLines(1.5, Math.random), /got 1.5/);
});

Deno.test("random1to2 is drawn once per pair and seed, and takes both values", () => {
  const ks = Array.from({ length: 200 }, (_, i) => drawContextLines("random1to2", 3, `t${i}`));
  assert.deepEqual(new Set(ks), new Set([1, 2]));
  const again = Array.from({ length: 200 }, (_, i) => drawContextLines("random1to2", 3, `t${i}`));
  assert.deepEqual(again, ks);
  const otherSeed = Array.from(
    { length: 200 },
    (_, i) => drawContextLines("random1to2", 4, `t${i}`),
  );
  assert.notDeepEqual(otherSeed, ks);
  assert.equal(drawContextLines(5, 3, "t0"), 5);
});

const insertion = (hunks: Hunk[]): PairDiff => ({
  method: "lcs",
  rejectedLines: [],
  chosenLines: hunks.flatMap((h) =>
    Array.from({ length: h.chosenEnd - h.chosenStart }, (_, i) => h.chosenStart + i)
  ),
  hunks,
});

Deno.test("empty D- policies: keep, drop and the three anchor cases", () => {
  const mid = insertion([hunk(1, 1, 1, 3)]);
  assert.deepEqual(planRejectedLines(mid, 3, "keep"), {
    case: "keep",
    lines: [],
    anchorLine: null,
  });
  assert.deepEqual(planRejectedLines(mid, 3, "drop"), {
    case: "drop",
    lines: [],
    anchorLine: null,
  });
  assert.deepEqual(planRejectedLines(mid, 3, "anchor"), {
    case: "anchor-insertion",
    lines: [],
    anchorLine: 1,
  });
  const atEnd = insertion([hunk(3, 3, 3, 4)]);
  assert.deepEqual(planRejectedLines(atEnd, 3, "anchor"), {
    case: "anchor-last-line",
    lines: [],
    anchorLine: 2,
  });
  assert.equal(planRejectedLines(insertion([]), 3, "anchor").case, "anchor-none");
  assert.equal(planRejectedLines(insertion([hunk(0, 0, 0, 2)]), 0, "anchor").case, "anchor-none");
  const nonEmpty: PairDiff = { method: "lcs", rejectedLines: [2], chosenLines: [], hunks: [] };
  assert.deepEqual(planRejectedLines(nonEmpty, 3, "drop"), {
    case: "non-empty",
    lines: [2],
    anchorLine: null,
  });
});

Deno.test("rejectedMaskSpans: D- tokens, context, and the anchor token on a pure insertion", () => {
  const rejected = "def f(x):\n    y = x\n    return y\n";
  const chosen = "def f(x):\n    y = x\n    y = abs(y)\n    return y\n";
  const tokens = wsTokenizer.encodeWithOffsets(rejected);
  // Tokens: "def"[0,3] " f(x):"[3,9] "\n    y"[9,15] " ="[15,17] " x"[17,19]
  //         "\n    return"[19,30] " y"[30,32] "\n"[32,33]
  assert.equal(tokens.offsets.length, 8);
  const diff = lineDiff(rejected, chosen, "lcs");
  assert.deepEqual(diff.rejectedLines, []);
  assert.deepEqual(rejectedMaskSpans(rejected, diff, tokens), { spans: [], case: "keep" });
  assert.deepEqual(rejectedMaskSpans(rejected, diff, tokens, { emptyRejected: "drop" }), {
    spans: [],
    case: "drop",
  });
  // Inserted before rejected line 2 ("    return y", chars [20,33)): its first token is token 5
  // ("\n    return" = [19,30), which starts on line 1 but overlaps line 2).
  assert.deepEqual(rejectedMaskSpans(rejected, diff, tokens, { emptyRejected: "anchor" }), {
    spans: [[5, 6]],
    case: "anchor-insertion",
  });
  assert.deepEqual(anchorTokenSpans(rejected, 0, tokens), [[0, 1]]);

  const fixed = "def f(x):\n    y = -x\n    return y\n";
  const d2 = lineDiff(rejected, fixed, "lcs");
  assert.deepEqual(d2.rejectedLines, [1]);
  // Line 1 = [10,20): tokens 2 [9,15), 3, 4 and 5 [19,30).
  assert.deepEqual(rejectedMaskSpans(rejected, d2, tokens), { spans: [[2, 6]], case: "non-empty" });
  // k=1 covers lines 0..2: every token.
  assert.deepEqual(rejectedMaskSpans(rejected, d2, tokens, { contextLines: 1 }).spans, [[0, 8]]);
  // Symmetric side: D+ of the fixed code.
  assert.deepEqual(
    chosenMaskSpans(fixed, d2, wsTokenizer.encodeWithOffsets(fixed)),
    [[2, 6]],
  );
});

Deno.test("token masks with o200k (npm:gpt-tokenizer) tokens that span line ends", async () => {
  const { decode, encode } = await import("gpt-tokenizer/encoding/o200k_base");
  // Offsets from per-token decoding; exact here because every token decodes to whole characters.
  const o200k: OffsetTokenizer = {
    id: "o200k",
    encodeWithOffsets(text) {
      const ids = encode(text);
      const offsets: [number, number][] = [];
      let at = 0;
      for (const id of ids) {
        const piece = decode([id]);
        offsets.push([at, at + piece.length]);
        at += piece.length;
      }
      assert.equal(at, text.length);
      return { ids, offsets };
    },
  };
  // Tokens: "def" " f" "(x" "):\n" "   " " y" " =" " x" " -" " " "1" "\n\n" "   " " return" " y" "\r\n"
  // Lines: [0,10) [10,24) [24,25) [25,39); "\n\n" = [23,25) ends line 1 and is all of line 2.
  const text = "def f(x):\n    y = x - 1\n\n    return y\r\n";
  const tokens = o200k.encodeWithOffsets(text);
  assert.equal(tokens.ids.length, 16);
  assert.deepEqual(lineTokenSpans(text, [0], tokens), [[0, 4]]);
  assert.deepEqual(lineTokenSpans(text, [1], tokens), [[4, 12]]);
  assert.deepEqual(lineTokenSpans(text, [2], tokens), [[11, 12]]);
  assert.deepEqual(lineTokenSpans(text, [3], tokens), [[12, 16]]);
  // Tokens: "s" " =" " '" "hé" "llo" "'\n" "t" " =" " " "2"; lines [0,12) [12,17) (no final newline).
  const text2 = "s = 'héllo'\nt = 2";
  const tokens2 = o200k.encodeWithOffsets(text2);
  assert.deepEqual(lineTokenSpans(text2, [0], tokens2), [[0, 6]]);
  assert.deepEqual(lineTokenSpans(text2, [1], tokens2), [[6, 10]]);
});
