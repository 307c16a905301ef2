/**
 * Symmetric-mask ablation of Target-DPO.
 *
 * @module
 */
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA, _maskedDpo } from "./_dpo_core.ts";
import type { LossOptions, LossResult, PreferenceLossInputs } from "./types.ts";

/**
 * Symmetric ablation (DESIGN §2): Eq. 4-6 with the chosen side also masked, to the tokens of
 * `D+`, and the rejected side to `m-` (`D-`). An empty `D+` (a fix that only deletes lines)
 * gives a chosen term of exactly 0.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { symmetric } from "./symmetric.ts";
 * const ones = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = symmetric({
 *   policy: { chosen: tf.tensor2d([[-9, -1]]), rejected: tf.tensor2d([[-1, -1]]) },
 *   reference: { chosen: tf.tensor2d([[-1, -2]]), rejected: tf.tensor2d([[-1, -1]]) },
 *   masks: { chosen: ones, rejected: ones, chosenDiff: tf.tensor2d([[0, 1]]), rejectedDiff: ones },
 * }, { beta: 1 });
 * // only the D+ token counts: reward +1, loss = ln(1 + e^-1)
 * equal(Math.abs(r.loss.dataSync()[0] - Math.log(1 + Math.exp(-1))) < 1e-6, true);
 * ```
 */
export function symmetric(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _tidyLoss(() => {
    const { loss, metrics } = _maskedDpo(
      "symmetric",
      inputs,
      inputs.masks.chosenDiff,
      inputs.masks.rejectedDiff,
      options.beta ?? _DEFAULT_BETA,
    );
    return { loss, metrics };
  });
}
