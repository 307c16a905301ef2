/**
 * Matrix products routed to the fast kernels of tfjs' wasm backend.
 *
 * The wasm `BatchMatMul` kernel uses XNNPACK only for a single (batch 1) product without
 * transpose flags; with `transposeA`/`transposeB` or a batch > 1 it falls back to a naive loop.
 * Measured on this machine (2 shared cores, load ~11, 512×128×512): plain 3.7 GFLOP/s,
 * `transposeB` 0.30, `transposeA` 0.26, batch-16 0.25. tfjs' own matMul gradient uses both
 * transpose flags, so the backward pass of every projection hit the slow path.
 *
 * {@link matMul2d} therefore has a custom gradient made of explicit transposes (cheap copies) and
 * plain products; {@link batchMatMul} splits a batch into plain 2-D products on wasm. The maths
 * is unchanged, so results agree with the other backends to float32 rounding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const _mm = tf.customGrad(
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b), // [m, n]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.matMul(dy, tf.transpose(saved[1])), // dA = dY · Bᵀ   [m, k]
        tf.matMul(tf.transpose(saved[0]), dy), // dB = Aᵀ · dY   [k, n]
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
);

/** `a [m, k] · b [k, n] -> [m, n]`, differentiable, plain (untransposed) kernels only. */
export function matMul2d(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return _mm(a, b) as tf.Tensor2D;
}

/**
 * `a [N, m, k] · b [N, k, n] -> [N, m, n]`. On wasm: N plain 2-D products; elsewhere tfjs'
 * batched kernel.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b);
  const as = tf.unstack(a) as tf.Tensor2D[]; // N × [m, k]
  const bs = tf.unstack(b) as tf.Tensor2D[]; // N × [k, n]
  return tf.stack(as.map((x, i) => matMul2d(x, bs[i]))) as tf.Tensor3D; // [N, m, n]
}
