import assert from "node:assert/strict";
import {
  type BpeTokenizer,
  SPECIAL_TOKENS,
  tokenizerFromJson,
  trainTokenizer,
} from "../../lib/model/mod.ts";

const CORPUS = [
  "def add(a, b):\n    return a + b\n",
  "def sub(a, b):\n    return a - b\n",
  "def mul(a, b):\n    # multiply\n    return a * b\n",
];

/** mulberry32, for reproducible random strings. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random well-formed string mixing ASCII, code, Latin-1, CJK, combining marks, emoji, specials. */
function randomText(r: () => number): string {
  const pieces = [
    () => String.fromCharCode(32 + Math.floor(r() * 95)),
    () =>
      ["def ", "return", "    ", "\n", "\t", "==", "(x)", "<|endoftext|>", "<|eos|>"][
        Math.floor(r() * 9)
      ],
    () => String.fromCodePoint(0xa0 + Math.floor(r() * 0x560)), // Latin-1 … Armenian (2 bytes)
    () => String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5000)), // CJK (3 bytes)
    () => "e\u0301", // combining acute
    () => String.fromCodePoint(0x1f300 + Math.floor(r() * 0x300)), // emoji (4 bytes, surrogates)
    () => String.fromCodePoint(0x10000 + Math.floor(r() * 0xfff0)), // other astral
    () => "\u200d\ufeff\r\n",
  ];
  const n = Math.floor(r() * 40);
  let s = "";
  for (let i = 0; i < n; i++) s += pieces[Math.floor(r() * pieces.length)]();
  return s;
}

/** Check the offset contract documented in lib/model/tokenizer.ts. */
function checkOffsets(tok: BpeTokenizer, text: string): void {
  const { ids, offsets } = tok.encodeWithOffsets(text);
  assert.equal(ids.length, offsets.length);
  if (text.length === 0) {
    assert.equal(ids.length, 0);
    return;
  }
  assert.equal(offsets[0][0], 0);
  assert.equal(offsets[offsets.length - 1][1], text.length);
  const enc = new TextEncoder();
  for (let i = 0; i < offsets.length; i++) {
    const [s, e] = offsets[i];
    assert.ok(s < e, `token ${i} has empty range [${s}, ${e})`);
    // The token's bytes lie inside the UTF-8 of the characters it covers.
    const covered = enc.encode(text.slice(s, e));
    const bytes = tok.tokenBytes(ids[i]);
    assert.ok(bytes.length <= covered.length);
    if (i + 1 < offsets.length) {
      const [s2] = offsets[i + 1];
      if (s2 !== e) {
        // Overlap of exactly one (split) character.
        assert.ok(s2 < e, `gap between token ${i} and ${i + 1}`);
        assert.equal([...text.slice(s2, e)].length, 1, `overlap of more than one character`);
      }
    }
  }
}

Deno.test("vocabulary layout: specials, 256 bytes, then merged tokens by count", async () => {
  const tok = await trainTokenizer(CORPUS, { minCount: 2 });
  assert.deepEqual([tok.padId, tok.bosId, tok.eosId], [0, 1, 2]);
  assert.deepEqual(SPECIAL_TOKENS, ["<|pad|>", "<|bos|>", "<|eos|>"]);
  assert.deepEqual([...tok.tokenBytes(3)], [0x00]);
  assert.deepEqual([...tok.tokenBytes(258)], [0xff]);
  // "def" (3x), " return" (3x), " a" and " b" (6x) are kept; "# multiply" parts (1x) are not.
  const text = (id: number) => new TextDecoder().decode(tok.tokenBytes(id));
  const merged = Array.from({ length: tok.vocabSize - 259 }, (_, i) => text(259 + i));
  for (const t of ["def", " return", " a", " b", "):\n"]) assert.ok(merged.includes(t), t);
  assert.ok(!merged.includes(" multiply"));
  // Most frequent first: " a"/" b" (6 each) come before "def" (3).
  assert.ok(merged.indexOf(" a") < merged.indexOf("def"));
  assert.match(tok.id, /^bpe-cl100k-compact-v1:[0-9a-f]{16}$/);
});

Deno.test("unseen tokens fall back to UTF-8 bytes; seen tokens stay whole", async () => {
  const tok = await trainTokenizer(CORPUS, { minCount: 2 });
  const def = tok.encode("def")[0];
  assert.ok(def >= 259);
  assert.deepEqual(tok.encode("def"), [def]);
  // "é" is two bytes c3 a9: two byte tokens, each covering the whole character.
  const e = tok.encodeWithOffsets("é");
  assert.deepEqual(e.ids, [3 + 0xc3, 3 + 0xa9]);
  assert.deepEqual(e.offsets, [[0, 1], [0, 1]]);
  // "🙂" is 4 bytes f0 9f 99 82 and 2 UTF-16 code units.
  const smile = tok.encodeWithOffsets("x🙂");
  assert.deepEqual(smile.ids, [3 + 0x78, 3 + 0xf0, 3 + 0x9f, 3 + 0x99, 3 + 0x82]);
  assert.deepEqual(smile.offsets, [[0, 1], [1, 3], [1, 3], [1, 3], [1, 3]]);
  assert.equal(tok.decode(smile.ids), "x🙂");
});

