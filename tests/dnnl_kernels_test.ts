/**
 * oneDNN through Deno's FFI (lib/_native_dnnl.ts) and the wasm kernels on it
 * (lib/_dnnl_kernels.ts): hand-checked values, parity with the cpu backend and with the kit's
 * JS kernels, errors that name the bad value, and the fallback when the library is missing.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type KernelsChoice } from "../lib/backend/mod.ts";
import { loadOneDnn } from "../lib/backend/_native_dnnl.ts";
import { DNNL_MIN_ELEMENTS } from "../lib/backend/_dnnl_kernels.ts";
import { gelu, layerNorm, softmaxLast } from "../lib/model/_fused.ts";

const GELU_1 = 0.841192; // 0.5·(1 + tanh(√(2/π)·1.044715))

Deno.test("oneDNN: each operation on hand-checked values", () => {
  const dnn = loadOneDnn();
  assert.match(dnn.version, /^2\.\d+\.\d+$/);
  assert.equal(dnn.threads, 2);
  assert.ok(dnn.isa.length > 0);
  const x = new Float32Array([0, 1, -1, 3]), y = new Float32Array(4);
  dnn.eltwise("gelu_tanh", x, y);
  assert.ok(Math.abs(y[0]) < 1e-7 && Math.abs(y[1] - GELU_1) < 1e-5, `${y}`);
  assert.ok(Math.abs(y[2] + (1 - GELU_1)) < 1e-5, `${y}`); // GELU(-1) = -1 + GELU(1)
  const dx = new Float32Array(4);
  dnn.eltwiseBackward({ alg: "gelu_tanh", x, dy: new Float32Array([2, 0, 0, 0]), dx });
  assert.ok(Math.abs(dx[0] - 1) < 1e-6, `${dx}`); // GELU'(0) = 0.5, times dy = 2
  dnn.eltwise("exp", x, y);
  assert.ok(Math.abs(y[1] - Math.E) < 1e-6 && Math.abs(y[3] - Math.exp(3)) < 1e-4, `${y}`);
  // softmax([0, ln 3]) = [1/4, 3/4]; its gradient for dy = [1, 0] is y·(dy - y0) = [3/16, -3/16].
  const s = new Float32Array(4);
  dnn.softmax({ x: new Float32Array([0, Math.log(3), 5, 5]), y: s, rows: 2, cols: 2 });
  assert.deepEqual(Array.from(s, (v) => Math.round(v * 1e6) / 1e6), [0.25, 0.75, 0.5, 0.5]);
  const ds = new Float32Array(4);
  dnn.softmaxBackward({ y: s, dy: new Float32Array([1, 0, 1, 1]), dx: ds, rows: 2, cols: 2 });
  assert.ok(Math.abs(ds[0] - 3 / 16) < 1e-6 && Math.abs(ds[1] + 3 / 16) < 1e-6, `${ds}`);
  assert.ok(Math.abs(ds[2]) < 1e-7 && Math.abs(ds[3]) < 1e-7, `uniform dy: ${ds}`);
  // LayerNorm of [1, 2, 3, 4]: mean 2.5, variance 1.25, first value -1.5/√1.25.
  const ln = new Float32Array(4), mean = new Float32Array(1), variance = new Float32Array(1);
  dnn.layerNorm({
    x: new Float32Array([1, 2, 3, 4]),
    gamma: new Float32Array([2, 1, 1, 1]),
    beta: new Float32Array([1, 0, 0, 0]),
    eps: 0,
    y: ln,
    mean,
    variance,
    rows: 1,
    cols: 4,
  });
  assert.equal(mean[0], 2.5);
  assert.equal(variance[0], 1.25);
  assert.ok(Math.abs(ln[0] - (1 - 3 / Math.sqrt(1.25))) < 1e-6, `${ln}`);
  const [dgamma, dbeta, dxl] = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
  dnn.layerNormBackward({
    dy: new Float32Array([1, 1, 1, 1]),
    x: new Float32Array([1, 2, 3, 4]),
    mean,
    variance,
    gamma: new Float32Array([1, 1, 1, 1]),
    eps: 0,
    dx: dxl,
    dgamma,
    dbeta,
    rows: 1,
    cols: 4,
  });
  // A uniform upstream gradient through a normalisation with gamma 1 gives dx = 0.
  assert.ok(Math.max(...dxl.map(Math.abs)) < 1e-6, `${dxl}`);
  assert.deepEqual(Array.from(dbeta), [1, 1, 1, 1]);
  assert.ok(Math.abs(dgamma[3] - 1.5 / Math.sqrt(1.25)) < 1e-6, `${dgamma}`);
  const out = new Float32Array(6);
  dnn.binary({
    alg: "sub",
    a: new Float32Array([1, 2, 3, 4, 5, 6]),
    aDims: [2, 3],
    b: new Float32Array([1, 2]),
    bDims: [2, 1],
    out,
  });
  assert.deepEqual(Array.from(out), [0, 1, 2, 2, 3, 4]);
  dnn.transpose({ x: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [2, 3], perm: [1, 0], out });
  assert.deepEqual(Array.from(out), [1, 4, 2, 5, 3, 6]);
});

Deno.test("oneDNN: bad shapes and options are named", () => {
  const dnn = loadOneDnn();
  const v = (n: number) => new Float32Array(n);
  assert.throws(() => dnn.eltwise("exp", v(3), v(4)), /oneDNN eltwise: y has 4 elements, x has 3/);
  assert.throws(
    () => dnn.softmax({ x: v(6), y: v(6), rows: 2, cols: 4 }),
    /oneDNN softmax: x must have 8 elements, found 6/,
  );
  assert.throws(
    () => dnn.binary({ alg: "add", a: v(6), aDims: [2, 3], b: v(2), bDims: [1, 2], out: v(6) }),
    /oneDNN binary: dims \[1,2\] must have the rank of \[2,3\] with each entry equal or 1/,
  );
  assert.throws(
    () => dnn.transpose({ x: v(6), dims: [2, 3], perm: [1, 1], out: v(6) }),
    /perm \[1,1\] is not a permutation of 2 axes/,
  );
  assert.throws(() => loadOneDnn({ threads: 0 }), /threads must be an integer >= 1, found 0/);
  assert.throws(() => loadOneDnn({ spinCount: -1 }), /spinCount must be an integer >= 0, found -1/);
  assert.throws(
    () => loadOneDnn({ library: "libmissing.so.9" }),
    /"libmissing\.so\.9" requested, but this process already loaded "libdnnl\.so\.2"/,
  );
});

/** Values and gradients of the model's kernels on tensors large enough for oneDNN. */
function modelOps() {
  return tf.tidy(() => {
    const rows = 64, cols = 512; // 32,768 elements: above DNNL_MIN_ELEMENTS
    const x = tf.randomNormal([rows, cols], 0, 2, "float32", 1);
    const w = tf.randomNormal([rows, cols], 0, 1, "float32", 2);
    const g = tf.randomNormal([cols], 1, 0.5, "float32", 3);
    const b = tf.randomNormal([cols], 0, 0.5, "float32", 4);
    const mask = tf.randomNormal([8, cols], 0, 1, "float32", 5);
    const loss = (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const h = layerNorm(gelu(a), gg, bb, 1e-5); // [rows, cols]
      const s = softmaxLast(tf.add(tf.reshape(h, [8, 8, cols]), mask)); // [8, 8, cols]
      const e = tf.exp(tf.mul(tf.sub(h, 0.5), 0.25)); // [rows, cols]
      const t = tf.transpose(tf.reshape(e, [2, 4, 8, 4, 128]), [2, 0, 3, 1, 4]);
      return tf.add(
        tf.sum(tf.mul(tf.reshape(s, [rows, cols]), w)),
        tf.sum(tf.mul(tf.reshape(t, [rows, cols]), w)),
      );
    };
    const grads = tf.grads(loss)([x, g, b]);
    return [loss(x, g, b), ...grads].map((t) => Array.from(t.dataSync()));
  });
}

