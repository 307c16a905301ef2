import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  createGpt,
  disposeKvCache,
  generate,
  type Gpt,
  type GptConfig,
  type KvCache,
  retainKvCacheRows,
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

Deno.test("forwardCached in chunks reproduces the full forward (within 1e-4), cache in place", () => {
  const model = sharpModel();
  const ids = [1, 7, 3, 3, 20, 11, 4, 9, 28, 0];
  const full = tf.tidy(() => model.logits(tf.tensor2d([ids], [1, 10], "int32")).arraySync()[0]);
  const before = tf.memory().numTensors;
  let cache: KvCache | null = null;
  const chunks = [[0, 4], [4, 5], [5, 6], [6, 10]];
  for (const [s, e] of chunks) {
    const input = tf.tensor2d([ids.slice(s, e)], [1, e - s], "int32");
    const out = model.forwardCached(input, cache);
    if (cache !== null) assert.equal(out.cache, cache); // extended in place
    cache = out.cache;
    assert.equal(cache.length, e);
    assert.equal(cache.capacity, 24);
    assert.equal(cache.keys[0].length, 1 * 2 * 24 * 8); // [B, H, capacity, hd]
    const rows = out.logits.arraySync()[0];
    for (let t = s; t < e; t++) assert.ok(maxAbsDiff(rows[t - s], full[t]) < 1e-4);
    tf.dispose([input, out.logits]);
  }
  assert.equal(tf.memory().numTensors, before); // the steps leak no tensors
  // The keys/values written step by step equal those of one prefill of all 10 ids.
  const input = tf.tensor2d([ids], [1, 10], "int32");
  const whole = model.forwardCached(input, null);
  for (let layer = 0; layer < 2; layer++) {
    for (const kind of ["keys", "values"] as const) {
      for (let h = 0; h < 2; h++) {
        const span = [h * 24 * 8, h * 24 * 8 + 10 * 8]; // positions 0..9 of head h
        assert.ok(
          maxAbsDiff(
            cache![kind][layer].subarray(span[0], span[1]),
            whole.cache[kind][layer].subarray(span[0], span[1]),
          ) < 1e-5,
        );
      }
    }
  }
  tf.dispose([input, whole.logits]);
  disposeKvCache(whole.cache);
  disposeKvCache(cache);
  assert.throws(
    () => model.forwardCached(tf.tensor2d([[1]], [1, 1], "int32"), cache),
    /the cache has been disposed/,
  );
  model.dispose();
});

Deno.test("batched greedy decoding with the cache equals recomputation, rows dropped mid-way", () => {
  // Four rows with different prompts: prefill, then one token per row; row 1 is dropped after 4
  // tokens and row 2 after 7 (retainKvCacheRows, twice), as TfjsCodeModel does for finished rows.
  const model = sharpModel(7);
  const prompts = [[1, 5, 9], [2, 2, 8], [27, 0, 13], [4, 4, 4]];
  const greedyNaive = (prompt: number[], n: number) => {
    const seq = [...prompt];
    for (let i = 0; i < n; i++) {
      const row = tf.tidy(() => {
        const logits = model.logits(tf.tensor2d([seq], [1, seq.length], "int32"));
        return logits.arraySync()[0][seq.length - 1];
      });
      seq.push(row.indexOf(Math.max(...row)));
    }
    return seq.slice(prompt.length);
  };
  const before = tf.memory().numTensors;
  let rows = [0, 1, 2, 3];
  const out: number[][] = [[], [], [], []];
  let input = tf.tensor2d(prompts, [4, 3], "int32");
  let { logits, cache } = model.forwardCached(input, null);
  for (let step = 0; step < 12; step++) {
    const last = logits.arraySync().map((r) => r[r.length - 1]);
    tf.dispose([input, logits]);
    rows.forEach((r, b) => out[r].push(last[b].indexOf(Math.max(...last[b]))));
    if (step === 3) {
      retainKvCacheRows(cache, [0, 2, 3]);
      rows = [0, 2, 3];
    }
    if (step === 6) {
      retainKvCacheRows(cache, [0, 2]); // prompts 0 and 3: the last row moves up
      rows = [0, 3];
    }
    input = tf.tensor2d(rows.map((r) => [out[r][out[r].length - 1]]), [rows.length, 1], "int32");
    ({ logits, cache } = model.forwardCached(input, cache));
  }
  tf.dispose([input, logits]);
  disposeKvCache(cache);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(out[0], greedyNaive(prompts[0], 12));
  assert.deepEqual(out[1], greedyNaive(prompts[1], 4));
  assert.deepEqual(out[2], greedyNaive(prompts[2], 7));
  assert.deepEqual(out[3], greedyNaive(prompts[3], 12));
  model.dispose();
});

