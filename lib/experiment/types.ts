/**
 * Types of a study: variants × seeds × a scale preset (DESIGN §5 "Experiments and notebooks"),
 * the resolved {@linkcode ExperimentConfig} written to `runs/<id>/config.json`, and the records a
 * run appends to `results.jsonl` and `metrics.jsonl`.
 *
 * @module
 */
import type { AxisScale } from "../plot/types.ts";
import type { Json } from "./overrides.ts";

import type { PresetName } from "../core/mod.ts";

/** Scale knobs of a preset (number of pairs, train steps, eval tasks, …): plain JSON values. */
export type Scale = Readonly<Record<string, number | string | boolean>>;

/** A scale preset: the seeds every variant runs with, and the scale knobs. */
export interface Preset<S extends Scale = Scale> {
  /** Seeds of every variant; the table reports mean ± 95% CI over them. */
  readonly seeds: readonly number[];
  /** Scale knobs, overridable as `--scale.<knob>=value`. */
  readonly scale: S;
}

/**
 * One arm of a study. Studies add their own JSON fields (for example `method: "lcs"` or
 * `beta: 0.1`); the cell reads them.
 */
export interface Variant {
  /** Stable identifier: letters, digits, `.`, `_`, `-` (it keys results across reruns). */
  readonly id: string;
  /** Human label shown in tables and charts. */
  readonly label: string;
  /**
   * Dotted-key differences from the study's `base` (nanoGPT style: only what differs), for
   * example `{ "train.beta": 0.5 }`. Checked against `base` when the config is resolved; the cell
   * receives the patched base as `ctx.base`.
   * @default {} (no differences)
   */
  readonly set?: Readonly<Record<string, Json>>;
}

/** A metric the study tabulates: a key of `CellResult.metrics`. */
export interface MetricSpec {
  /** Key in `CellResult.metrics` (TRL names such as `rewards/margins` are fine). */
  readonly key: string;
  /**
   * Column header and axis title.
   * @default {the key}
   */
  readonly title?: string;
  /**
   * Digits after the decimal point in tables.
   * @default {3}
   */
  readonly digits?: number;
  /**
   * Factor applied before formatting (100 shows rates as percentages).
   * @default {1}
   */
  readonly scale?: number;
  /**
   * The valid range of the scaled value (`[0, 100]` for a percentage rate): its bar charts get
   * this y axis and their CI whiskers are clipped to it.
   * @default {unbounded}
   */
  readonly range?: readonly [number, number];
}

/** Closed set of chart kinds a study may ask for. */
export type StudyPlotKind = "bar" | "sweep";

/** Bar chart of a metric's mean per variant with 95% CI whiskers. */
export interface BarPlot {
  readonly kind: "bar";
  /** Metric key (one of the study's `metrics`). */
  readonly metric: string;
  /**
   * Chart title.
   * @default {the metric's title}
   */
  readonly title?: string;
  /**
   * Fixed y domain, e.g. `[0, 1]` for rates.
   * @default {the metric's `range`, else zero to the data maximum}
   */
  readonly yDomain?: readonly [number, number];
}

/** Line chart of a metric over a numeric variant field (β, λ, k) with a CI band. */
export interface SweepPlot {
  readonly kind: "sweep";
  /** Metric key (one of the study's `metrics`). */
  readonly metric: string;
  /** Numeric field of every variant swept along the x axis (for example `beta`). */
  readonly field: string;
  /** Title of the x axis (for example `β`). */
  readonly xTitle: string;
  /**
   * Variant field whose value names the line a variant belongs to (for example `loss`).
   * @default {undefined: one line titled after the study}
   */
  readonly seriesField?: string;
  /**
   * Scale of the x axis.
   * @default {"linear"}
   */
  readonly xScale?: AxisScale;
  /**
   * Chart title.
   * @default {"<metric title> vs <xTitle>"}
   */
  readonly title?: string;
}

/** A chart a study asks for. */
export type StudyPlot = BarPlot | SweepPlot;

/**
 * A study: variants × seeds × scale presets, what to tabulate and what to plot. `S` is the type of
 * its scale knobs and `B` of its per-area defaults (`model`, `train`, `synth`, `eval`, …).
 */
export interface Study<
  V extends Variant = Variant,
  S extends Scale = Scale,
  B extends object = object,