Deno.test("offsets tile the text for ASCII code", async () => {
  const tok = await trainTokenizer(CORPUS, { minCount: 2 });
  const text = "def add(x, y):\n    return x + y\n";
  const { ids, offsets } = tok.encodeWithOffsets(text);
  const pieces = offsets.map(([s, e]) => text.slice(s, e));
  assert.equal(pieces.join(""), text);
  assert.deepEqual(pieces.map((_, i) => tok.decode([ids[i]])), pieces);
  assert.equal(pieces[0], "def");
});

Deno.test("property: decode(encode(s)) === s and offsets obey the contract (400 random strings)", async () => {
  const tok = await trainTokenizer(CORPUS, { minCount: 1 });
  const r = rng(42);
  for (let i = 0; i < 400; i++) {
    const s = randomText(r);
    assert.equal(tok.decode(tok.encode(s)), s, JSON.stringify(s));
    checkOffsets(tok, s);
  }
});

Deno.test("special-token text is ordinary text; special ids decode to names or nothing", async () => {
  const tok = await trainTokenizer(CORPUS);
  const s = "a<|endoftext|>b<|eos|>";
  const ids = tok.encode(s);
  assert.ok(!ids.includes(tok.eosId) && !ids.includes(tok.bosId) && !ids.includes(tok.padId));
  assert.equal(tok.decode(ids), s);
  const x = tok.encode("def");
  assert.equal(tok.decode([tok.bosId, ...x, tok.eosId]), "<|bos|>def<|eos|>");
  assert.equal(tok.decode([tok.bosId, ...x, tok.eosId, tok.padId], { skipSpecial: true }), "def");
});

Deno.test("invalid input: lone surrogates and out-of-range ids are rejected by name", async () => {
  const tok = await trainTokenizer(CORPUS);
  assert.throws(() => tok.encode("ab\ud800c"), /lone UTF-16 surrogate at index 2 \(0xd800\)/);
  assert.throws(() => tok.decode([tok.vocabSize]), new RegExp(`token id ${tok.vocabSize} outside`));
  await assert.rejects(
    () => trainTokenizer(["ok", "\udc00"]),
    /corpus document 1 has a lone UTF-16 surrogate at index 0/,
  );
});

Deno.test("minCount and maxVocabSize bound the vocabulary", async () => {
  const all = await trainTokenizer(CORPUS, { minCount: 1 });
  const two = await trainTokenizer(CORPUS, { minCount: 2 });
  const capped = await trainTokenizer(CORPUS, { minCount: 1, maxVocabSize: 262 });
  assert.ok(all.vocabSize > two.vocabSize);
  assert.equal(capped.vocabSize, 262);
  // The cap keeps the three most frequent merged tokens of the uncapped vocabulary.
  for (let id = 259; id < 262; id++) assert.deepEqual(capped.tokenBytes(id), all.tokenBytes(id));
  await assert.rejects(() => trainTokenizer(CORPUS, { minCount: 0 }), /minCount .* found 0/);
  await assert.rejects(() => trainTokenizer(CORPUS, { maxVocabSize: 100 }), /at least 259/);
});

Deno.test("toJSON / tokenizerFromJson round-trip keeps the id and the encoding", async () => {
  const tok = await trainTokenizer(CORPUS);
  const copy = await tokenizerFromJson(JSON.parse(JSON.stringify(tok)));
  assert.equal(copy.id, tok.id);
  assert.equal(copy.vocabSize, tok.vocabSize);
  const text = "def add(a, b):\n    return a + b  # 🙂\n";
  assert.deepEqual(copy.encodeWithOffsets(text), tok.encodeWithOffsets(text));
  const other = await trainTokenizer(CORPUS, { minCount: 1 });
  assert.notEqual(other.id, tok.id);
  const o200k = await trainTokenizer(CORPUS, { base: "o200k_base" });
  assert.match(o200k.id, /^bpe-o200k-compact-v1:/);
  assert.equal(o200k.decode(o200k.encode(text)), text);
  await assert.rejects(
    () => tokenizerFromJson({ format: "wordpiece" }),
    /expected format "bpe-compact-v1", found "wordpiece"/,
  );
  await assert.rejects(
    () => tokenizerFromJson({ format: "bpe-compact-v1", base: "p50k_base", tokens: [] }),
    /expected base "cl100k_base" or "o200k_base", found "p50k_base"/,
  );
});
