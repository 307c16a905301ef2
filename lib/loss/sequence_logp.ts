/**
 * Masked sequence log-probability `S(y; m)` and the NLL built from token log-probs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function _checkSameShape(name: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${name}: mask shape [${b.shape}] does not match token log-probs [${a.shape}]`);
  }
}

/**
 * `S(y; m) = sum_i m_i * l_i(y)` (DESIGN §2): a **sum**, not a mean. Masked-out tokens
 * contribute nothing, and an all-zero mask gives exactly 0.
 *
 * @param tokenLogps `[B, T]` per-token log-probs.
 * @param mask `[B, T]` 0/1 constant mask.
 * @returns `[B]` sequence log-probs.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sequenceLogp } from "./sequence_logp.ts";
 * const s = sequenceLogp(tf.tensor2d([[-1, -2, -4]]), tf.tensor2d([[1, 0, 1]]));
 * deepStrictEqual(Array.from(s.dataSync()), [-5]);
 * ```
 */
export function sequenceLogp(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  _checkSameShape("sequenceLogp", tokenLogps, mask);
  return tf.tidy(() => tf.sum(tf.mul(tokenLogps, mask), -1) as tf.Tensor1D); // [B]
}

/**
 * Per-sequence NLL of Eq. 7-8: `NLL = -(1/|y|) * sum_i m_i * l_i(y)`, one value per row `[B]`.
 * A row whose mask is all zeros has NLL 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sequenceNll } from "./sequence_logp.ts";
 * const n = sequenceNll(tf.tensor2d([[-1, -2, -4]]), tf.tensor2d([[1, 0, 1]]));
 * deepStrictEqual(Array.from(n.dataSync()), [2.5]);
 * ```
 */
export function sequenceNll(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  _checkSameShape("sequenceNll", tokenLogps, mask);
  return tf.tidy(() => {
    const count = tf.maximum(tf.sum(mask, -1), 1); // [B]
    return tf.neg(tf.div(tf.sum(tf.mul(tokenLogps, mask), -1), count)) as tf.Tensor1D; // [B]
  });
}
