/**
 * Mean ± 95% CI over seeds of each metric, per variant.
 *
 * @module
 */
import { summarize, type Summary } from "../stats/mod.ts";
import type { MetricSpec, ResultRecord, Variant } from "./types.ts";

/** One variant's metrics summarised over its seeds. */
export interface SummaryRow {
  readonly variant: string;
  readonly label: string;
  /** Number of seeds with a result. */
  readonly n: number;
  /** Per metric key; absent when no seed has a result yet. */
  readonly metrics: Readonly<Record<string, Summary>>;
}

/**
 * Summarise the results of each variant (in `variants` order) over its seeds with
 * `lib/stats` `summarize` (Student-t 95% CI).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeResults } from "./summarize_results.ts";
 * const r = (seed: number, acc: number) => ({ variant: "a", seed, metrics: { acc } });
 * const [row] = summarizeResults([{ id: "a", label: "A" }], [{ key: "acc" }], [r(0, 1), r(1, 2), r(2, 3)]);
 * assert.equal(row.n, 3);
 * assert.equal(row.metrics.acc.mean, 2);
 * assert.equal(row.metrics.acc.halfWidth.toFixed(3), "2.484");
 * ```
 */
export function summarizeResults(
  variants: readonly Variant[],
  metrics: readonly MetricSpec[],
  results: readonly Pick<ResultRecord, "variant" | "seed" | "metrics">[],
): SummaryRow[] {
  return variants.map((v) => {
    const mine = results.filter((r) => r.variant === v.id);
    const summaries: Record<string, Summary> = {};
    if (mine.length > 0) {
      for (const m of metrics) summaries[m.key] = summarize(mine.map((r) => r.metrics[m.key]));
    }
    return { variant: v.id, label: v.label, n: mine.length, metrics: summaries };
  });
}
