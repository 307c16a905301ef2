/**
 * RPO and Target-RPO losses (Eq. 7-8).
 *
 * @module
 */
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA, _DEFAULT_LAMBDA, _maskedDpo, _withNll } from "./_dpo_core.ts";
import type { LossOptions, LossResult, PreferenceLossInputs } from "./types.ts";

/**
 * RPO, Eq. 7-8: DPO (Eq. 2) plus `lambda * NLL(y+)`, where
 * `NLL = -(1/|y+|) * sum_i l_i(y+)` is the mean over the chosen completion tokens (EOS
 * included, no diff mask), averaged over the pairs of the batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { rpo } from "./rpo.ts";
 * const l = tf.tensor2d([[-1, -3]]), m = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = rpo({
 *   policy: { chosen: l, rejected: l }, reference: { chosen: l, rejected: l },
 *   masks: { chosen: m, rejected: m, chosenDiff: m, rejectedDiff: m },
 * }, { lambda: 1 });
 * // ln 2 + (1 + 3) / 2
 * equal(Math.abs(r.loss.dataSync()[0] - (Math.LN2 + 2)) < 1e-6, true);
 * ```
 */
export function rpo(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _tidyLoss(() => {
    const dpoPart = _maskedDpo(
      "rpo",
      inputs,
      inputs.masks.chosen,
      inputs.masks.rejected,
      options.beta ?? _DEFAULT_BETA,
    );
    return _withNll(dpoPart, options.lambda ?? _DEFAULT_LAMBDA);
  });
}

/**
 * Target-RPO, Eq. 7-8 on top of Target-DPO (Eq. 4-6): the rejected side uses `m-`, and the NLL
 * term is the same unmasked mean over the chosen completion tokens as in {@link rpo}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { targetRpo } from "./rpo.ts";
 * const l = tf.tensor2d([[-2, -2]]), m = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = targetRpo({
 *   policy: { chosen: l, rejected: l }, reference: { chosen: l, rejected: l },
 *   masks: { chosen: m, rejected: m, chosenDiff: m, rejectedDiff: tf.zeros([1, 2]) },
 * }, { lambda: 0.5 });
 * equal(Math.abs(r.loss.dataSync()[0] - (Math.LN2 + 1)) < 1e-6, true);
 * ```
 */
export function targetRpo(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _tidyLoss(() => {
    const dpoPart = _maskedDpo(
      "target-rpo",
      inputs,
      inputs.masks.chosen,
      inputs.masks.rejectedDiff,
      options.beta ?? _DEFAULT_BETA,
    );
    return _withNll(dpoPart, options.lambda ?? _DEFAULT_LAMBDA);
  });
}
