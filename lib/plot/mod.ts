/**
 * Charts for the kit: paper-styled Vega-Lite specs, headless SVG/PNG export, inline notebook
 * display, and HTML views of token masks.
 *
 * Specs are plain JSON objects; `savePlot` writes `name.vl.json`, `name.svg` and `name.png`.
 * PNG export loads resvg lazily and needs `--allow-ffi --allow-sys`.
 *
 * In a notebook under `notebooks/`: `import { displayChart, barWithCi } from "../lib/plot/mod.ts";`
 * then `await displayChart(barWithCi(rows, { title: "pass@1", yTitle: "pass@1" }));`.
 *
 * @module
 */
export type { AxisScale, ChartOptions, VegaLiteSpec } from "./types.ts";
export { CHART_FONT, PALETTE, PAPER_CONFIG, VEGA_LITE_SCHEMA } from "./theme.ts";
export { barWithCi } from "./bar_with_ci.ts";
export type { BarRow, BarWithCiOptions } from "./bar_with_ci.ts";
export { sweepChart } from "./sweep_chart.ts";
export type { SweepChartOptions, SweepRow } from "./sweep_chart.ts";
export { trainingCurves } from "./training_curves.ts";
export type { CurveRow, TrainingCurvesOptions } from "./training_curves.ts";
export { passRateByIteration } from "./pass_rate_by_iteration.ts";
export type { PassRateByIterationOptions, PassRateRow } from "./pass_rate_by_iteration.ts";
export { toSvg } from "./to_svg.ts";
export { toPng } from "./to_png.ts";
export type { ToPngOptions } from "./to_png.ts";
export { savePlot } from "./save_plot.ts";
export type { SavedPlot, SavePlotOptions } from "./save_plot.ts";
export { chartBundle, htmlBundle, tableBundle, VEGA_LITE_MIME } from "./mime_bundles.ts";
export type { ChartImages } from "./mime_bundles.ts";
export type { MimeBundle, RowsTable } from "./mime_bundles.ts";
export { displayBundle, displayChart, displayHtml, displayTable, inJupyter } from "./display.ts";
export { ProgressDisplay } from "./progress_display.ts";
export type {
  DisplayChartOptions,
  DisplayHtmlOptions,
  DisplayOptions,
  DisplayTableOptions,
} from "./display.ts";
export { escapeHtml } from "./escape_html.ts";
export { markdownToHtml } from "./markdown_html.ts";
export { maskSegments } from "./mask_segments.ts";
export type { MaskedText, MaskSegment } from "./mask_segments.ts";
export { maskHtml, pairMaskHtml } from "./mask_html.ts";
export type { MaskHtmlOptions, MaskSide, PairMaskView } from "./mask_html.ts";
export { titledSpec } from "./titled_spec.ts";
export { displaySavedPlots, type DisplaySavedPlotsOptions } from "./display_saved_plots.ts";
export { CellGuard, type SkipNote } from "./cell_guard.ts";
export { pairMaskView } from "./pair_mask_view.ts";
