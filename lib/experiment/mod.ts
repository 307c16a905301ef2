/**
 * Experiments: studies of variants × seeds × a scale preset, resolved into one JSON config,
 * run cell by cell into `runs/<id>/` (resumable), and summarised as mean ± 95% CI tables and
 * charts (DESIGN §5 "Experiments and notebooks").
 *
 * In a notebook: `const run = await runStudy({ study: STUDIES["diff-method-masks"] });` then
 * display `run.table` and the charts of `run.plots`.
 *
 * @module
 */
export type {
  AnyStudy,
  BarPlot,
  CellContext,
  CellProgress,
  CellResult,
  ExperimentConfig,
  MetricSpec,
  MetricsRecord,
  Preset,
  ResultRecord,
  RunManifest,
  Scale,
  Study,
  StudyPlot,
  StudyPlotKind,
  SweepPlot,
  Variant,
} from "./types.ts";
export { applyOverrides, type Json } from "./overrides.ts";
export { KIT_VERSION } from "./kit_version.ts";
export { canonicalJson } from "./canonical_json.ts";
export { configHash } from "./config_hash.ts";
export { configDiff, type ConfigDifference } from "./config_diff.ts";
export { resolveConfig, variantBase, variantOverrides } from "./resolve_config.ts";
export { summarizeResults, type SummaryRow } from "./summarize_results.ts";
export { resultsMarkdown, type ResultsMarkdownInput } from "./results_markdown.ts";
export {
  curveRows,
  type NamedSpec,
  studyPlotSpecs,
  type StudyPlotSpecsInput,
} from "./study_plot_specs.ts";
export {
  cellKey,
  RUN_FILES,
  type RunEvent,
  runStudy,
  type RunStudyOptions,
  type RunStudyResult,
  selectVariants,
} from "./run_study.ts";