async function on(kind: "cpu" | "wasm", kernels: KernelsChoice = "auto") {
  await initBackend(kind, kind === "wasm" ? { kernels } : {});
  return modelOps();
}

Deno.test("wasm kernels on oneDNN: the model's ops and gradients equal cpu and the JS kernels", async () => {
  assert.ok(64 * 512 >= DNNL_MIN_ELEMENTS);
  const cpu = await on("cpu");
  const before = tf.memory().numTensors;
  const primitives = loadOneDnn().cachedPrimitives; // the backend's handle (one per thread count)
  const dnn = await on("wasm", "onednn");
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
  // The ops ran on oneDNN: GELU, LayerNorm, softmax and their gradients, exp, transpose and the
  // broadcast arithmetic each compiled a primitive for these new shapes.
  const compiled = loadOneDnn().cachedPrimitives - primitives;
  assert.ok(compiled >= 10, `oneDNN primitives compiled by the model's ops: ${compiled}`);
  const info = await initBackend("wasm", { kernels: "wasm" });
  assert.equal(info.kernels, "wasm");
  assert.equal(info.onednn, null);
  const js = modelOps();
  for (const [name, i] of [["loss", 0], ["dx", 1], ["dgamma", 2], ["dbeta", 3]] as const) {
    for (const [other, label] of [[cpu, "cpu"], [js, "JS kernels"]] as const) {
      let diff = 0, scale = 0;
      dnn[i].forEach((v, j) => {
        diff = Math.max(diff, Math.abs(v - other[i][j]));
        scale = Math.max(scale, Math.abs(other[i][j]));
      });
      assert.ok(scale > 1e-3, `${name} carries signal`);
      assert.ok(diff <= 2e-5 * Math.max(1, scale), `${name}: max |oneDNN - ${label}| = ${diff}`);
    }
  }
  const back = await initBackend("wasm", { kernels: "onednn" });
  assert.equal(back.kernels, "onednn");
  assert.equal(back.onednn?.library, "libdnnl.so.2");
  assert.deepEqual(modelOps(), dnn, "the same kernels give the same numbers again");
});

