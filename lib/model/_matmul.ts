/**
 * Matrix products of the model.
 *
 * tfjs-backend-wasm's own `BatchMatMul` reaches XNNPACK only for one untransposed 2-D product;
 * the transposed forms that tfjs' matMul gradient uses, and batched products, ran a naive loop
 * (~10× slower). {@link initBackend} replaces that kernel (lib/_wasm_kernels.ts) so every form
 * is fast, and these helpers are plain `tf.matMul` calls with tfjs' own gradient. (They used to
 * carry a custom gradient and a per-batch split; both are unnecessary with the kernel fix, and
 * the custom gradient's saved copies cost memory.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** `a [m, k] · b [k, n] -> [m, n]`, differentiable. */
export function matMul2d(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D); // [m, n]
}

/** `a [N, m, k] · b [N, k, n] -> [N, m, n]`, differentiable. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(a, b); // [N, m, n]
}
