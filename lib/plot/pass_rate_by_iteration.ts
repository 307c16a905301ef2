/**
 * Pass rate by refinement iteration (the paper's Figure 6).
 *
 * @module
 */
import { _checkFinite } from "./_check_rows.ts";
import { PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
import type { ChartOptions, VegaLiteSpec } from "./types.ts";

/** Fraction of tasks passing after `iteration` refinement iterations (0 = first attempt). */
export interface PassRateRow {
  readonly iteration: number;
  /** In `[0, 1]`. */
  readonly passRate: number;
  /** Teacher or data source, e.g. `gpt-4o-mini` or `miniflow-v1`. */
  readonly series: string;
}

/** Options of {@link passRateByIteration}. */
export interface PassRateByIterationOptions extends ChartOptions {
  /**
   * Title of the y axis.
   * @default {"Pass rate"}
   */
  readonly yTitle?: string;
  /**
   * Label each point with its percentage.
   * @default {true for a single series (labels of several lines would collide), else false}
   */
  readonly labels?: boolean;
}

/**
 * Line chart of the pass rate against the refinement iteration, one line per series, y axis
 * in percent from 0 to 100%. The paper reports 36.7% at iteration 0 and 67.5% after 5.
 *
 * @example
 * ```ts
 * import { passRateByIteration } from "./pass_rate_by_iteration.ts";
 * import assert from "node:assert/strict";
 * const spec = passRateByIteration(
 *   [{ iteration: 0, passRate: 0.367, series: "paper" }, { iteration: 5, passRate: 0.675, series: "paper" }],
 *   { title: "Pass rate by iteration" },
 * );
 * assert.equal(spec.title, "Pass rate by iteration");
 * ```
 */
export function passRateByIteration(
  rows: readonly PassRateRow[],
  options: PassRateByIterationOptions,
): VegaLiteSpec {
  _checkFinite("passRateByIteration", rows, ["iteration", "passRate"]);
  rows.forEach((r, i) => {
    if (!Number.isInteger(r.iteration) || r.iteration < 0) {
      throw new RangeError(
        `passRateByIteration: expected a non-negative integer iteration, found ${r.iteration} in row ${i}`,
      );
    }
    if (r.passRate < 0 || r.passRate > 1) {
      throw new RangeError(
        `passRateByIteration: expected passRate in [0, 1], found ${r.passRate} in row ${i}`,
      );
    }
  });
  const series = [...new Set(rows.map((r) => r.series))];
  const iterations = [...new Set(rows.map((r) => r.iteration))].sort((a, b) => a - b);
  const encoding = {
    x: {
      field: "iteration",
      type: "quantitative" as const,
      title: "Refinement iteration",
      // A third of an iteration of padding keeps the end points and their labels off the axes.
      scale: {
        nice: false,
        zero: false,
        domain: [(iterations[0] ?? 0) - 0.3, (iterations.at(-1) ?? 5) + 0.3],
      },
      axis: { values: iterations, format: "d" },
    },
    y: {
      field: "passRate",
      type: "quantitative" as const,
      title: options.yTitle ?? "Pass rate",
      scale: { domain: [0, 1] },
      axis: { format: ".0%" },
    },
    color: { field: "series", type: "nominal" as const, title: "Series", sort: series },
  };
  const showLabels = options.labels ?? series.length === 1;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: PAPER_CONFIG,
    width: options.width ?? 360,
    height: options.height ?? 220,
    data: { values: rows.map((r) => ({ ...r })) },
    encoding,
    layer: [
      { mark: { type: "line", point: true } },
      ...(showLabels
        ? [{
          mark: { type: "text" as const, dy: -10, fontSize: 10 },
          encoding: { text: { field: "passRate", type: "quantitative" as const, format: ".1%" } },
        }]
        : []),
    ],
  };
}
