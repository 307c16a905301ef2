/**
 * Metric over a swept hyper-parameter (beta, lambda, k): mean line with a CI band.
 *
 * @module
 */
import { _checkFinite, _clipCi } from "./_check_rows.ts";
import { PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
import type { AxisScale, ChartOptions, LayerSpecOf, VegaLiteSpec } from "./types.ts";

/** One point of a sweep: the mean and CI of a metric at hyper-parameter value `x`. */
export interface SweepRow {
  readonly x: number;
  readonly mean: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Line the point belongs to (a method or a benchmark). */
  readonly series: string;
}

/** A horizontal reference: an arm without the swept value (e.g. SFT beside a λ sweep). */
export interface SweepReference {
  readonly label: string;
  readonly mean: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}

/** Options of {@link sweepChart}. */
export interface SweepChartOptions extends ChartOptions {
  /** Title of the x axis: the swept hyper-parameter, e.g. `β`. */
  readonly xTitle: string;
  /** Title of the y axis: the metric. */
  readonly yTitle: string;
  /**
   * Scale of the x axis; `"log"` for values spread over decades (β = 0.01 … 1).
   * @default {"linear"}
   */
  readonly xScale?: AxisScale;
  /**
   * Fixed y domain, e.g. `[0, 100]` for percentages; the CI bands are clipped to it.
   * @default {the data extent (not forced to include zero)}
   */
  readonly yDomain?: readonly [number, number];
  /**
   * Title of the legend; a chart of one series has no legend.
   * @default {"Series"}
   */
  readonly seriesTitle?: string;
  /**
   * d3 format of the y axis labels.
   * @default {undefined: Vega-Lite's default number format}
   */
  readonly yFormat?: string;
  /**
   * Arms drawn across the whole x range as a dashed grey rule at their mean with a band for
   * their CI and their label at the right end.
   * @default {[]}
   */
  readonly references?: readonly SweepReference[];
}

/**
 * Line chart of the mean metric against a swept hyper-parameter, one coloured line per
 * series, with a translucent band from `ciLow` to `ciHigh` and a point at every swept value.
 *
 * @example
 * ```ts
 * import { sweepChart } from "./sweep_chart.ts";
 * import assert from "node:assert/strict";
 * const spec = sweepChart(
 *   [{ x: 0.1, mean: 0.5, ciLow: 0.4, ciHigh: 0.6, series: "target-dpo" }],
 *   { title: "β sweep", xTitle: "β", yTitle: "pass@1", xScale: "log" },
 * );
 * assert.equal(spec.title, "β sweep");
 * ```
 */
export function sweepChart(rows: readonly SweepRow[], options: SweepChartOptions): VegaLiteSpec {
  _checkFinite("sweepChart", rows, ["x", "mean"]);
  const references = options.references ?? [];
  _checkFinite("sweepChart references", references, ["mean", "ciLow", "ciHigh"]);
  const xScale = options.xScale ?? "linear";
  if (xScale === "log") {
    const i = rows.findIndex((r) => r.x <= 0);
    if (i >= 0) {
      throw new RangeError(`sweepChart: a log x axis needs x > 0, found ${rows[i].x} in row ${i}`);
    }
  }
  const series = [...new Set(rows.map((r) => r.series))];
  const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  const x = {
    field: "x",
    type: "quantitative" as const,
    title: options.xTitle,
    scale: xScale === "log"
      ? { type: xScale, nice: false }
      : { type: xScale, zero: false, nice: false },
    axis: { values: xs.length <= 12 ? xs : undefined },
  };
  const y = {
    field: "mean",
    type: "quantitative" as const,
    title: options.yTitle,
    scale: options.yDomain ? { domain: [...options.yDomain] } : { zero: false },
    axis: options.yFormat ? { format: options.yFormat } : {},
  };
  const color = {
    field: "series",
    type: "nominal" as const,
    title: options.seriesTitle ?? "Series",
    sort: series,
    // The band layer comes first; the legend still shows lines. One series needs no legend.
    legend: series.length > 1 ? { symbolType: "stroke", symbolOpacity: 1 } : null,
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: PAPER_CONFIG,
    width: options.width ?? 360,
    height: options.height ?? 220,
    data: { values: rows.map((r) => _clipCi(r, options.yDomain)) },
    encoding: { x, color },
    layer: [
      {
        mark: { type: "errorband", opacity: 0.2, borders: false },
        encoding: {
          y: { field: "ciLow", type: "quantitative", title: options.yTitle },
          y2: { field: "ciHigh" },
        },
      },
      { mark: { type: "line", point: true }, encoding: { y } },
      ...references.flatMap((r) => _referenceLayers(_clipCi(r, options.yDomain), y.title)),
    ],
  };
}

/** One layer of a layered spec. */
/** Band, dashed rule and end label of one reference arm (constant data, no colour encoding). */
function _referenceLayers(r: SweepReference, yTitle: string): LayerSpecOf[] {
  const data = { values: [{ ...r }] };
  const grey = "#6b6b6b";
  return [
    {
      data,
      mark: { type: "rect", color: grey, opacity: 0.12 },
      encoding: {
        y: { field: "ciLow", type: "quantitative", title: yTitle },
        y2: { field: "ciHigh" },
        color: { value: grey },
        x: { value: 0 },
        x2: { value: "width" },
      },
    },
    {
      data,
      mark: { type: "rule", color: grey, strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: {
        y: { field: "mean", type: "quantitative" },
        x: { value: 0 },
        x2: { value: "width" },
        color: { value: grey },
      },
    },
    {
      data,
      mark: { type: "text", align: "right", baseline: "bottom", dy: -2, color: grey },
      encoding: {
        y: { field: "mean", type: "quantitative" },
        x: { value: "width" },
        text: { field: "label" },
        color: { value: grey },
      },
    },
  ];
}