Deno.test("kernels auto without oneDNN runs the wasm kernels with a one-line warning; onednn fails", async () => {
  const backendUrl = new URL("../lib/backend/mod.ts", import.meta.url).href;
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { initBackend } from "${backendUrl}"; ` +
      `const i = await initBackend("wasm", { dnn: { library: "libmissing.so.9" } }); ` +
      `console.log(i.kernels, i.onednn); ` +
      `await initBackend("wasm", { kernels: "onednn", dnn: { library: "libmissing.so.9" } });`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(child.stdout).trim(), "wasm null");
  const stderr = new TextDecoder().decode(child.stderr);
  assert.match(
    stderr,
    /elementwise kernels run on one core in wasm: .*cannot open "libmissing\.so\.9".*apt-get install libdnnl2/,
  );
  assert.match(stderr, /Uncaught .*cannot open "libmissing\.so\.9"/);
  assert.equal(child.code, 1);
  // The spin count it sets for libgomp's start-up is restored afterwards (a fresh process).
  const url = new URL("../lib/backend/_native_dnnl.ts", import.meta.url).href;
  const probe = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { loadOneDnn } from "${url}"; const d = loadOneDnn({ threads: 1 }); ` +
      `console.log(d.threads, Deno.env.get("GOMP_SPINCOUNT"));`,
    ],
    env: { GOMP_SPINCOUNT: "77" },
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(probe.stdout).trim(), "1 77");
});
