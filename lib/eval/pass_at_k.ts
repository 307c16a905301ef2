/**
 * The unbiased pass@k estimator of Chen et al. (2021), "Evaluating Large Language Models Trained
 * on Code", Eq. 1: `pass@k = E_tasks[1 - C(n-c, k) / C(n, k)]`.
 *
 * @module
 */

/**
 * pass@k of one task with `n` samples of which `c` are correct.
 * `1 - C(n-c,k)/C(n,k)` in the numerically stable product form
 * `1 - prod_{i=n-c+1}^{n} (1 - k/i)`; exactly 1 when `n - c < k`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passAtK } from "./pass_at_k.ts";
 * assert.ok(Math.abs(passAtK(5, 2, 1) - 0.4) < 1e-12); // 1 - C(3,1)/C(5,1) = 1 - 3/5
 * assert.equal(passAtK(4, 0, 4), 0);
 * assert.equal(passAtK(4, 1, 4), 1);
 * ```
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`pass@k: n must be an integer >= 1, found ${n}`);
  }
  if (!Number.isInteger(c) || c < 0 || c > n) {
    throw new RangeError(`pass@k: c must be an integer in [0, n=${n}], found ${c}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`pass@k: k must be an integer in [1, n=${n}], found ${k}`);
  }
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Samples drawn (`n`) and correct (`c`) for one task. */
export interface TaskCounts {
  readonly n: number;
  readonly c: number;
}

/**
 * Mean pass@k over tasks. Tasks with fewer than `k` samples are an error (pass@k is undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanPassAtK } from "./pass_at_k.ts";
 * assert.equal(meanPassAtK([{ n: 1, c: 1 }, { n: 1, c: 0 }], 1), 0.5);
 * ```
 */
export function meanPassAtK(tasks: readonly TaskCounts[], k: number): number {
  if (tasks.length === 0) throw new RangeError("pass@k: no tasks");
  let sum = 0;
  for (const t of tasks) sum += passAtK(t.n, t.c, k);
  return sum / tasks.length;
}
