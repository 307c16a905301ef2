/**
 * Mean, sample standard deviation and Student-t confidence interval over seeds.
 *
 * @module
 */
import { mean } from "./mean.ts";
import { sampleStd } from "./sample_std.ts";
import { studentTQuantile } from "./student_t.ts";

/** Summary of a metric over `n` seeds. */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation; `NaN` when `n = 1`. */
  readonly std: number;
  /** `mean - halfWidth`; `NaN` when `n = 1`. */
  readonly ciLow: number;
  /** `mean + halfWidth`; `NaN` when `n = 1`. */
  readonly ciHigh: number;
  /** `t(1 - (1 - confidence) / 2, n - 1) * std / sqrt(n)`; `NaN` when `n = 1`. */
  readonly halfWidth: number;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /**
   * Two-sided confidence level of the interval.
   * @default {0.95}
   */
  readonly confidence?: number;
}

/**
 * Summarises a metric over seeds: mean, sample std and the two-sided Student-t confidence
 * interval `mean ± t(1 - α/2, n - 1) · std / sqrt(n)`.
 *
 * With a single value the interval cannot be estimated: `std`, `halfWidth`, `ciLow` and
 * `ciHigh` are `NaN` (not a zero-width interval, which would claim certainty).
 *
 * @example
 * ```ts
 * import { summarize } from "./summarize.ts";
 * import assert from "node:assert/strict";
 * const s = summarize([1, 2, 3]);
 * assert.equal(s.mean, 2);
 * assert.equal(s.std, 1);
 * assert.equal(s.halfWidth.toFixed(3), "2.484"); // 4.303 / sqrt(3)
 * ```
 */
export function summarize(values: readonly number[], options: SummarizeOptions = {}): Summary {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`summarize: expected confidence in (0, 1), found ${confidence}`);
  }
  const m = mean(values);
  const n = values.length;
  const std = sampleStd(values);
  const halfWidth = n < 2
    ? NaN
    : studentTQuantile(1 - (1 - confidence) / 2, n - 1) * std / Math.sqrt(n);
  return { n, mean: m, std, ciLow: m - halfWidth, ciHigh: m + halfWidth, halfWidth };
}
