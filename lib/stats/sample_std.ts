/**
 * Sample standard deviation (Bessel-corrected).
 *
 * @module
 */
import { _checkValues } from "./_check_values.ts";
import { mean } from "./mean.ts";

/**
 * Sample standard deviation `sqrt(Σ(x - x̄)² / (n - 1))`. It is `NaN` for a single value,
 * where the spread cannot be estimated.
 *
 * @example
 * ```ts
 * import { sampleStd } from "./sample_std.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sampleStd([1, 2, 3]), 1);
 * assert.ok(Number.isNaN(sampleStd([5])));
 * ```
 */
export function sampleStd(values: readonly number[]): number {
  _checkValues("sampleStd", values);
  if (values.length === 1) return NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}
