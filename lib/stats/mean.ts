/**
 * Arithmetic mean.
 *
 * @module
 */
import { _checkValues } from "./_check_values.ts";

/**
 * Arithmetic mean of a non-empty list of finite numbers.
 *
 * @example
 * ```ts
 * import { mean } from "./mean.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mean([1, 2, 3]), 2);
 * ```
 */
export function mean(values: readonly number[]): number {
  _checkValues("mean", values);
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