> {
  /** Registry name, also the first part of the run id: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** One paragraph: the question the study answers. */
  readonly description: string;
  readonly variants: readonly V[];
  /** `smoke`: seconds to a minute, run in CI; `paper`: the full tiny-scale study. */
  readonly presets: Readonly<Record<PresetName, Preset<S>>>;
  /** Per-area defaults; `--key=value` overrides and variants' `set` apply to them. */
  readonly base: B;
  /** Metrics tabulated in `table.md`, in column order. */
  readonly metrics: readonly MetricSpec[];
  /** Charts written next to `table.md`. */
  readonly plots: readonly StudyPlot[];
  /**
   * Panel titles of the training curves by logged metric name (lib/loss's `METRIC_TITLES`
   * for the preference studies).
   * @default {the metric names}
   */
  readonly curveTitles?: Readonly<Record<string, string>>;
  /**
   * One line on what the numbers are measured on (a preference study's evaluation target),
   * shown under the title of `table.md`.
   * @default {undefined: no such line}
   */
  readonly setting?: (config: ExperimentConfig<V, S, B>) => string;
  /**
   * The default cell: trains and evaluates one (variant, seed). `runStudy`'s `cell` option
   * replaces it (notebooks and tests plug in their own).
   * @default {undefined: runStudy needs a `cell` option}
   */
  cell?(ctx: CellContext<V, S, B>): Promise<CellResult>;
}

/** A study of any variant, scale and base type (the registry's element type). */
export type AnyStudy = Study<Variant, Scale, object>;

/**
 * The resolved config of a run: plain, readonly, JSON-serialisable. `runs/<id>/config.json`
 * stores it, and a resumed run must resolve to the same value.
 */
export interface ExperimentConfig<
  V extends Variant = Variant,
  S extends Scale = Scale,
  B = object,
> {
  readonly study: string;
  readonly preset: PresetName;
  /** The preset's scale knobs after overrides. */
  readonly scale: S;
  readonly seeds: readonly number[];
  readonly variants: readonly V[];
  /** Per-area defaults after overrides (before each variant's `set`). */
  readonly base: B;
}

/** A cell's outcome: the metrics tabulated for its (variant, seed). */
export interface CellResult {
  /** Every metric the study declares, as a finite number; extra keys are stored too. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Progress of the cell in flight, for the stderr line and the ETA. */
export interface CellProgress {
  readonly done: number;
  readonly total: number;
  /**
   * Short note (for example `loss 0.512`).
   * @default {undefined}
   */
  readonly note?: string;
}

/** What a cell gets to do its work. */
export interface CellContext<V extends Variant = Variant, S extends Scale = Scale, B = object> {
  readonly variant: V;
  readonly seed: number;
  readonly config: ExperimentConfig<V, S, B>;
  /** `config.base` with the variant's `set` applied. */
  readonly base: B;
  /** The run folder, for artefacts of the cell (checkpoints, samples). */
  readonly runDir: string;
  /**
   * Append one record (for example `{ step, loss, "rewards/margins": … }`) to `metrics.jsonl`,
   * tagged with the cell. Records with a numeric `step` become training curves.
   */
  logMetrics(record: Readonly<Record<string, Json>>): Promise<void>;
  /**
   * Report progress inside the cell (throttled progress line, ETA). Call it between steps: it
   * throws `Interrupted` (lib/core) once the user interrupted the study.
   */
  progress(p: CellProgress): void;
}

/** One line of `results.jsonl`: a finished (variant, seed). */
export interface ResultRecord {
  readonly schema: "experiment.result/v1";
  /** `<variant>/<seed>`: the cell key (named `taskId` so `resumeJsonl` can resume the file). */
  readonly taskId: string;
  readonly study: string;
  readonly variant: string;
  readonly seed: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly configHash: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  /** Wall-clock time of the cell in milliseconds. */
  readonly wallMs: number;
  /** ISO time the cell finished. */
  readonly finishedAt: string;
}

/** One line of `metrics.jsonl`: a record logged by a cell, tagged with the cell. */
export interface MetricsRecord {
  readonly taskId: string;
  readonly variant: string;
  readonly seed: number;
  readonly [field: string]: Json;
}

/** The content of `runs/<id>/config.json`. */
export interface RunManifest<C = ExperimentConfig> {
  readonly schema: "experiment.config/v1";
  readonly config: C;
  readonly configHash: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly kitVersion: string;
  /** ISO time the run folder was created. */
  readonly createdAt: string;
}
