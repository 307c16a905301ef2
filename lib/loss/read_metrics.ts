/**
 * Reading metric scalars back to numbers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LossResult, MetricName } from "./types.ts";

/**
 * Reads every metric of a loss result in one device read-back.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual } from "node:assert/strict";
 * import { readMetrics } from "./read_metrics.ts";
 * const loss = tf.scalar(2);
 * deepStrictEqual(await readMetrics({ loss, metrics: { loss, nll: tf.scalar(1) } }), {
 *   loss: 2,
 *   nll: 1,
 * });
 * ```
 */
export async function readMetrics(
  result: LossResult,
): Promise<Partial<Record<MetricName, number>>> {
  const names = Object.keys(result.metrics) as MetricName[];
  if (names.length === 0) return {};
  const stacked = tf.tidy(() => tf.stack(names.map((n) => result.metrics[n] as tf.Scalar)));
  const values = await stacked.data();
  stacked.dispose();
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}
