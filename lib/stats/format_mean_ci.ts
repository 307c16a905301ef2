/**
 * "mean ± CI" formatting for tables.
 *
 * @module
 */
import type { Summary } from "./summarize.ts";

/** Options of {@link formatMeanCi}. */
export interface FormatMeanCiOptions {
  /**
   * Digits after the decimal point.
   * @default {3}
   */
  readonly digits?: number;
  /**
   * Factor applied to mean and half-width before formatting (100 shows rates as percentages).
   * @default {1}
   */
  readonly scale?: number;
}

/**
 * Formats a summary as `mean ± halfWidth`, or `mean (n=1)` when the interval is undefined.
 *
 * @example
 * ```ts
 * import { formatMeanCi } from "./format_mean_ci.ts";
 * import { summarize } from "./summarize.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatMeanCi(summarize([1, 2, 3])), "2.000 ± 2.484");
 * assert.equal(formatMeanCi(summarize([0.5]), { digits: 1, scale: 100 }), "50.0 (n=1)");
 * ```
 */
export function formatMeanCi(
  summary: Pick<Summary, "n" | "mean" | "halfWidth">,
  options: FormatMeanCiOptions = {},
): string {
  const digits = options.digits ?? 3;
  const scale = options.scale ?? 1;
  const m = (summary.mean * scale).toFixed(digits);
  if (Number.isNaN(summary.halfWidth)) return `${m} (n=${summary.n})`;
  return `${m} ± ${(summary.halfWidth * scale).toFixed(digits)}`;
}
