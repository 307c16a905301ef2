/**
 * The Vega-Lite specs of a run's charts: the study's bar and sweep charts, and training curves
 * from `metrics.jsonl`.
 *
 * @module
 */
import { barWithCi, type CurveRow, sweepChart, trainingCurves } from "../plot/mod.ts";
import type { VegaLiteSpec } from "../plot/mod.ts";
import type { Json } from "./overrides.ts";
import type { SummaryRow } from "./summarize_results.ts";
import type { MetricSpec, MetricsRecord, ResultRecord, StudyPlot, Variant } from "./types.ts";

/** A chart to write: `name` is the file stem of `name.vl.json`, `.svg` and `.png`. */
export interface NamedSpec {
  readonly name: string;
  readonly spec: VegaLiteSpec;
}

/** Inputs of {@linkcode studyPlotSpecs}. */
export interface StudyPlotSpecsInput {
  readonly study: string;
  readonly variants: readonly Variant[];
  readonly metrics: readonly MetricSpec[];
  readonly plots: readonly StudyPlot[];
  readonly summary: readonly SummaryRow[];
  /**
   * Records of `metrics.jsonl`; those with a numeric `step` become training curves.
   * @default []
   */
  readonly curves?: readonly MetricsRecord[];
  /**
   * Results of the cells; each bar shows its seeds' values as dots.
   * @default []
   */
  readonly results?: readonly ResultRecord[];
  /**
   * Panel titles of the training curves by logged metric name (the study's `curveTitles`).
   * @default {the metric names}
   */
  readonly curveTitles?: Readonly<Record<string, string>>;
}

function _stem(text: string): string {
  return text.replaceAll(/[^A-Za-z0-9._-]/g, "_");
}

const _TAGS = new Set(["taskId", "variant", "seed", "step"]);

/**
 * Curve rows from `metrics.jsonl` records: every numeric field other than `step` of a record with
 * a numeric `step` is a metric, averaged over seeds at each (variant, step), with the seeds'
 * lowest and highest value as `low`/`high`; series are variant labels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveRows } from "./study_plot_specs.ts";
 * const rec = (seed: number, loss: number) => ({ taskId: `a/${seed}`, variant: "a", seed, step: 1, loss });
 * assert.deepEqual(curveRows([{ id: "a", label: "A" }], [rec(0, 1), rec(1, 2)]), [
 *   { series: "A", metric: "loss", step: 1, value: 1.5, low: 1, high: 2 },
 * ]);
 * ```
 */
export function curveRows(
  variants: readonly Variant[],
  records: readonly MetricsRecord[],
): CurveRow[] {
  const labels = new Map(variants.map((v) => [v.id, v.label]));
  const sums = new Map<
    string,
    { row: Omit<CurveRow, "value">; sum: number; n: number; low: number; high: number }
  >();
  for (const r of records) {
    const step = r.step as Json;
    if (typeof step !== "number" || !Number.isFinite(step)) continue;
    for (const [metric, value] of Object.entries(r)) {
      if (_TAGS.has(metric) || typeof value !== "number" || !Number.isFinite(value)) continue;
      const series = labels.get(r.variant) ?? r.variant;
      const key = JSON.stringify([series, metric, step]);
      const acc = sums.get(key) ??
        { row: { series, metric, step }, sum: 0, n: 0, low: Infinity, high: -Infinity };
      acc.sum += value;
      acc.n++;
      acc.low = Math.min(acc.low, value);
      acc.high = Math.max(acc.high, value);
      sums.set(key, acc);
    }
  }
  return [...sums.values()].map(({ row, sum, n, low, high }) => ({
    ...row,
    value: sum / n,
    low,
    high,
  }));
}

