import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend.ts";
import {
  createGpt,
  disposeKvCache,
  generate,
  type Gpt,
  type GptConfig,
  type KvCache,
} from "../../lib/model/mod.ts";

await initBackend("wasm");

const CONFIG: GptConfig = {
  vocabSize: 29,
  contextLength: 24,
  dModel: 16,
  nLayer: 2,
  nHead: 2,
  mlpRatio: 2,
  dropout: 0,
  seed: 5,
};

/** A model whose predictions are far from uniform (so greedy/top-p choices are meaningful). */
function sharpModel(seed = 1): Gpt {
  const model = createGpt(CONFIG);
  model.variables.forEach((v, i) =>
    tf.tidy(() => v.assign(tf.randomUniform(v.shape, -0.6, 0.6, "float32", seed * 100 + i)))
  );
  return model;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("forwardCached in chunks reproduces the full forward (within 1e-4)", () => {
  const model = sharpModel();
  const ids = [1, 7, 3, 3, 20, 11, 4, 9, 28, 0];
  const full = tf.tidy(() => model.logits(tf.tensor2d([ids], [1, 10], "int32")).arraySync()[0]);
  let cache: KvCache | null = null;
  const chunks = [[0, 4], [4, 5], [5, 6], [6, 10]];
  for (const [s, e] of chunks) {
    const input = tf.tensor2d([ids.slice(s, e)], [1, e - s], "int32");
    const out = model.forwardCached(input, cache);
    disposeKvCache(cache);
    cache = out.cache;
    assert.equal(cache.length, e);
    assert.deepEqual(cache.layers[0].k.shape, [1, 2, e, 8]); // [B, H, t, hd]
    const rows = out.logits.arraySync()[0];
    for (let t = s; t < e; t++) assert.ok(maxAbsDiff(rows[t - s], full[t]) < 1e-4);
    tf.dispose([input, out.logits]);
  }
  disposeKvCache(cache);
  model.dispose();
});

Deno.test("greedy: KV-cache tokens equal full recomputation; step logits within 1e-4", async () => {
  const model = sharpModel(2);
  const before = tf.memory().numTensors;
  const opts = { maxNewTokens: 15, recordLogits: true } as const;
  const cached = await generate(model, [1, 4, 4, 17], opts);
  const naive = await generate(model, [1, 4, 4, 17], { ...opts, useKvCache: false });
  assert.equal(tf.memory().numTensors, before); // no leak in either path
  assert.equal(cached.tokens.length, 15);
  assert.deepEqual(cached.tokens, naive.tokens);
  assert.equal(cached.stopReason, "maxNewTokens");
  for (let i = 0; i < 15; i++) {
    assert.ok(maxAbsDiff(cached.stepLogits![i], naive.stepLogits![i]) < 1e-4);
    // Greedy = arg-max of the logits it was chosen from.
    const row = [...cached.stepLogits![i]];
    assert.equal(cached.tokens[i], row.indexOf(Math.max(...row)));
  }
  model.dispose();
});

Deno.test("sampling: seeded, reproducible, identical on both paths; tiny top-p is greedy", async () => {
  const model = sharpModel(3);
  const opts = { maxNewTokens: 12, strategy: "sample", temperature: 1.3, topP: 0.95 } as const;
  const a = await generate(model, [1, 2], { ...opts, seed: 9 });
  const b = await generate(model, [1, 2], { ...opts, seed: 9 });
  const c = await generate(model, [1, 2], { ...opts, seed: 9, useKvCache: false });
  assert.deepEqual(a.tokens, b.tokens);
  assert.deepEqual(a.tokens, c.tokens);
  const seeds = await Promise.all(
    [1, 2, 3, 4].map((seed) => generate(model, [1, 2], { ...opts, seed })),
  );
  assert.ok(new Set(seeds.map((r) => r.tokens.join(","))).size > 1, "different seeds, same output");
  const greedy = await generate(model, [1, 2], { maxNewTokens: 12 });
  const nucleus = await generate(model, [1, 2], { ...opts, topP: 1e-6, seed: 4 });
  assert.deepEqual(nucleus.tokens, greedy.tokens);
  model.dispose();
});

Deno.test("sampling frequencies follow softmax(logits / T)", async () => {
  // One-step generations from the same prompt: the empirical distribution of the first token
  // must match the tempered softmax of the recorded logits.
  const model = sharpModel(4);
  const first = await generate(model, [3], { maxNewTokens: 1, recordLogits: true });
  const logits = [...first.stepLogits![0]];
  const temperature = 2;
  const mx = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - mx) / temperature));
  const z = e.reduce((s, v) => s + v, 0);
  const counts = new Array(CONFIG.vocabSize).fill(0);
  const n = 400;
  for (let seed = 0; seed < n; seed++) {
    const r = await generate(model, [3], {
      maxNewTokens: 1,
      strategy: "sample",
      temperature,
      seed,
    });
    counts[r.tokens[0]]++;
  }
  for (let v = 0; v < CONFIG.vocabSize; v++) {
    const p = e[v] / z;
    const sd = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(counts[v] / n - p) < 4 * sd + 1e-9, `token ${v}: ${counts[v] / n} vs ${p}`);
  }
  model.dispose();
});

Deno.test("stops: at EOS (excluded), at maxNewTokens, at contextLength", async () => {
  const model = sharpModel(5);
  const free = await generate(model, [1], { maxNewTokens: 6 });
  const eosId = free.tokens[3];
  const firstEos = free.tokens.indexOf(eosId);
  const stopped = await generate(model, [1], { maxNewTokens: 6, eosId });
  assert.equal(stopped.stopReason, "eos");
  assert.deepEqual(stopped.tokens, free.tokens.slice(0, firstEos));
  const none = await generate(model, [1], { maxNewTokens: 0 });
  assert.deepEqual(none, { tokens: [], stopReason: "maxNewTokens" });
  const prompt = Array.from({ length: 21 }, (_, i) => i % 29);
  const ctx = await generate(model, prompt, { maxNewTokens: 50 });
  assert.equal(ctx.stopReason, "contextLength");
  assert.equal(ctx.tokens.length, 3); // 21 + 3 = contextLength 24
  const ctxNaive = await generate(model, prompt, { maxNewTokens: 50, useKvCache: false });
  assert.deepEqual(ctxNaive.tokens, ctx.tokens);
  model.dispose();
});

Deno.test("generate rejects bad inputs by name", async () => {
  const model = sharpModel(6);
  await assert.rejects(() => generate(model, []), /prompt is empty/);
  await assert.rejects(
    () => generate(model, new Array(25).fill(1)),
    /prompt has 25 tokens, more than contextLength 24/,
  );
  await assert.rejects(() => generate(model, [29]), /prompt token 29 outside \[0, 29\)/);
  await assert.rejects(
    () => generate(model, [1], { strategy: "sample", temperature: 0 }),
    /temperature must be > 0 for sampling, found 0/,
  );
  await assert.rejects(
    () => generate(model, [1], { topP: 0 }),
    /topP must be in \(0, 1\], found 0/,
  );
  model.dispose();
});
