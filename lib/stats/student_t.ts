/**
 * Student-t distribution: CDF and quantile (critical value) for any degrees of freedom.
 *
 * @module
 */
import { _regularizedBeta } from "./_special.ts";

function _checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`Student-t: expected degrees of freedom > 0 (finite), found ${df}`);
  }
}

/**
 * Cumulative distribution function `P(T <= t)` of Student's t with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * import { studentTCdf } from "./student_t.ts";
 * import assert from "node:assert/strict";
 * assert.equal(studentTCdf(0, 5), 0.5);
 * assert.equal(Math.round(studentTCdf(4.303, 2) * 1000) / 1000, 0.975);
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  _checkDf(df);
  if (Number.isNaN(t)) throw new RangeError(`studentTCdf: expected a number, found NaN`);
  if (t === 0) return 0.5;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
  const tail = 0.5 * _regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t: the value `t` with `P(T <= t) = p`. The two-sided 95% critical
 * value for `n` samples is `studentTQuantile(0.975, n - 1)`.
 *
 * Computed by bisection on {@link studentTCdf} to a relative precision of 1e-12, so it is not
 * limited to a table of degrees of freedom.
 *
 * @example
 * ```ts
 * import { studentTQuantile } from "./student_t.ts";
 * import assert from "node:assert/strict";
 * assert.equal(studentTQuantile(0.975, 2).toFixed(3), "4.303");
 * assert.equal(studentTQuantile(0.975, 1).toFixed(3), "12.706");
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  _checkDf(df);
  if (!(p > 0 && p < 1)) {
    throw new RangeError(`studentTQuantile: expected a probability in (0, 1), found ${p}`);
  }
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
