/**
 * Training curves: one panel per metric, one line per series (run or variant).
 *
 * @module
 */
import { _checkFinite } from "./_check_rows.ts";
import { PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
import type { ChartOptions, VegaLiteSpec } from "./types.ts";

/** One logged value: `metric` (TRL name such as `loss`, `rewards/margins`) at `step`. */
export interface CurveRow {
  readonly step: number;
  readonly value: number;
  readonly series: string;
  readonly metric: string;
}

/** Options of {@link trainingCurves}. */
export interface TrainingCurvesOptions extends ChartOptions {
  /**
   * Title of the x axis.
   * @default {"Step"}
   */
  readonly xTitle?: string;
  /**
   * Title of the legend (the series are the study's variants).
   * @default {"Variant"}
   */
  readonly seriesTitle?: string;
  /**
   * Panels per row before wrapping.
   * @default {3}
   */
  readonly columns?: number;
  /**
   * Centred moving-average window in steps drawn as the main line, with the raw values as a faint
   * line behind it (per-step losses of small batches are noisy); `1` draws the raw values only.
   * @default {1}
   */
  readonly smoothing?: number;
}

/**
 * Small multiples of training metrics: a panel per `metric` (in first-seen order, each with
 * its own y scale) and a coloured line per `series`. `width`/`height` size one panel
 * (defaults 240 × 160).
 *
 * @example
 * ```ts
 * import { trainingCurves } from "./training_curves.ts";
 * import assert from "node:assert/strict";
 * const spec = trainingCurves([{ step: 0, value: 0.69, series: "dpo", metric: "loss" }], {
 *   title: "Training",
 * });
 * assert.equal(spec.title, "Training");
 * ```
 */
export function trainingCurves(
  rows: readonly CurveRow[],
  options: TrainingCurvesOptions,
): VegaLiteSpec {
  _checkFinite("trainingCurves", rows, ["step", "value"]);
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const series = [...new Set(rows.map((r) => r.series))];
  const smoothing = options.smoothing ?? 1;
  if (!Number.isInteger(smoothing) || smoothing < 1) {
    throw new RangeError(`trainingCurves: smoothing must be an integer >= 1, found ${smoothing}`);
  }
  const y = { field: "value", type: "quantitative" as const, title: null, scale: { zero: false } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: PAPER_CONFIG,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { field: "metric", type: "nominal", title: null, sort: metrics },
    columns: options.columns ?? 3,
    resolve: { scale: { y: "independent" }, axis: { x: "independent" } },
    spec: {
      width: options.width ?? 240,
      height: options.height ?? 160,
      encoding: {
        x: {
          field: "step",
          type: "quantitative",
          title: options.xTitle ?? "Step",
          axis: { format: "d", tickMinStep: 1 }, // steps are whole numbers: no 1.5
        },
        color: {
          field: "series",
          type: "nominal",
          title: options.seriesTitle ?? "Variant",
          sort: series,
        },
      },
      layer: smoothing === 1 ? [{ mark: { type: "line", strokeWidth: 1.5 }, encoding: { y } }] : [
        { mark: { type: "line", strokeWidth: 1, opacity: 0.25 }, encoding: { y } },
        {
          transform: [{
            window: [{ op: "mean", field: "value", as: "smoothed" }],
            frame: [-Math.floor((smoothing - 1) / 2), Math.ceil((smoothing - 1) / 2)],
            groupby: ["series"],
            sort: [{ field: "step" }],
          }],
          mark: { type: "line", strokeWidth: 1.8 },
          encoding: { y: { ...y, field: "smoothed" } },
        },
      ],
    },
  };
}