/**
 * Specs of the charts of a run: per study plot, a bar chart of the metric's mean with 95% CI
 * whiskers per variant (`bar_<metric>`) or a sweep line with a CI band over a numeric variant
 * field (`sweep_<metric>_<field>`); plus `training_curves` when `curves` has step records.
 * Metric values are multiplied by the metric's `scale`, as in the table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studyPlotSpecs } from "./study_plot_specs.ts";
 * const summary = [{ variant: "a", label: "A", n: 1, metrics: { acc: { n: 1, mean: 0.5, std: NaN, halfWidth: NaN, ciLow: NaN, ciHigh: NaN } } }];
 * const specs = studyPlotSpecs({
 *   study: "s", variants: [{ id: "a", label: "A" }], metrics: [{ key: "acc" }], summary,
 *   plots: [{ kind: "bar", metric: "acc" }],
 * });
 * assert.deepEqual(specs.map((s) => s.name), ["bar_acc"]);
 * ```
 */
export function studyPlotSpecs(input: StudyPlotSpecsInput): NamedSpec[] {
  const out: NamedSpec[] = [];
  const metricsByKey = new Map(input.metrics.map((m) => [m.key, m]));
  const variants = new Map(input.variants.map((v) => [v.id, v]));
  const done = input.summary.filter((row) => row.n > 0);
  for (const plot of input.plots) {
    const m = metricsByKey.get(plot.metric);
    if (m === undefined) throw new Error(`plot names unknown metric "${plot.metric}"`);
    const title = m.title ?? m.key;
    const k = m.scale ?? 1;
    const stat = (row: SummaryRow) => {
      const s = row.metrics[m.key];
      return { mean: s.mean * k, ciLow: s.ciLow * k, ciHigh: s.ciHigh * k };
    };
    const seeds = (row: SummaryRow) =>
      (input.results ?? []).filter((r) => r.variant === row.variant)
        .map((r) => r.metrics[m.key] * k).filter(Number.isFinite);
    switch (plot.kind) {
      case "bar":
        out.push({
          name: `bar_${_stem(m.key)}`,
          spec: barWithCi(
            done.map((row) => ({ variant: row.label, ...stat(row), seeds: seeds(row) })),
            {
              title: plot.title ?? title,
              yTitle: title,
              // A bounded metric (a rate) gets its full axis, its whiskers clipped to it.
              yDomain: plot.yDomain ?? m.range,
              xLabelAngle: done.some((row) => row.label.length > 8) ? -30 : 0, // 13 px labels collide past ~8 characters
            },
          ),
        });
        break;
      case "sweep": {
        // Arms without the swept field (SFT beside a λ sweep) become horizontal references.
        const field = (row: SummaryRow) =>
          (variants.get(row.variant) as unknown as Record<string, Json>)[plot.field];
        const rows = done.filter((row) => typeof field(row) === "number").map((row) => {
          const v = variants.get(row.variant) as unknown as Record<string, Json>;
          const series = plot.seriesField === undefined ? input.study : String(v[plot.seriesField]);
          return { x: v[plot.field] as number, series, ...stat(row) };
        });
        const references = done.filter((row) => field(row) === undefined).map((row) => ({
          label: row.label,
          ...stat(row),
        }));
        out.push({
          name: `sweep_${_stem(m.key)}_${_stem(plot.field)}`,
          spec: sweepChart(rows, {
            title: plot.title ?? `${title} vs ${plot.xTitle}`,
            xTitle: plot.xTitle,
            yTitle: title,
            xScale: plot.xScale,
            // A bounded metric (a rate) gets its full axis, its bands clipped to it, as bars do.
            yDomain: m.range,
            references,
          }),
        });
        break;
      }
      default: {
        const never: never = plot;
        throw new Error(`unknown plot kind ${JSON.stringify(never)}`);
      }
    }
  }
  const curves = curveRows(input.variants, input.curves ?? []);
  if (curves.length > 0) {
    out.push({
      name: "training_curves",
      spec: trainingCurves(curves, {
        title: `${input.study}: training (mean over seeds; band: their range)`,
        metricTitles: input.curveTitles,
        // about a fifteenth of the run, odd so the window is centred; 1 (raw) for short runs
        smoothing: 2 * Math.floor(Math.max(...curves.map((c) => c.step)) / 30) + 1,
      }),
    });
  }
  return out;
}
