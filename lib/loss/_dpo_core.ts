/**
 * The masked DPO objective shared by every preference variant (private).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sequenceLogp, sequenceNll } from "./sequence_logp.ts";
import type { LossResult, MetricName, PreferenceLossInputs, SidedTokenLogps } from "./types.ts";

/** Default `beta` (DESIGN §1.4). */
export const _DEFAULT_BETA = 0.1;
/** Default `lambda` (DESIGN §1.4). */
export const _DEFAULT_LAMBDA = 1;

/** Throws unless the reference log-probs are present. */
export function _requireReference(variant: string, inputs: PreferenceLossInputs): SidedTokenLogps {
  if (inputs.reference === undefined) {
    throw new Error(`loss variant '${variant}' needs reference log-probs, found none`);
  }
  return inputs.reference;
}

/**
 * Masked DPO, Eq. 2 of the DPO paper with the masks of Target-DPO Eq. 4-6:
 *
 *   r+ = beta * [S_th(y+; m+) - S_ref(y+; m+)]
 *   r- = beta * [S_th(y-; m-) - S_ref(y-; m-)]
 *   L  = mean_b  -log sigmoid(r+ - r-)
 *
 * Policy and reference use the same masks. Also returns the TRL metrics and
 * `nll` = mean_b NLL(y+) over all chosen completion tokens (Eq. 7-8, no diff mask).
 */
export function _maskedDpo(
  variant: string,
  inputs: PreferenceLossInputs,
  chosenMask: tf.Tensor2D, // [B, T]
  rejectedMask: tf.Tensor2D, // [B, T]
  beta: number,
): LossResult & { readonly nll: tf.Scalar } {
  const ref = _requireReference(variant, inputs);
  const { policy } = inputs;
  const piChosen = sequenceLogp(policy.chosen, chosenMask); // [B]
  const piRejected = sequenceLogp(policy.rejected, rejectedMask); // [B]
  const refChosen = sequenceLogp(ref.chosen, chosenMask); // [B]
  const refRejected = sequenceLogp(ref.rejected, rejectedMask); // [B]
  const rewardsChosen = tf.mul(beta, tf.sub(piChosen, refChosen)); // [B]
  const rewardsRejected = tf.mul(beta, tf.sub(piRejected, refRejected)); // [B]
  const margins = tf.sub(rewardsChosen, rewardsRejected); // [B]
  // -log sigmoid(z) = softplus(-z). (tf.logSigmoid is avoided: its custom gradient closes over
  // an input the tape does not keep, which fails on the wasm backend.)
  const loss = tf.mean(tf.softplus(tf.neg(margins))) as tf.Scalar;
  const nll = tf.mean(sequenceNll(policy.chosen, inputs.masks.chosen)) as tf.Scalar;
  const metrics: Partial<Record<MetricName, tf.Scalar>> = {
    "loss": loss,
    "nll": nll,
    "rewards/chosen": tf.mean(rewardsChosen),
    "rewards/rejected": tf.mean(rewardsRejected),
    "rewards/margins": tf.mean(margins),
    "rewards/accuracies": tf.mean(tf.cast(tf.greater(rewardsChosen, rewardsRejected), "float32")),
    "logps/chosen": tf.mean(piChosen),
    "logps/rejected": tf.mean(piRejected),
  };
  return { loss, metrics, nll };
}

/** Adds `lambda * nll` (RPO, Eq. 7-8) to a masked-DPO result and updates the `loss` metric. */
export function _withNll(
  result: LossResult & { readonly nll: tf.Scalar },
  lambda: number,
): LossResult {
  const loss = tf.add(result.loss, tf.mul(lambda, result.nll)) as tf.Scalar;
  return { loss, metrics: { ...result.metrics, loss } };
}
