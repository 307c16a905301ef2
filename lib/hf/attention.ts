/**
 * Attention for training: grouped-query scaled dot-product attention computed one
 * (row, key/value head) slice at a time, with a hand-written backward pass that recomputes each
 * slice's probabilities instead of keeping them (FlashAttention's idea, at the slice level). At
 * 1,024 tokens a Qwen2.5-0.5B layer's probabilities are 117 MB per tensor for a pair; tfjs's own
 * gradient keeps several of them per layer, which the 4 GiB wasm heap does not hold.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * `softmax(q·kᵀ/√d + mask)·v` for queries `q` `[B·KV, g·T, d]` (the `g` query heads of a
 * key/value head stacked along the query axis), keys and values `[B·KV, S, d]`, and an additive
 * mask `[B, T, S]` shared by a row's heads (slice `n` reads mask row `⌊n / KV⌋`). Returns
 * `[B·KV, g·T, d]`. Differentiable in `q`, `k` and `v`:
 *
 *   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = dS·K/√d,  dK = dSᵀ·Q/√d.
 */
export function slicedAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor3D,
  kvHeads: number,
): tf.Tensor3D {
  const [n, gt, d] = q.shape;
  const [, t, s] = mask.shape;
  const g = gt / t;
  const scale = 1 / Math.sqrt(d);
  const slice = (x: tf.Tensor, i: number) => tf.squeeze(tf.slice(x, [i, 0, 0], [1, -1, -1]), [0]);
  /** Slice `i`'s probabilities `[g·T, S]` and its q, k, v. */
  const probs = (qs: tf.Tensor, ks: tf.Tensor, vs: tf.Tensor, ms: tf.Tensor, i: number) => {
    const [qi, ki, vi] = [slice(qs, i), slice(ks, i), slice(vs, i)] as tf.Tensor2D[];
    const scores = tf.reshape(tf.mul(tf.matMul(qi, ki, false, true), scale), [g, t, s]);
    const m = tf.reshape(slice(ms, Math.floor(i / kvHeads)), [1, t, s]);
    return { p: tf.reshape(tf.softmax(tf.add(scores, m)), [gt, s]) as tf.Tensor2D, qi, ki, vi };
  };
  const f = tf.customGrad(
    ((qs: tf.Tensor, ks: tf.Tensor, vs: tf.Tensor, ms: tf.Tensor, save: tf.GradSaveFunc) => {
      save([qs, ks, vs, ms]);
      const out = Array.from({ length: n }, (_, i) =>
        tf.tidy(() => {
          const { p, vi } = probs(qs, ks, vs, ms, i);
          return tf.matMul(p, vi); // [g·T, d]
        }));
      const value = tf.stack(out);
      tf.dispose(out);
      return {
        value,
        gradFunc: (dy: tf.Tensor, [sq, sk, sv, sm]: tf.Tensor[]) => {
          const parts = Array.from({ length: n }, (_, i) =>
            tf.tidy(() => {
              const { p, qi, ki, vi } = probs(sq, sk, sv, sm, i);
              const dO = slice(dy, i) as tf.Tensor2D; // [g·T, d]
              const dV = tf.matMul(p, dO, true, false); // [S, d]
              const dP = tf.matMul(dO, vi, false, true); // [g·T, S]
              const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));
              const dQ = tf.mul(tf.matMul(dS, ki), scale); // [g·T, d]
              const dK = tf.mul(tf.matMul(dS, qi, true, false), scale); // [S, d]
              return [dQ, dK, dV];
            }));
          const grads = [0, 1, 2].map((j) => tf.stack(parts.map((x) => x[j])));
          tf.dispose(parts.flat());
          return [...grads, tf.zerosLike(sm)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (f as unknown as (...x: tf.Tensor[]) => tf.Tensor3D)(q, k, v, mask);
}
