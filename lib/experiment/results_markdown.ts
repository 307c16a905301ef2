/**
 * The markdown of `table.md`: mean ± 95% CI per variant, then every variant × seed.
 *
 * @module
 */
import { formatMeanCi, markdownTable } from "../stats/mod.ts";
import type { SummaryRow } from "./summarize_results.ts";
import type { ExperimentConfig, MetricSpec, ResultRecord } from "./types.ts";

/** Inputs of {@linkcode resultsMarkdown}. */
export interface ResultsMarkdownInput {
  readonly config: ExperimentConfig;
  readonly configHash: string;
  readonly description: string;
  /** A line on what the numbers are measured on; `""` for none. @default {""} */
  readonly setting?: string;
  readonly metrics: readonly MetricSpec[];
  readonly summary: readonly SummaryRow[];
  readonly results: readonly ResultRecord[];
  /**
   * Commit of this process's code (`"unknown"` outside a checkout); the header names the commits
   * of the records instead, and this one only when there are none.
   */
  readonly gitCommit: string;
  readonly gitDirty: boolean;
}

/**
 * The header's provenance: every commit the records came from, and "(dirty)" when any record
 * was made from uncommitted changes, so the table agrees with `results.jsonl` on a resumed run.
 */
function _provenance(input: ResultsMarkdownInput): string {
  const from = input.results.length > 0
    ? input.results
    : [{ gitCommit: input.gitCommit, gitDirty: input.gitDirty }];
  const commits = [...new Set(from.map((r) => r.gitCommit.slice(0, 12)))];
  const dirty = from.some((r) => r.gitDirty) ? " (dirty)" : "";
  const many = commits.length > 1 ? ` (cells from ${commits.length} commits)` : "";
  return `git ${commits.map((c) => `\`${c}\``).join(", ")}${dirty}${many}`;
}

/** What `table.md` says of a smoke run, whose numbers only show that the plumbing works. */
const _SMOKE_NOTE =
  "**Smoke preset:** a few steps on a few short tasks, to check the plumbing; the numbers are " +
  "not results (often 0 everywhere). Run the `paper` preset for results.";

function _value(m: MetricSpec, v: number | undefined): string {
  if (v === undefined) return "";
  return (v * (m.scale ?? 1)).toFixed(m.digits ?? 3);
}

/**
 * `table.md` of a run: a header naming study, preset, config hash, commit and seeds; a table with
 * one row per variant (`n` seeds, then `mean ± half-width` of the 95% Student-t CI per metric);
 * and a table with every (variant, seed) raw value and the cell's wall time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsMarkdown } from "./results_markdown.ts";
 * import { summarizeResults } from "./summarize_results.ts";
 * const variants = [{ id: "a", label: "A" }];
 * const metrics = [{ key: "acc" }];
 * const results = [0, 1, 2].map((seed) => ({
 *   schema: "experiment.result/v1" as const, taskId: `a/${seed}`, study: "s", variant: "a", seed,
 *   metrics: { acc: seed + 1 }, configHash: "h", gitCommit: "c", gitDirty: false, wallMs: 1000,
 *   finishedAt: "",
 * }));
 * const md = resultsMarkdown({
 *   config: { study: "s", preset: "smoke", scale: {}, seeds: [0, 1, 2], variants, base: {} },
 *   configHash: "h", description: "", metrics, results, gitCommit: "c", gitDirty: false,
 *   summary: summarizeResults(variants, metrics, results),
 * });
 * assert.ok(md.includes("| A | a | 3 | 2.000 ± 2.484 |"));
 * ```
 */
export function resultsMarkdown(input: ResultsMarkdownInput): string {
  const { config, metrics } = input;
  const titles = metrics.map((m) => m.title ?? m.key);
  const summaryRows = input.summary.map((row) => {
    const out: Record<string, string | number> = { label: row.label, id: row.variant, n: row.n };
    metrics.forEach((m, i) => {
      const s = row.metrics[m.key];
      out[`m${i}`] = s === undefined ? "" : formatMeanCi(s, { digits: m.digits, scale: m.scale });
    });
    return out;
  });
  const metricCols = metrics.map((_, i) => ({
    key: `m${i}`,
    header: titles[i],
    align: "right" as const,
  }));
  const summary = markdownTable(summaryRows, [
    { key: "label", header: "Variant" },
    { key: "id", header: "id" },
    { key: "n", header: "n seeds", align: "right" },
    ...metricCols,
  ]);
  const order = new Map(config.variants.map((v, i) => [v.id, i]));
  const labels = new Map(config.variants.map((v) => [v.id, v.label]));
  const raw = [...input.results]
    .sort((a, b) => (order.get(a.variant)! - order.get(b.variant)!) || a.seed - b.seed)
    .map((r) => {
      const out: Record<string, string | number> = {
        label: labels.get(r.variant) ?? r.variant,
        seed: r.seed,
        wall: (r.wallMs / 1000).toFixed(1),
      };
      metrics.forEach((m, i) => (out[`m${i}`] = _value(m, r.metrics[m.key])));
      return out;
    });
  const rawTable = markdownTable(raw, [
    { key: "label", header: "Variant" },
    { key: "seed", header: "Seed", align: "right" },
    ...metricCols,
    { key: "wall", header: "wall (s)", align: "right" },
  ]);
  const scale = Object.entries(config.scale).map(([k, v]) => `${k}=${v}`).join(", ");
  return [
    `# ${config.study} (${config.preset})`,
    "",
    ...(input.description === "" ? [] : [input.description, ""]),
    ...(input.setting ? [input.setting, ""] : []),
    ...(config.preset === "smoke" ? [_SMOKE_NOTE, ""] : []),
    `config \`${input.configHash}\` · ${_provenance(input)} · seeds ${config.seeds.join(", ")} · ` +
    `scale ${scale === "" ? "(none)" : scale}`,
    "",
    "## Mean ± 95% CI over seeds (Student t)",
    "",
    summary,
    "",
    "## Every variant × seed",
    "",
    rawTable,
    "",
  ].join("\n");
}
