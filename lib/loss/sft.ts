/**
 * SFT baselines: NLL on the chosen ("SFT correct") or rejected ("SFT incorrect") completion.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA } from "./_dpo_core.ts";
import { sequenceLogp, sequenceNll } from "./sequence_logp.ts";
import type { LossOptions, LossResult, MetricName, PreferenceLossInputs } from "./types.ts";

function _sft(side: "chosen" | "rejected", inputs: PreferenceLossInputs, beta: number): LossResult {
  return _tidyLoss(() => {
    const { policy, masks, reference } = inputs;
    const nllChosen = tf.mean(sequenceNll(policy.chosen, masks.chosen)) as tf.Scalar;
    const loss = side === "chosen"
      ? nllChosen
      : tf.mean(sequenceNll(policy.rejected, masks.rejected)) as tf.Scalar;
    const piChosen = sequenceLogp(policy.chosen, masks.chosen); // [B]
    const piRejected = sequenceLogp(policy.rejected, masks.rejected); // [B]
    const metrics: Partial<Record<MetricName, tf.Scalar>> = {
      "loss": loss,
      "nll": nllChosen,
      "logps/chosen": tf.mean(piChosen),
      "logps/rejected": tf.mean(piRejected),
    };
    if (reference !== undefined) {
      // Same rewards as DPO (m = 1 on both sides), so SFT runs are comparable with DPO runs.
      const rc = tf.mul(beta, tf.sub(piChosen, sequenceLogp(reference.chosen, masks.chosen)));
      const rr = tf.mul(beta, tf.sub(piRejected, sequenceLogp(reference.rejected, masks.rejected)));
      metrics["rewards/chosen"] = tf.mean(rc);
      metrics["rewards/rejected"] = tf.mean(rr);
      metrics["rewards/margins"] = tf.mean(tf.sub(rc, rr));
      metrics["rewards/accuracies"] = tf.mean(tf.cast(tf.greater(rc, rr), "float32"));
    }
    return { loss, metrics };
  });
}

/**
 * "SFT correct": `L = mean_b NLL(y+)`, the NLL of Eq. 7-8 (mean over the chosen completion
 * tokens, EOS included, no diff mask) averaged over the batch. Needs no reference; when one is
 * given, the DPO rewards are reported as metrics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { sftChosen } from "./sft.ts";
 * const m = tf.tensor2d([[0, 1, 1]]);
 * const r = sftChosen({
 *   policy: { chosen: tf.tensor2d([[-7, -1, -2]]), rejected: tf.tensor2d([[-7, -9, -9]]) },
 *   masks: { chosen: m, rejected: m, chosenDiff: m, rejectedDiff: m },
 * });
 * equal(r.loss.dataSync()[0], 1.5);
 * ```
 */
export function sftChosen(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _sft("chosen", inputs, options.beta ?? _DEFAULT_BETA);
}

/**
 * "SFT incorrect": `L = mean_b NLL(y-)` over the rejected completion tokens (EOS included).
 * The `nll` metric stays the NLL of `y+`, as in every other variant.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { sftRejected } from "./sft.ts";
 * const m = tf.tensor2d([[0, 1, 1]]);
 * const r = sftRejected({
 *   policy: { chosen: tf.tensor2d([[-7, -1, -2]]), rejected: tf.tensor2d([[-7, -3, -5]]) },
 *   masks: { chosen: m, rejected: m, chosenDiff: m, rejectedDiff: m },
 * });
 * equal(r.loss.dataSync()[0], 4);
 * ```
 */
export function sftRejected(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  return _sft("rejected", inputs, options.beta ?? _DEFAULT_BETA);
}
