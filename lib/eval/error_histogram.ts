/**
 * Error taxonomy of failed samples (the paper's Table 18: AssertionError, NameError, TypeError,
 * SyntaxError, IndexError, timeout, …).
 *
 * @module
 */
import type { Verdict } from "../core/mod.ts";

/** What the taxonomy needs of a sample outcome. */
export interface ErrorOutcome {
  readonly verdict: Verdict;
  readonly errorType?: string;
}

/**
 * Category of one outcome: `undefined` for a pass, `timeout` for a sandbox timeout or a per-input
 * time limit (`TimeoutError`), else the Python exception class (`error` when none was reported).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorCategory } from "./error_histogram.ts";
 * assert.equal(errorCategory({ verdict: "fail", errorType: "NameError" }), "NameError");
 * assert.equal(errorCategory({ verdict: "timeout" }), "timeout");
 * assert.equal(errorCategory({ verdict: "pass" }), undefined);
 * ```
 */
export function errorCategory(outcome: ErrorOutcome): string | undefined {
  switch (outcome.verdict) {
    case "pass":
      return undefined;
    case "timeout":
      return "timeout";
    case "fail":
    case "error":
      if (outcome.errorType === "TimeoutError") return "timeout";
      return outcome.errorType ?? "error";
    default: {
      const never: never = outcome.verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

/** Count of each error category, largest first (ties by name). */
export type ErrorHistogram = ReadonlyArray<readonly [category: string, count: number]>;

/**
 * Histogram of the error categories of the failed outcomes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorHistogram } from "./error_histogram.ts";
 * const h = errorHistogram([
 *   { verdict: "fail", errorType: "AssertionError" },
 *   { verdict: "pass" },
 *   { verdict: "timeout" },
 *   { verdict: "fail", errorType: "AssertionError" },
 * ]);
 * assert.deepEqual(h, [["AssertionError", 2], ["timeout", 1]]);
 * ```
 */
export function errorHistogram(outcomes: Iterable<ErrorOutcome>): ErrorHistogram {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const c = errorCategory(o);
    if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
