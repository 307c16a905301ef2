/**
 * Small statistics helpers for results over seeds: mean, sample std, Student-t confidence
 * intervals, and markdown tables of "mean ± CI".
 *
 * @module
 */
export { mean } from "./mean.ts";
export { sampleStd } from "./sample_std.ts";
export { studentTCdf, studentTQuantile } from "./student_t.ts";
export { summarize } from "./summarize.ts";
export type { SummarizeOptions, Summary } from "./summarize.ts";
export { formatMeanCi } from "./format_mean_ci.ts";
export type { FormatMeanCiOptions } from "./format_mean_ci.ts";
export { markdownTable } from "./markdown_table.ts";
export type { Align, Column } from "./markdown_table.ts";
