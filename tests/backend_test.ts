import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, registerWasmUnsortedSegmentSum } from "../lib/backend.ts";
import { createGpt } from "../lib/model/mod.ts";

/** Run `fn` on `kind` and return plain arrays (so results survive the backend switch). */
async function on<T>(kind: "cpu" | "wasm", fn: () => T): Promise<T> {
  await initBackend(kind);
  return fn();
}

Deno.test("initBackend(wasm) reports SIMD, threads, the wasm dir and the patched kernel", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(info.tfjsBackend, "wasm");
  assert.equal(info.tfjsVersion, "4.22.0");
  assert.equal(info.simd, true);
  assert.equal(info.threads, 1); // Deno has no wasm threads support (SharedArrayBuffer workers)
  assert.ok(info.wasmDir !== null && existsSync(join(info.wasmDir, "tfjs-backend-wasm-simd.wasm")));
  assert.deepEqual(info.patchedKernels, ["UnsortedSegmentSum", "Slice", "Unpack"]);
  assert.equal(registerWasmUnsortedSegmentSum(), false); // idempotent
});

Deno.test("initBackend: same kind is a no-op, a different kind switches", async () => {
  const a = await initBackend("wasm");
  const b = await initBackend("wasm");
  assert.equal(a, b);
  const c = await initBackend("cpu");
  assert.equal(c.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(c.simd, null);
  const d = await initBackend("wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(d.simd, true);
});

Deno.test("UnsortedSegmentSum on wasm: hand-computed example with duplicate ids", async () => {
  await initBackend("wasm");
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const ids = tf.tensor1d([2, 0, 2], "int32");
  const out = tf.unsortedSegmentSum(x, ids, 3);
  assert.deepEqual(out.arraySync(), [[3, 4], [0, 0], [6, 8]]);
  tf.dispose([x, ids, out]);
});

Deno.test("UnsortedSegmentSum on wasm equals cpu on float data; 2-D ids match 1-D", async () => {
  const n = 64, d = 5, segs = 7;
  const xs = Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.37) * 10);
  const ids = Array.from({ length: n }, (_, i) => (i * 5 + 3) % segs);
  const run = () =>
    tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor2d(xs, [n, d]), tf.tensor1d(ids, "int32"), segs)
        .arraySync() as number[][]
    );
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  // wasm (ScatterNd) accumulates in index order in float32: bit-identical to this loop.
  const seq = Array.from({ length: segs }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      seq[ids[i]][j] = Math.fround(seq[ids[i]][j] + Math.fround(xs[i * d + j]));
    }
  }
  assert.deepEqual(wasm, seq);
  // cpu (mask-multiply-reduce) sums in another order: equal up to float32 rounding.
  for (let s = 0; s < segs; s++) {
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(wasm[s][j] - cpu[s][j]) <= 1e-6 * Math.max(1, Math.abs(cpu[s][j])));
    }
  }
  // TF semantics: segment ids may have any prefix shape of x (tfjs' cpu kernel mishandles it).
  const twoD = tf.tidy(() =>
    tf.unsortedSegmentSum(
      tf.tensor3d(xs, [8, 8, d]),
      tf.tensor2d(ids, [8, 8], "int32") as unknown as tf.Tensor1D,
      segs,
    ).arraySync()
  );
  assert.deepEqual(twoD, wasm);
});

Deno.test("embedding (gather) gradient on wasm equals cpu", async () => {
  const table = Array.from({ length: 6 * 3 }, (_, i) => (i % 7) / 7);
  const idx = [[0, 3, 3, 5], [1, 0, 5, 5]];
  const run = () =>
    tf.tidy(() => {
      const w = tf.tensor2d(table, [6, 3]);
      const weights = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i - 11), [2, 4, 3]);
      const grad = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(t, tf.tensor2d(idx, [2, 4], "int32")), weights))
      )(w);
      return grad.arraySync() as number[][];
    });
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  assert.deepEqual(wasm, cpu);
  // Row 5 is gathered at (0,3), (1,2), (1,3): weights rows 3, 6, 7 -> (-2+7+10, ...).
  assert.deepEqual(cpu[5], [-2 + 7 + 10, -1 + 8 + 11, 0 + 9 + 12]);
  assert.deepEqual(cpu[2], [0, 0, 0]);
});

