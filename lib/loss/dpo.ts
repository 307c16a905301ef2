/**
 * DPO loss (Rafailov et al., Eq. 2).
 *
 * @module
 */
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA, _maskedDpo } from "./_dpo_core.ts";
import type { LossOptions, LossResult, PreferenceLossInputs } from "./types.ts";

/**
 * DPO, Eq. 2: `L = -log sigmoid(beta*[S_th(y+;1) - S_ref(y+;1)] - beta*[S_th(y-;1) - S_ref(y-;1)])`,
 * averaged over the batch. Both sides use `m = 1` (every completion token, EOS included).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { dpo } from "./dpo.ts";
 * // policy == reference: margin 0, loss ln 2
 * const l = tf.tensor2d([[-1, -2]]), m = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = dpo({
 *   policy: { chosen: l, rejected: l }, reference: { chosen: l, rejected: l },
 *   masks: { chosen: m, rejected: m, chosenDiff: m, rejectedDiff: m },
 * });
 * equal(Math.abs(r.loss.dataSync()[0] - Math.LN2) < 1e-6, true);
 * ```
 */
export function dpo(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _tidyLoss(() => {
    const { loss, metrics } = _maskedDpo(
      "dpo",
      inputs,
      inputs.masks.chosen,
      inputs.masks.rejected,
      options.beta ?? _DEFAULT_BETA,
    );
    return { loss, metrics };
  });
}
