/**
 * Training curves: one panel per metric, one line per series (run or variant).
 *
 * @module
 */
import { _checkFinite } from "./_check_rows.ts";
import { PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
import type { ChartOptions, LayerSpecOf, VegaLiteSpec } from "./types.ts";

/**
 * One logged value: `metric` (TRL name such as `loss`, `rewards/margins`) at `step`; with
 * `low`/`high`, the spread behind it (the range over seeds of a mean over seeds).
 */
export interface CurveRow {
  readonly step: number;
  readonly value: number;
  readonly series: string;
  readonly metric: string;
  readonly low?: number;
  readonly high?: number;
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
  /**
   * Panel titles by metric name (`{ "rewards/margins": "Reward margin" }`).
   * @default {the metric names}
   */
  readonly metricTitles?: Readonly<Record<string, string>>;
}

/**
 * Whole-number tick values from `min` to `max`, at most `maxTicks` of them, spaced 1, 2 or 5
 * times a power of ten. Given as values, not as a tick count, so every Vega version draws the
 * same ticks (JupyterLab's older Vega ignores `tickMinStep` and labels 1, 1.5, 2 as "1 2 2").
 */
export function _integerTicks(min: number, max: number, maxTicks = 6): number[] {
  const lo = Math.ceil(min);
  const hi = Math.floor(max);
  if (hi < lo) return [];
  let step = 1;
  for (let p = 1; (hi - lo) / step > maxTicks - 1; p *= 10) {
    step = [1, 2, 5, 10].map((m) => m * p).find((c) => (hi - lo) / c <= maxTicks - 1) ?? 10 * p;
  }
  const first = Math.ceil(lo / step) * step;
  const out: number[] = [];
  for (let v = first; v <= hi; v += step) out.push(v);
  return out;
}

/**
 * Small multiples of training metrics: a panel per `metric` (in first-seen order, each with
 * its own y scale) and a coloured line per `series`, over a band from `low` to `high` where the
 * rows have them. `width`/`height` size one panel (defaults 170 × 120, so three panels and the
 * legend below them fit a notebook's output column).
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
  const titles = options.metricTitles ?? {};
  const panel = (metric: string) => titles[metric] ?? metric;
  const steps = rows.map((r) => r.step);
  const banded = rows.some((r) => r.low !== undefined && r.high !== undefined);
  const band: LayerSpecOf = {
    mark: { type: "area", opacity: 0.18 },
    encoding: {
      y: { field: "low", type: "quantitative" as const, title: null, scale: { zero: false } },
      y2: { field: "high" },
    },
  };
  const lines: LayerSpecOf[] = smoothing === 1
    ? [{ mark: { type: "line", strokeWidth: 1.5 }, encoding: { y } }]
    : [
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
    ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: PAPER_CONFIG,
    data: { values: rows.map((r) => ({ ...r, panel: panel(r.metric) })) },
    facet: { field: "panel", type: "nominal", title: null, sort: metrics.map(panel) },
    columns: options.columns ?? 3,
    resolve: { scale: { y: "independent" }, axis: { x: "independent" } },
    spec: {
      width: options.width ?? 170,
      height: options.height ?? 120,
      encoding: {
        x: {
          field: "step",
          type: "quantitative",
          title: options.xTitle ?? "Step",
          // steps are whole numbers: no 1.5
          axis: {
            format: "d",
            values: _integerTicks(Math.min(...steps), Math.max(...steps)),
            // Vega-Lite adds tickMinStep 1 for format "d", and Vega then thins n values spanning
            // n - 1 steps to n - 1 of them (1, 2, 3 -> 1, 3); half a step keeps them all.
            tickMinStep: 0.5,
          },
        },
        color: {
          field: "series",
          type: "nominal",
          title: options.seriesTitle ?? "Variant",
          sort: series,
          // The band layer comes first; the legend still shows lines.
          legend: {
            orient: "bottom",
            direction: "horizontal",
            symbolType: "stroke",
            symbolOpacity: 1,
          },
        },
      },
      layer: [...(banded ? [band] : []), ...lines],
    },
  };
}
