/**
 * Loss closures that connect a {@link CausalLM} to the pure losses of lib/loss.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  languageModelLoss,
  lossForVariant,
  type LossOptions,
  type LossResult,
  type LossVariant,
  needsReference,
  tokenLogps,
  type TokenLogpsMethod,
} from "../loss/mod.ts";
import type { CausalLM } from "../model/types.ts";
import type { LmBatch } from "./lm_data.ts";
import type { PreferenceBatch } from "./preference_data.ts";
import type { LossClosure } from "./types.ts";

/** Options of {@link preferenceLoss}. */
export interface PreferenceLossOptions extends LossOptions {
  readonly variant: LossVariant;
  /** @default {"closed-form"} */
  readonly tokenLogpsMethod?: TokenLogpsMethod;
}

/**
 * The per-batch loss of a preference variant: one forward pass over the `[2B, T]` chosen and
 * rejected sequences, token log-probs, then the variant's pure loss with the batch's constant
 * reference log-probs and masks. The reference model never runs here.
 */
export function preferenceLoss(options: PreferenceLossOptions): LossClosure<PreferenceBatch> {
  const { variant: _variant, tokenLogpsMethod: _method, ...lossOptions } = options;
  const fn = lossForVariant(options.variant);
  const needsRef = needsReference(options.variant);
  return (model: CausalLM, batch: PreferenceBatch): LossResult => {
    const { batchSize: b, length: t } = batch;
    if (needsRef && batch.reference === undefined) {
      throw new Error(
        `loss variant '${options.variant}' needs reference log-probs; the batch has none ` +
          "(compute them with referenceLogps / cachedReferenceLogps)",
      );
    }
    const ids = tf.tensor2d(batch.inputs, [2 * b, t], "int32"); // [2B, T]
    const targets = tf.tensor2d(batch.targets, [2 * b, t], "int32"); // [2B, T]
    const all = modelTokenLogps(model, ids, targets, true, options.tokenLogpsMethod); // [2B, T]
    const chosen = tf.slice(all, [0, 0], [b, t]) as tf.Tensor2D; // [B, T]
    const rejected = tf.slice(all, [b, 0], [b, t]) as tf.Tensor2D; // [B, T]
    const m = (x: Float32Array) => tf.tensor2d(x, [b, t]); // [B, T]
    const ref = batch.reference;
    return fn({
      policy: { chosen, rejected },
      reference: ref === undefined
        ? undefined
        : { chosen: m(ref.chosen), rejected: m(ref.rejected) },
      masks: {
        chosen: m(batch.masks.chosen),
        rejected: m(batch.masks.rejected),
        chosenDiff: m(batch.masks.chosenDiff),
        rejectedDiff: m(batch.masks.rejectedDiff),
        hybridTarget: tf.tensor1d(batch.hybridTarget),
      },
    }, lossOptions);
  };
}

/** Options of {@link lmLoss}. */
export interface LmLossOptions {
  /** @default {"closed-form"} */
  readonly tokenLogpsMethod?: TokenLogpsMethod;
}

/** The per-batch loss of plain language modelling (token-mean cross-entropy). */
export function lmLoss(options: LmLossOptions = {}): LossClosure<LmBatch> {
  return (model: CausalLM, batch: LmBatch): LossResult => {
    const { batchSize: b, length: t } = batch;
    const ids = tf.tensor2d(batch.inputs, [b, t], "int32"); // [B, T]
    const targets = tf.tensor2d(batch.targets, [b, t], "int32"); // [B, T]
    const l = modelTokenLogps(model, ids, targets, true, options.tokenLogpsMethod); // [B, T]
    return languageModelLoss(l, tf.tensor2d(batch.mask, [b, t]));
  };
}

/**
 * Log-probs of `targets` after each position of `ids` (`[B, T]` both): the model's own
 * {@linkcode CausalLM.tokenLogps} when it has one (it never holds the `[B, T, V]` logits),
 * otherwise gathered from its logits by `method`.
 */
export function modelTokenLogps(
  model: CausalLM,
  ids: tf.Tensor2D,
  targets: tf.Tensor2D,
  training: boolean,
  method?: TokenLogpsMethod,
): tf.Tensor2D {
  if (model.tokenLogps !== undefined) return model.tokenLogps(ids, targets, training);
  return tokenLogps(model.logits(ids, training), targets, { method });
}
