/**
 * Per-token log-probabilities `l_i = log pi(y_i | x, y_<i)` gathered from logits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * How the target log-prob is gathered (none uses `gatherND`, which has no gradient in tfjs):
 * - `closed-form`: forward `sum_v(logSoftmax(logits) * onehot)`, with the hand-written gradient
 *   `dL/dlogits = dy * (onehot - softmax)`; fastest on wasm (bench/train_bench.ts);
 * - `log-softmax`: the same forward, differentiated by tfjs;
 * - `logsumexp`: `sum_v(logits * onehot) - logsumexp(logits)`, differentiated by tfjs (its
 *   `max` gradient makes the backward pass about 6x slower on wasm).
 */
export type TokenLogpsMethod = "closed-form" | "log-softmax" | "logsumexp";

/** Options of {@link tokenLogps}. */
export interface TokenLogpsOptions {
  /**
   * Gathering formulation; all three agree to float32 rounding, values and gradients.
   * @default {"closed-form"}
   */
  readonly method?: TokenLogpsMethod;
}

/**
 * Log-softmax of `logits` gathered at `targets`, differentiable with respect to `logits`.
 *
 * @param logits `[B, T, V]` next-token logits.
 * @param targets `[B, T]` int32 target ids (padding positions may hold any valid id; mask them).
 * @returns `[B, T]` log-probabilities.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { tokenLogps } from "./token_logps.ts";
 * // uniform logits over V = 2: every token has log-prob ln(1/2)
 * const l = tokenLogps(tf.zeros([1, 1, 2]) as tf.Tensor3D, tf.tensor2d([[1]], [1, 1], "int32"));
 * equal(Math.abs(l.dataSync()[0] - Math.log(0.5)) < 1e-6, true);
 * ```
 */
export function tokenLogps(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  options: TokenLogpsOptions = {},
): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  if (targets.shape[0] !== b || targets.shape[1] !== t) {
    throw new Error(
      `tokenLogps: targets shape [${targets.shape}] does not match logits [${b}, ${t}, ${v}]`,
    );
  }
  const method = options.method ?? "closed-form";
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(targets, "int32"), v).toFloat(); // [B, T, V], constant
    switch (method) {
      case "closed-form":
        return _closedForm(logits, oneHot as tf.Tensor3D);
      case "log-softmax":
        return tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHot), -1) as tf.Tensor2D; // [B, T]
      case "logsumexp": {
        const picked = tf.sum(tf.mul(logits, oneHot), -1); // [B, T]
        return tf.sub(picked, tf.logSumExp(logits, -1)) as tf.Tensor2D; // [B, T]
      }
      default: {
        const unknown: never = method;
        throw new Error(`tokenLogps: unknown method ${JSON.stringify(unknown)}`);
      }
    }
  });
}

/** `sum_v(logSoftmax(x) * oneHot)` with gradient `dy * (oneHot - softmax(x))` (none to oneHot). */
const _closedForm = tf.customGrad(
  // The one-hot is an input (not a closure) so the tape keeps it alive until the backward pass.
  ((x: tf.Tensor, oneHot: tf.Tensor, save: tf.GradSaveFunc) => {
    const logSoftmax = tf.logSoftmax(x, -1); // [B, T, V]
    save([logSoftmax, oneHot]);
    return {
      value: tf.sum(tf.mul(logSoftmax, oneHot), -1), // [B, T]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ls, oh] = saved;
        const dx = tf.mul(tf.expandDims(dy, -1), tf.sub(oh, tf.exp(ls))); // [B, T, V]
        return [dx, tf.zerosLike(oh)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (x: tf.Tensor3D, oneHot: tf.Tensor3D) => tf.Tensor2D;
