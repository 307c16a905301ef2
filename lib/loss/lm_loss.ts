/**
 * Plain language-modelling loss for SFT/pre-training on a corpus of texts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { _tidyLoss } from "./_tidy_loss.ts";
import type { LossResult } from "./types.ts";

/**
 * Token-mean cross-entropy over the whole batch: `L = -sum(m * l) / sum(m)` (every unmasked
 * token weighs the same, unlike the per-sequence mean of RPO's NLL). Metrics: `loss` and `nll`
 * (equal here).
 *
 * @param tokenLogps `[B, T]` per-token log-probs.
 * @param mask `[B, T]` 0/1 constant mask (0 on padding).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { languageModelLoss } from "./lm_loss.ts";
 * const r = languageModelLoss(tf.tensor2d([[-1, -2], [-3, -9]]), tf.tensor2d([[1, 1], [1, 0]]));
 * equal(r.loss.dataSync()[0], 2);
 * ```
 */
export function languageModelLoss(tokenLogps: tf.Tensor2D, mask: tf.Tensor2D): LossResult {
  return _tidyLoss(() => {
    const total = tf.sum(tf.mul(tokenLogps, mask));
    const loss = tf.neg(tf.div(total, tf.maximum(tf.sum(mask), 1))) as tf.Scalar;
    return { loss, metrics: { loss, nll: loss } };
  });
}
