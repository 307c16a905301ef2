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
