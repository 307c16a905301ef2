import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { gelu, layerNorm, softmaxLast } from "../../lib/model/_fused.ts";

/** Value and gradient of `sum(f(x) · w)` as plain arrays. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: number[][], w: number[][]) {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x), wt = tf.tensor2d(w);
    const { value, grad } = tf.valueAndGrad((a: tf.Tensor) => tf.sum(tf.mul(f(a), wt)))(xt);
    return {
      y: f(xt).arraySync() as number[][],
      value: value.dataSync()[0],
      grad: grad.arraySync() as number[][],
    };
  });
}

function maxDiff(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
}

const x = Array.from(
  { length: 6 },
  (_, i) => Array.from({ length: 7 }, (_, j) => (i * 7 + j - 20) / 4),
);
const w = Array.from(
  { length: 6 },
  (_, i) => Array.from({ length: 7 }, (_, j) => Math.sin(i + 2 * j)),
);

Deno.test("fused GELU on wasm: value and gradient equal the cpu composite; hand-checked points", async () => {
  await initBackend("cpu");
  const cpu = valueAndGrad(gelu, x, w);
  // GELU(0) = 0, GELU'(0) = 0.5; tanh form at 1: 0.5 (1 + tanh(√(2/π)·1.044715)) = 0.841192
  const pts = gelu(tf.tensor1d([0, 1, -1])).arraySync() as number[];
  assert.ok(Math.abs(pts[0]) < 1e-7 && Math.abs(pts[1] - 0.841192) < 1e-5, `${pts}`);
  assert.ok(Math.abs(pts[2] + 0.158808) < 1e-5, `${pts}`);
  const info = await initBackend("wasm");
  assert.ok(info.patchedKernels.includes("KitGelu"), `${info.patchedKernels}`);
  const before = tf.memory().numTensors;
  const wasm = valueAndGrad(gelu, x, w);
  assert.equal(tf.memory().numTensors, before, "the saved σ(u) is released");
  assert.ok(maxDiff(wasm.y, cpu.y) < 1e-5, `value: ${maxDiff(wasm.y, cpu.y)}`);
  assert.ok(maxDiff(wasm.grad, cpu.grad) < 1e-5, `grad: ${maxDiff(wasm.grad, cpu.grad)}`);
  assert.ok(Math.abs(wasm.value - cpu.value) < 1e-4);
  // GELU'(0) = 0.5 through the fused gradient
  const g0 = tf.grad((a: tf.Tensor) => tf.sum(gelu(a)))(tf.tensor1d([0])).dataSync()[0];
  assert.ok(Math.abs(g0 - 0.5) < 1e-7, `${g0}`);
});

Deno.test("fused softmax gradient on wasm equals the cpu composite; rows sum to 1", async () => {
  await initBackend("cpu");
  const cpu = valueAndGrad(softmaxLast, x, w);
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const wasm = valueAndGrad(softmaxLast, x, w);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(maxDiff(wasm.y, cpu.y) < 1e-6);
  assert.ok(maxDiff(wasm.grad, cpu.grad) < 1e-6, `grad: ${maxDiff(wasm.grad, cpu.grad)}`);
  for (const row of wasm.y) assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-6);
  // A uniform upstream gradient has zero softmax gradient: y·(c - Σ c·y) = y·(c - c) = 0.
  const g = tf.grad((a: tf.Tensor) => tf.sum(softmaxLast(a)))(tf.tensor2d(x))
    .arraySync() as number[][];
  assert.ok(Math.max(...g.flat().map(Math.abs)) < 1e-6);
});

Deno.test("fused LayerNorm on wasm: value and gradients (x, gamma, beta) equal the cpu composite", async () => {
  const run = () =>
    tf.tidy(() => {
      const xt = tf.tensor3d([x.slice(0, 3), x.slice(3)]); // [2, 3, 7]
      const wt = tf.tensor3d([w.slice(0, 3), w.slice(3)]);
      const g = tf.tensor1d([1, 0.5, -2, 3, 0.25, 1.5, -1]);
      const b = tf.tensor1d([0, 1, -1, 0.5, 2, -0.5, 0.1]);
      const f = (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(a, gg, bb, 1e-5), wt));
      const grads = tf.grads(f)([xt, g, b]);
      return [layerNorm(xt, g, b, 1e-5), ...grads].map((t) => Array.from(t.dataSync()));
    });
  await initBackend("cpu");
  const cpu = run();
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const wasm = run();
  assert.equal(tf.memory().numTensors, before);
  ["y", "dx", "dgamma", "dbeta"].forEach((name, i) => {
    const d = Math.max(...wasm[i].map((v, j) => Math.abs(v - cpu[i][j])));
    assert.ok(d < 1e-4, `${name}: max |wasm - cpu| = ${d}`);
  });
  // dbeta = Σ over rows of the upstream gradient w; a normalised row has mean 0 (gamma 1, beta 0).
  const dbeta = w[0].map((_, d) => w.reduce((acc, row) => acc + row[d], 0));
  wasm[3].forEach((v, d) => assert.ok(Math.abs(v - dbeta[d]) < 1e-5));
  const row = Array.from(
    layerNorm(tf.tensor2d([[1, 2, 3, 4]]), tf.ones([4]), tf.zeros([4]), 0).dataSync(),
  );
  assert.ok(Math.abs(row.reduce((a, v) => a + v, 0)) < 1e-6);
  assert.ok(Math.abs(row[0] + 3 / Math.sqrt(5)) < 1e-6, `${row}`); // (1 - 2.5) / √1.25
});
