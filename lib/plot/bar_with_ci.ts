/**
 * Bar chart of means with confidence-interval whiskers.
 *
 * @module
 */
import { PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
import type { ChartOptions, LayerSpecOf, VegaLiteSpec } from "./types.ts";
import { _checkFinite, _clipCi } from "./_check_rows.ts";

/** One bar: a variant's mean with its CI, optionally inside a group (benchmark, dataset). */
export interface BarRow {
  readonly variant: string;
  readonly mean: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Bars with the same group stand side by side; groups run along the x axis. */
  readonly group?: string;
  /** The per-seed values behind the mean, drawn as dots over the bar. */
  readonly seeds?: readonly number[];
}

/** Options of {@link barWithCi}. */
export interface BarWithCiOptions extends ChartOptions {
  /** Title of the y axis (the metric, e.g. `pass@1`). */
  readonly yTitle: string;
  /**
   * Title of the x axis.
   * @default {"Variant" without groups, "Group" with groups}
   */
  readonly xTitle?: string;
  /**
   * Fixed y domain, e.g. `[0, 1]` for rates or `[0, 100]` for percentages. The CI whiskers are
   * clipped to it (a rate's interval never goes below 0). The table keeps the unclipped values.
   * @default {zero to the data maximum}
   */
  readonly yDomain?: readonly [number, number];
  /**
   * d3 format of the y axis labels (`".0%"` for rates).
   * @default {undefined: Vega-Lite's default number format}
   */
  readonly yFormat?: string;
  /**
   * Angle of the x labels in degrees (use -30 for long variant names).
   * @default {0}
   */
  readonly xLabelAngle?: number;
  /**
   * Title of the colour legend (shown with groups).
   * @default {"Variant"}
   */
  readonly legendTitle?: string;
}

/**
 * Bar chart of the mean per variant, with error bars from `ciLow` to `ciHigh` (the CI from
 * {@link import("../stats/summarize.ts").summarize}). With `group` set on the rows, the x
 * axis shows groups and the variants of a group stand side by side, coloured by variant.
 *
 * Rows with a `NaN` CI (a single seed) show the bar without a whisker. Rows with `seeds` also
 * show each seed's value as a dot.
 *
 * @example
 * ```ts
 * import { barWithCi } from "./bar_with_ci.ts";
 * import assert from "node:assert/strict";
 * const spec = barWithCi([{ variant: "dpo", mean: 0.5, ciLow: 0.4, ciHigh: 0.6 }], {
 *   title: "pass@1",
 *   yTitle: "pass@1",
 * });
 * assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
 * ```
 */
export function barWithCi(rows: readonly BarRow[], options: BarWithCiOptions): VegaLiteSpec {
  _checkFinite("barWithCi", rows, ["mean"]);
  const grouped = rows.some((r) => r.group !== undefined);
  if (grouped) {
    const i = rows.findIndex((r) => r.group === undefined);
    if (i >= 0) {
      throw new RangeError(
        `barWithCi: expected a group on every row once one row has one, row ${i} (variant ` +
          `${JSON.stringify(rows[i].variant)}) has none`,
      );
    }
  }
  const variants = [...new Set(rows.map((r) => r.variant))];
  const xField = grouped ? "group" : "variant";
  const yScale = options.yDomain ? { domain: [...options.yDomain], zero: true } : { zero: true };
  const yAxis = options.yFormat ? { format: options.yFormat } : {};
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title,
    config: PAPER_CONFIG,
    width: options.width ?? 360,
    height: options.height ?? 220,
    data: { values: rows.map((r) => _clipCi(r, options.yDomain)) },
    encoding: {
      x: {
        field: xField,
        type: "nominal",
        title: options.xTitle ?? (grouped ? "Group" : "Variant"),
        sort: null,
        axis: { labelAngle: options.xLabelAngle ?? 0, labelLimit: 240 },
      },
      ...(grouped ? { xOffset: { field: "variant", type: "nominal", sort: variants } } : {}),
    },
    layer: [
      {
        mark: { type: "bar", width: { band: grouped ? 0.9 : 0.7 } },
        encoding: {
          y: {
            field: "mean",
            type: "quantitative",
            title: options.yTitle,
            scale: yScale,
            axis: yAxis,
          },
          color: {
            field: "variant",
            type: "nominal",
            title: options.legendTitle ?? "Variant",
            sort: variants,
            legend: grouped ? {} : null,
          },
          tooltip: [
            { field: "variant", type: "nominal" },
            ...(grouped ? [{ field: "group", type: "nominal" as const }] : []),
            { field: "mean", type: "quantitative", format: ".4f" },
            { field: "ciLow", type: "quantitative", format: ".4f" },
            { field: "ciHigh", type: "quantitative", format: ".4f" },
          ],
        },
      },
      {
        mark: { type: "errorbar", ticks: { size: 8 }, color: "#222", thickness: 1.2 },
        encoding: {
          y: { field: "ciLow", type: "quantitative", title: options.yTitle },
          y2: { field: "ciHigh" },
        },
      },
      ..._seedDots(rows, xField, grouped, variants),
    ],
  };
}

/** A layer of one dot per seed value, over its bar (none when no row has seeds). */
function _seedDots(
  rows: readonly BarRow[],
  xField: "group" | "variant",
  grouped: boolean,
  variants: readonly string[],
): LayerSpecOf[] {
  const dots = rows.flatMap((r, i) =>
    (r.seeds ?? []).map((value, j) => {
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `barWithCi: expected finite seed values, row ${i} seeds[${j}] is ${value}`,
        );
      }
      return { variant: r.variant, group: r.group, value };
    })
  );
  if (dots.length === 0) return [];
  return [{
    data: { values: dots },
    mark: { type: "point", filled: true, size: 30, color: "#111", opacity: 0.75 },
    encoding: {
      x: { field: xField, type: "nominal", sort: null },
      ...(grouped ? { xOffset: { field: "variant", type: "nominal", sort: [...variants] } } : {}),
      y: { field: "value", type: "quantitative" },
      tooltip: [{ field: "variant", type: "nominal" }, {
        field: "value",
        type: "quantitative",
        format: ".4f",
      }],
    },
  }];
}
