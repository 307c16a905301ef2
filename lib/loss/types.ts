/**
 * Types shared by the loss functions (DESIGN §2).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** Every loss variant of DESIGN §2, written once; {@link LossVariant} is derived from it. */
export const LOSS_VARIANTS = [
  "sft-chosen",
  "sft-rejected",
  "dpo",
  "target-dpo",
  "rpo",
  "target-rpo",
  "hybrid",
  "symmetric",
] as const;

/** Closed set of loss variants. Dispatch with {@link lossForVariant}. */
export type LossVariant = typeof LOSS_VARIANTS[number];

/** Metric names, identical to TRL's DPO trainer so runs can be compared with theirs. */
export const METRIC_NAMES = [
  "loss",
  "nll",
  "rewards/chosen",
  "rewards/rejected",
  "rewards/margins",
  "rewards/accuracies",
  "logps/chosen",
  "logps/rejected",
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = typeof METRIC_NAMES[number];

/** A reader's name for each metric, for chart panels (the TRL names stay in the files). */
export const METRIC_TITLES: Readonly<Record<MetricName, string>> = {
  "loss": "Loss",
  "nll": "NLL of y+",
  "rewards/chosen": "Reward of y+",
  "rewards/rejected": "Reward of y\u2212",
  "rewards/margins": "Reward margin",
  "rewards/accuracies": "Reward accuracy",
  "logps/chosen": "log p(y+)",
  "logps/rejected": "log p(y\u2212)",
};

/** What every loss returns: the scalar to minimise and its metrics (batch means). */
export interface LossResult {
  /** Scalar loss to differentiate. */
  readonly loss: tf.Scalar;
  /** Metric scalars (means over the batch); `loss` is always present. */
  readonly metrics: Readonly<Partial<Record<MetricName, tf.Scalar>>>;
}

/** Per-token log-probabilities of the chosen and rejected completions, each `[B, T]`. */
export interface SidedTokenLogps {
  /** `l_i(y+)` at target positions, `[B, T]`. */
  readonly chosen: tf.Tensor2D;
  /** `l_i(y-)` at target positions, `[B, T]`. */
  readonly rejected: tf.Tensor2D;
}

/**
 * The 0/1 masks of a batch of pairs, each `[B, T]` and aligned with the token log-probs.
 * They are constants (data), never functions of the differentiated tensors.
 */
export interface PreferenceMasks {
  /** `m = 1`: every completion token of `y+`, EOS included; 0 on prompt and padding. */
  readonly chosen: tf.Tensor2D;
  /** `m = 1`: every completion token of `y-`, EOS included. */
  readonly rejected: tf.Tensor2D;
  /** Tokens of `y+` on `D+` lines (symmetric ablation). */
  readonly chosenDiff: tf.Tensor2D;
  /**
   * `m-` of Eq. 4-6: tokens of `y-` on `D-` lines, with diff-augmentation and the empty-`D-`
   * policy already applied by the data stage (all zeros for an empty `D-` under `keep`).
   */
  readonly rejectedDiff: tf.Tensor2D;
  /**
   * Hybrid only, `[B]`: 1 where the pair uses the Target-DPO masks, 0 where it uses the DPO
   * masks. Build it with {@link hybridTargetFlags}.
   */
  readonly hybridTarget?: tf.Tensor1D;
}

/** Inputs of every variant. The reference log-probs are constants computed once per dataset. */
export interface PreferenceLossInputs {
  /** Policy `pi_theta` token log-probs (differentiated). */
  readonly policy: SidedTokenLogps;
  /** Frozen reference `pi_ref` token log-probs; required by the preference variants. */
  readonly reference?: SidedTokenLogps;
  readonly masks: PreferenceMasks;
}

/** Hyper-parameters of the losses. */
export interface LossOptions {
  /**
   * Inverse temperature `beta` of Eq. 2.
   * @default {0.1}
   */
  readonly beta?: number;
  /**
   * Weight `lambda` of the NLL term of RPO (Eq. 7-8).
   * @default {1}
   */
  readonly lambda?: number;
}

/** A loss variant as a pure function of its inputs. */
export type PreferenceLossFn = (
  inputs: PreferenceLossInputs,
  options?: LossOptions,
) => LossResult;