Deno.test("initBackend(tensorflow) without tfjs-node-gpu fails with an actionable message", async () => {
  const missing = new URL("./no_such_dir/tfjs-node-gpu.js", import.meta.url).href;
  await assert.rejects(
    () => initBackend("tensorflow", { tensorflowModule: missing }),
    (err: Error) => {
      assert.match(err.message, /initBackend\(tensorflow\): cannot load ".*tfjs-node-gpu\.js"/);
      assert.match(err.message, /deno install --allow-scripts=npm:@tensorflow\/tfjs-node-gpu/);
      assert.match(err.message, /choose the webgpu or wasm backend/);
      return true;
    },
  );
  // A failed switch leaves the previous backend in place.
  await initBackend("wasm");
  assert.equal(tf.getBackend(), "wasm");
});

Deno.test({
  name: "webgpu forward logits and gradients equal wasm within 1e-3 on a tiny seeded model",
  // Deno's WebGPU device keeps internal resources alive after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const config = {
      vocabSize: 37,
      contextLength: 16,
      dModel: 16,
      nLayer: 2,
      nHead: 4,
      mlpRatio: 4,
      dropout: 0,
      seed: 11,
    };
    const ids = [[1, 5, 9, 36, 2, 7, 7, 0], [3, 3, 3, 3, 30, 31, 32, 33]];
    const run = async () => {
      const model = createGpt(config);
      const input = tf.tensor2d(ids, [2, 8], "int32");
      const logits = model.logits(input);
      const weights = tf.tensor3d(
        Array.from({ length: 2 * 8 * 37 }, (_, i) => Math.cos(i)),
        [2, 8, 37],
      );
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.logits(input), weights)),
        model.variables as tf.Variable[],
      );
      // webgpu has no synchronous read-back: use the async readers.
      const out = {
        logits: (await logits.data()) as Float32Array,
        grads: await Promise.all(
          model.variables.map(async (v) => (await grads[v.name].data()) as Float32Array),
        ),
      };
      tf.dispose([input, logits, weights, value, grads]);
      model.dispose();
      return out;
    };
    const maxDiff = (a: Float32Array, b: Float32Array) => {
      let m = 0, scale = 0;
      for (let i = 0; i < a.length; i++) {
        m = Math.max(m, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(a[i]));
      }
      return { m, scale };
    };
    await initBackend("wasm");
    const wasm = await run();
    // Throws "navigator.gpu has no adapter. Install ... mesa-vulkan-drivers" when WebGPU is absent.
    const info = await initBackend("webgpu");
    assert.equal(info.tfjsBackend, "webgpu");
    assert.ok(info.adapter !== null && info.adapter.length > 0);
    const gpu = await run();
    await initBackend("wasm");
    const l = maxDiff(wasm.logits, gpu.logits);
    assert.ok(l.m < 1e-3, `max |webgpu - wasm| logits = ${l.m}`);
    assert.ok(l.scale > 1e-2, "logits carry signal");
    for (let i = 0; i < wasm.grads.length; i++) {
      const g = maxDiff(wasm.grads[i], gpu.grads[i]);
      assert.ok(
        g.m < 1e-3 * Math.max(1, g.scale),
        `gradient ${i}: max diff ${g.m}, scale ${g.scale}`,
      );
    }
  },
});

Deno.test("wasm Slice/Unpack replacements: identical values to cpu for contiguous and strided cases", async () => {
  const xs = Array.from({ length: 4 * 5 * 6 }, (_, i) => i * 0.5 - 7);
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor3d(xs, [4, 5, 6]);
      const xi = tf.tensor3d(xs.map((v) => Math.round(v)), [4, 5, 6], "int32");
      return {
        contiguous: tf.slice(x, [1, 0, 0], [2, 5, 6]).arraySync(),
        rows: tf.slice(x, [2, 3, 0], [1, 2, 6]).arraySync(),
        strided: tf.slice(x, [0, 1, 2], [4, 3, 2]).arraySync(),
        int: tf.slice(xi, [3, 0, 0], [1, 5, 6]).arraySync(),
        unstack0: tf.unstack(x).map((t) => t.arraySync()),
        unstack2: tf.unstack(x, 2).map((t) => t.arraySync()),
        empty: tf.slice(x, [0, 0, 0], [0, 5, 6]).shape,
        grad: tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t)[2], 3)))(x).arraySync(),
      };
    });
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  assert.deepEqual(wasm, cpu);
  assert.deepEqual((cpu.rows as number[][][])[0][0], xs.slice(2 * 30 + 3 * 6, 2 * 30 + 4 * 6));
});