Deno.test("one-token decoding steps equal the full forward on every matmul and kernels engine", async () => {
  // The T = 1 step runs its attention on OpenBLAS (sgemv) with oneDNN's softmax, OpenBLAS with a
  // JS softmax, or JS loops (XNNPACK): each must reproduce the tensor pass.
  const ids = [[1, 7, 3, 3, 20, 11, 4, 9], [28, 0, 5, 5, 2, 19, 6, 1]];
  for (const matmul of ["openblas", "xnnpack"] as const) {
    for (const kernels of ["onednn", "wasm"] as const) {
      const info = await initBackend("wasm", { matmul, kernels });
      assert.equal(info.matmul, matmul);
      assert.equal(info.kernels, kernels);
      const model = sharpModel(3);
      const full = tf.tidy(() => model.logits(tf.tensor2d(ids, [2, 8], "int32")).arraySync());
      let input = tf.tensor2d(ids.map((r) => r.slice(0, 3)), [2, 3], "int32");
      let { logits, cache } = model.forwardCached(input, null);
      for (let t = 3; t < 8; t++) {
        tf.dispose([input, logits]);
        input = tf.tensor2d(ids.map((r) => [r[t]]), [2, 1], "int32");
        ({ logits, cache } = model.forwardCached(input, cache));
        const rows = logits.arraySync();
        for (let b = 0; b < 2; b++) {
          const d = maxAbsDiff(rows[b][0], full[b][t]);
          assert.ok(d < 1e-4, `${matmul}/${kernels} row ${b} position ${t}: ${d}`);
        }
      }
      tf.dispose([input, logits]);
      disposeKvCache(cache);
      model.dispose();
    }
  }
  await initBackend("wasm", { matmul: "openblas", kernels: "onednn" }); // the defaults here
});

Deno.test("forwardCached and retainKvCacheRows reject misuse by name", () => {
  const model = sharpModel(8);
  const other = sharpModel(9);
  const ids = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
  const { logits, cache } = model.forwardCached(ids, null);
  const one = tf.tensor2d([[1]], [1, 1], "int32");
  const bad = tf.tensor2d([[29], [1]], [2, 1], "int32");
  assert.throws(() => model.forwardCached(one, cache), /ids has 1 rows, the cache has 2/);
  assert.throws(() => other.forwardCached(ids, cache), /the cache was made by another model/);
  assert.throws(() => model.forwardCached(bad, cache), /token id 29 outside \[0, 29\)/);
  assert.throws(
    () => retainKvCacheRows(cache, [1, 0]),
    /rows to keep must be strictly increasing integers in \[0, 2\), found \[1, 0\]/,
  );
  const long = tf.tensor2d([new Array(23).fill(1), new Array(23).fill(2)], [2, 23], "int32");
  assert.throws(
    () => model.forwardCached(long, cache),
    /2 cached \+ 23 new positions exceed contextLength 24/,
  );
  tf.dispose([ids, logits, one, bad, long]);
  disposeKvCache(cache);
  [model, other].forEach((m) => m.dispose());
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

Deno.test("a cached decoding step runs only the dense products as tfjs kernels (none on OpenBLAS)", async () => {
  // The lean path (lib/model/_decode.ts): on XNNPACK 4 matMuls per block + the output projection,
  // and one reshape; on OpenBLAS the products read the weights in the heap directly, so no tfjs
  // kernel runs at all. Everything else is plain JS on small rows. A regression to the tensor
  // graph (~230 kernels per step at 4 layers) fails here.
  const expected = {
    xnnpack: { BatchMatMul: 4 * CONFIG.nLayer + 1, Reshape: 1 },
    openblas: {},
  } as const;
  const stepLogits: number[][] = [];
  for (const matmul of ["xnnpack", "openblas"] as const) {
    await initBackend("wasm", { matmul });
    const model = sharpModel(10);
    const prompt = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], "int32");
    const { logits, cache } = model.forwardCached(prompt, null);
    const step = tf.tensor2d([[7], [8]], [2, 1], "int32");
    const info = await tf.profile(() => {
      const out = model.forwardCached(step, cache);
      return out.logits;
    });
    const counts: Record<string, number> = {};
    for (const k of info.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
    assert.deepEqual(counts, expected[matmul], matmul);
    const out = model.forwardCached(tf.tensor2d([[9], [1]], [2, 1], "int32"), cache);
    assert.deepEqual(out.logits.shape, [2, 1, CONFIG.vocabSize]);
    stepLogits.push(Array.from(out.logits.dataSync()));
    tf.dispose([prompt, logits, step, out.logits]);
    disposeKvCache(cache);
    model.dispose();
  }
  // Both engines compute the same step (to float32 rounding).
  const d = Math.max(...stepLogits[0].map((v, i) => Math.abs(v - stepLogits[1][i])));
  assert.ok(d < 1e-4, `max |xnnpack - openblas| logits = ${d}`);
});
