/**
 * Hybrid loss: half of each batch uses DPO masks, half Target-DPO masks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { _tidyLoss } from "./_tidy_loss.ts";
import { _DEFAULT_BETA, _maskedDpo } from "./_dpo_core.ts";
import { seededPermutation } from "./seeded_permutation.ts";
import type { LossOptions, LossResult, PreferenceLossInputs } from "./types.ts";

/**
 * Which pairs of a batch use the Target-DPO masks in the hybrid variant.
 *
 * Definition: draw `p = seededPermutation(batchSize, seed)`; the pairs at batch positions
 * `p[0] … p[floor(B/2) - 1]` use Target-DPO masks (flag 1), the others DPO masks (flag 0).
 * With an odd batch the extra pair uses DPO. The trainer passes a per-batch seed
 * (`mixSeed(runSeed, step, microStep)`), so the split changes from batch to batch but is
 * reproducible.
 *
 * @returns `[B]` 0/1 flags.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { hybridTargetFlags } from "./hybrid.ts";
 * const f = hybridTargetFlags(4, 3);
 * equal(f.reduce((a, b) => a + b, 0), 2);
 * ```
 */
export function hybridTargetFlags(batchSize: number, seed: number): Float32Array {
  const flags = new Float32Array(batchSize);
  const perm = seededPermutation(batchSize, seed);
  for (let i = 0; i < Math.floor(batchSize / 2); i++) flags[perm[i]] = 1;
  return flags;
}

/**
 * Hybrid (DESIGN §2): per pair, the rejected mask is `m-` (Target-DPO, Eq. 4-6) where
 * `masks.hybridTarget` is 1 and `m = 1` (DPO, Eq. 2) where it is 0; the chosen side uses
 * `m = 1` in both cases. Build the flags with {@link hybridTargetFlags}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { hybrid } from "./hybrid.ts";
 * const l = tf.tensor2d([[-1, -1]]), ones = tf.ones([1, 2]) as tf.Tensor2D;
 * const r = hybrid({
 *   policy: { chosen: l, rejected: l }, reference: { chosen: l, rejected: l },
 *   masks: { chosen: ones, rejected: ones, chosenDiff: ones, rejectedDiff: ones,
 *            hybridTarget: tf.tensor1d([1]) },
 * });
 * equal(Math.abs(r.loss.dataSync()[0] - Math.LN2) < 1e-6, true);
 * ```
 */
export function hybrid(inputs: PreferenceLossInputs, options: LossOptions = {}): LossResult {
  const flags = inputs.masks.hybridTarget;
  if (flags === undefined) {
    throw new Error("loss variant 'hybrid' needs masks.hybridTarget ([B] flags), found none");
  }
  const b = inputs.masks.rejected.shape[0];
  if (flags.shape[0] !== b) {
    throw new Error(`hybrid: masks.hybridTarget has ${flags.shape[0]} flags for a batch of ${b}`);
  }
  return _tidyLoss(() => {
    const f = tf.reshape(flags, [b, 1]); // [B, 1]
    const rejectedMask = tf.add(
      tf.mul(f, inputs.masks.rejectedDiff),
      tf.mul(tf.sub(1, f), inputs.masks.rejected),
    ) as tf.Tensor2D; // [B, T]
    const { loss, metrics } = _maskedDpo(
      "hybrid",
      inputs,
      inputs.masks.chosen,
      rejectedMask,
      options.beta ?? _DEFAULT_BETA,
    );
    return { loss, metrics };
  });
}
