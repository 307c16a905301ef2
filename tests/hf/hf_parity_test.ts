/**
 * Parity with transformers (PyPI, torch on the CPU): tiny random Qwen2 and Llama models made by
 * transformers in the test (testing/hf_peer/make_tiny.py: float32 and bfloat16, two of them
 * sharded, one with DeepSeek's linear RoPE scaling) are loaded by the kit from their folders; the
 * logits of two prompts match transformers' within 1e-4, and greedy decoding of 32 tokens with the
 * key/value cache gives the same ids.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadHfModel } from "../../lib/hf/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const CASES = ["qwen2-f32", "qwen2-bf16-sharded", "llama-linear-f32", "llama-bf16-sharded"];

interface Reference {
  readonly prompts: number[][];
  readonly logits: number[];
  readonly shape: number[];
  readonly greedy: number[][];
}

for (const name of CASES) {
  Deno.test(`hf parity: ${name}: logits within 1e-4 of transformers, greedy 32 tokens identical`, async () => {
    await initBackend("wasm");
    const folder = join(await hfPeerOutput("tiny"), name);
    const ref: Reference = JSON.parse(await Deno.readTextFile(join(folder, "reference.json")));
    const model = await loadHfModel(folder);
    try {
      const ids = tf.tensor2d(ref.prompts, [ref.prompts.length, ref.prompts[0].length], "int32");
      const logits = model.logits(ids);
      assert.deepEqual(logits.shape, ref.shape);
      const ours = await logits.data();
      ids.dispose();
      logits.dispose();
      let maxDiff = 0;
      ref.logits.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - ours[i]))));
      console.log(`${name}: max |logit difference| ${maxDiff.toExponential(2)}`);
      assert.ok(maxDiff <= 1e-4, `${name}: max |logit difference| ${maxDiff} > 1e-4`);
      assert.deepEqual(await model.greedy(ref.prompts, 32), ref.greedy);
    } finally {
      model.dispose();
    }
  });
}

Deno.test("hf batching: prompts of different lengths decoded in one left-padded batch give each prompt's own ids and logits", async () => {
  await initBackend("wasm");
  const folder = join(await hfPeerOutput("tiny"), "qwen2-f32");
  const ref: Reference = JSON.parse(await Deno.readTextFile(join(folder, "reference.json")));
  const model = await loadHfModel(folder);
  try {
    const prompts = [ref.prompts[0], ref.prompts[1].slice(0, 5), ref.prompts[0].slice(3, 4)];
    const alone = [];
    for (const p of prompts) alone.push((await model.greedy([p], 20))[0]);
    assert.deepEqual(await model.greedy(prompts, 20), alone);
    assert.deepEqual(
      alone[0],
      ref.greedy[0].slice(0, 20),
      "the full prompt still matches transformers",
    );
    // The last-position logits of each row, padded or not.
    const t = prompts[0].length;
    const padded = prompts.map((p) => [...new Array(t - p.length).fill(0), ...p]);
    const ids = tf.tensor2d(padded, [prompts.length, t], "int32");
    const { logits, cache } = model.forward(ids, { pads: prompts.map((p) => t - p.length) });
    const batched = await logits.data();
    tf.dispose([ids, logits, ...cache.keys, ...cache.values]);
    const v = model.config.vocabSize;
    for (const [i, p] of prompts.entries()) {
      const one = tf.tensor2d([p], [1, p.length], "int32");
      const own = model.logits(one);
      const row = (await own.data()).subarray((p.length - 1) * v, p.length * v);
      tf.dispose([one, own]);
      const last = batched.subarray((i * t + t - 1) * v, (i * t + t) * v);
      let d = 0;
      row.forEach((x, j) => (d = Math.max(d, Math.abs(x - last[j]))));
      assert.ok(d <= 1e-5, `row ${i}: max |logit difference| ${d} between padded and alone`);
    }
  } finally {
    model.dispose();
  }
});
