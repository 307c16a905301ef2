/**
 * Helpers for the loss tests: build inputs from plain arrays and read results.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type LossResult,
  type MetricName,
  type PreferenceLossInputs,
  readMetrics,
} from "../../lib/loss/mod.ts";

/** Plain-array description of a batch of pairs; every field is `[B][T]`. */
export interface PlainBatch {
  readonly policyChosen: number[][];
  readonly policyRejected: number[][];
  readonly refChosen?: number[][];
  readonly refRejected?: number[][];
  readonly chosenMask: number[][];
  readonly rejectedMask: number[][];
  readonly chosenDiff?: number[][];
  readonly rejectedDiff?: number[][];
  readonly hybridTarget?: number[];
}

/** Tensors for a plain batch (diff masks default to the full masks). */
export function inputsOf(b: PlainBatch): PreferenceLossInputs {
  const t = (x: number[][]) => tf.tensor2d(x);
  return {
    policy: { chosen: t(b.policyChosen), rejected: t(b.policyRejected) },
    reference: b.refChosen && b.refRejected
      ? { chosen: t(b.refChosen), rejected: t(b.refRejected) }
      : undefined,
    masks: {
      chosen: t(b.chosenMask),
      rejected: t(b.rejectedMask),
      chosenDiff: t(b.chosenDiff ?? b.chosenMask),
      rejectedDiff: t(b.rejectedDiff ?? b.rejectedMask),
      hybridTarget: b.hybridTarget ? tf.tensor1d(b.hybridTarget) : undefined,
    },
  };
}

/** Reads every metric and disposes the result. */
export async function metricsOf(r: LossResult): Promise<Partial<Record<MetricName, number>>> {
  const m = await readMetrics(r);
  tf.dispose(r as unknown as tf.TensorContainer);
  return m;
}

/** Asserts `|a - b| <= tol` with a message naming both values. */
export function assertClose(actual: number | undefined, expected: number, tol = 1e-6, what = "") {
  if (actual === undefined || !(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what}: expected ${expected} ± ${tol}, found ${actual}`);
  }
}

/** `-log sigmoid(x) = log(1 + e^-x)`. */
export function negLogSigmoid(x: number): number {
  return Math.log1p(Math.exp(-x));
}
