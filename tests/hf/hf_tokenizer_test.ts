/**
 * The kit's HfTokenizer (npm `tokenizers`) against Python `tokenizers` on 1,200 strings (code,
 * CRLF, tabs, non-ASCII, emoji): identical ids, and offsets equal to Python's code-point offsets
 * converted to UTF-16 by Python, for a Qwen2-style byte-level BPE and a Llama-style BPE whose
 * post-processor adds a BOS token, both built in the test (testing/hf_peer/make_tokenizers.py).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { codePointToUtf16, HfTokenizer, ModelFileError } from "../../lib/hf/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

interface Expected {
  readonly strings: string[];
  readonly [tokenizer: string]: { ids: number[]; offsets: [number, number][] }[] | string[];
}

for (const name of ["qwen2", "llama"]) {
  Deno.test(`HfTokenizer (${name}-style): ids and UTF-16 offsets equal Python tokenizers on 1,200 strings`, async () => {
    const dir = await hfPeerOutput("tokenizers");
    const expected: Expected = JSON.parse(await Deno.readTextFile(join(dir, "expected.json")));
    const rows = expected[name] as { ids: number[]; offsets: [number, number][] }[];
    const tok = await HfTokenizer.fromFile(join(dir, name, "tokenizer.json"));
    assert.ok(expected.strings.length >= 1000);
    let nonAscii = 0;
    for (const [i, text] of expected.strings.entries()) {
      const enc = await tok.encode(text);
      assert.deepEqual(enc.ids, rows[i].ids, `string ${i} ${JSON.stringify(text)}: ids`);
      assert.deepEqual(
        enc.offsets,
        rows[i].offsets,
        `string ${i} ${JSON.stringify(text)}: offsets`,
      );
      if ([...text].some((c) => c.codePointAt(0)! > 0x7f)) nonAscii++;
    }
    assert.ok(nonAscii > 500, `only ${nonAscii} strings exercise non-ASCII offsets`);
    if (name === "llama") {
      const enc = await tok.encode("def f():");
      assert.equal(enc.ids[0], tok.tokenToId("<s>"), "the BOS token first");
      assert.deepEqual(enc.offsets[0], [0, 0]);
      const plain = await tok.encode("def f():", { addSpecialTokens: false });
      assert.deepEqual(plain.ids, enc.ids.slice(1));
    }
  });
}

Deno.test("codePointToUtf16: an emoji is two code units, a lone surrogate one", () => {
  assert.deepEqual([...codePointToUtf16("a😀b")], [0, 1, 3, 4]);
  assert.deepEqual([...codePointToUtf16("\ud800x")], [0, 1, 2]);
  assert.deepEqual([...codePointToUtf16("")], [0]);
});

Deno.test("HfTokenizer: a tokenizer of an unknown model type names the file and model.type", async () => {
  const dir = await hfPeerOutput("tokenizers");
  const raw = JSON.parse(await Deno.readTextFile(join(dir, "qwen2", "tokenizer.json")));
  raw.model.type = "Byte2Vec";
  const bad = join(dir, "bad-tokenizer.json");
  await Deno.writeTextFile(bad, JSON.stringify(raw));
  const err = await HfTokenizer.fromFile(bad).then(() => null, (e) => e);
  assert.ok(err instanceof ModelFileError);
  assert.match(
    err.message,
    /bad-tokenizer\.json: field "model\.type": "Byte2Vec" is not a tokenizer model \(known: BPE, WordPiece, WordLevel, Unigram\)/,
  );
});
