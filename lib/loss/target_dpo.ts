/**
 * Target-DPO loss (Eq. 4-6).
 *
 * @module
 */
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA, _maskedDpo } from "./_dpo_core.ts";
import type { LossOptions, LossResult, PreferenceLossInputs } from "./types.ts";

/**
 * Target-DPO, Eq. 4-6: Eq. 2 with the rejected side restricted to `m-`
 * (`m-_i = 1` iff token `i` of `y-` overlaps a `D-` line). The chosen side keeps `m = 1`.
 * Policy and reference use the same masks; masked-out tokens are still context, only their
 * loss terms are dropped. With an empty `D-` (`keep` policy) the rejected term is exactly 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { targetDpo } from "./target_dpo.ts";
 * // only the rejected token on D- counts: policy gained 1 nat there over the reference
 * const ones = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = targetDpo({
 *   policy: { chosen: tf.tensor2d([[-1, -1]]), rejected: tf.tensor2d([[-5, -1]]) },
 *   reference: { chosen: tf.tensor2d([[-1, -1]]), rejected: tf.tensor2d([[-5, -2]]) },
 *   masks: { chosen: ones, rejected: ones, chosenDiff: ones, rejectedDiff: tf.tensor2d([[0, 1]]) },
 * }, { beta: 1 });
 * // margin = 0 - 1 = -1, loss = ln(1 + e^1)
 * equal(Math.abs(r.loss.dataSync()[0] - Math.log(1 + Math.E)) < 1e-5, true);
 * ```
 */
export function targetDpo(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _tidyLoss(() => {
    const { loss, metrics } = _maskedDpo(
      "target-dpo",
      inputs,
      inputs.masks.chosen,
      inputs.masks.rejectedDiff,
      options.beta ?? _DEFAULT_BETA,
    );
    return { loss, metrics };
  });
}
