import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { batchMatMul, matMul2d } from "../../lib/model/_matmul.ts";

await initBackend("wasm");

Deno.test("matMul2d: value and custom gradient equal tfjs' matMul (hand-checked 2×2 case)", () => {
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor2d([[5, 6], [7, 8]]);
  assert.deepEqual(matMul2d(a, b).arraySync(), [[19, 22], [43, 50]]);
  // d/dA sum(A·B) = 1·Bᵀ: row sums of B -> [[11, 15], [11, 15]]; d/dB = Aᵀ·1 -> [[4, 4], [6, 6]].
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul2d(x, y)))([a, b]);
  assert.deepEqual(ga.arraySync(), [[11, 15], [11, 15]]);
  assert.deepEqual(gb.arraySync(), [[4, 4], [6, 6]]);
  tf.dispose([a, b, ga, gb]);
});

Deno.test("matMul2d and batchMatMul gradients equal tfjs' on random rectangular inputs", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([3, 5, 4], 0, 1, "float32", 1);
    const b = tf.randomNormal([3, 4, 6], 0, 1, "float32", 2);
    const w = tf.randomNormal([3, 5, 6], 0, 1, "float32", 3);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D), w))
    )([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)))([
      a,
      b,
    ]);
    for (let i = 0; i < 2; i++) {
      const d = tf.max(tf.abs(tf.sub(ours[i], ref[i]))).dataSync()[0];
      assert.ok(d < 1e-5, `input ${i}: max diff ${d}`);
    }
    assert.ok(
      tf.max(tf.abs(tf.sub(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), tf.matMul(a, b))))
        .dataSync()[0] < 1e-5,
    );
  });
});
