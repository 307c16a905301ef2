/**
 * `tf.tidy` for functions returning a {@link LossResult} (private).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LossResult } from "./types.ts";

/** Runs `fn` in `tf.tidy`, keeping only the loss and metric scalars it returns. */
export function _tidyLoss(fn: () => LossResult): LossResult {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as LossResult;
}
