/**
 * The pieces every preference study shares: its variant type, its cell (lib/pipeline's
 * `runPreferenceCell` in a per-cell folder of the run), the common metrics, and a constructor that
 * fills in the shared defaults.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  CellContext,
  CellResult,
  MetricSpec,
  Preset,
  Study,
  StudyPlot,
  Variant,
} from "../lib/experiment/mod.ts";
import { applyOverrides } from "../lib/experiment/mod.ts";
import { METRIC_TITLES } from "../lib/loss/mod.ts";
import { evalTargetLabel, runPreferenceCell } from "../lib/pipeline/mod.ts";
import type { PreferenceBase, PreferenceScale } from "../lib/pipeline/preference_config.ts";
import { PREFERENCE_BASE, PREFERENCE_PRESETS } from "./_defaults.ts";
import type { PresetName } from "../lib/core/mod.ts";

/** A preference arm: its `set` holds the config differences (`train.loss`, `train.beta`, …). */
export interface PreferenceVariant extends Variant {
  /** Numeric value swept along a chart's x axis (β, λ, k), when the study has a sweep. */
  readonly beta?: number;
  readonly lambda?: number;
}

/** A preference study. */
export type PreferenceStudy = Study<PreferenceVariant, PreferenceScale, PreferenceBase>;

/** The kit's checkout (the folder above `experiments/`). */
export const KIT_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** Options of {@linkcode preferenceCell}. */
export interface PreferenceCellOptions {
  /**
   * Shared caches (trajectories, evaluation splits, reference log-probs).
   * @default {"<kit>/runs/cache"}
   */
  readonly cacheDir?: string;
  /**
   * Folder that `model.checkpoint` and `data.trajectoriesFile` resolve against.
   * @default {the kit's checkout}
   */
  readonly rootDir?: string;
}

/**
 * The cell of the preference studies: one (variant, seed) trained and evaluated in
 * `<runDir>/cells/<variant>/<seed>/`.
 */
export function preferenceCell(
  options: PreferenceCellOptions = {},
): (ctx: CellContext<PreferenceVariant, PreferenceScale, PreferenceBase>) => Promise<CellResult> {
  const cacheDir = options.cacheDir ?? join(KIT_ROOT, "runs", "cache");
  const rootDir = options.rootDir ?? KIT_ROOT;
  return async (ctx) => {
    const r = await runPreferenceCell({
      base: ctx.base,
      scale: ctx.config.scale,
      seed: ctx.seed,
      cellDir: join(ctx.runDir, "cells", ctx.variant.id, String(ctx.seed)),
      cacheDir,
      rootDir,
      logMetrics: ctx.logMetrics,
      progress: (p) =>
        ctx.progress({
          done: p.done,
          total: p.total,
          note: p.note === undefined ? p.stage : `${p.stage} ${p.note}`,
        }),
    });
    return { metrics: r.metrics };
  };
}

/** pass@1 columns of every preference table. */
export const PASS_METRICS: readonly MetricSpec[] = [
  { key: "pass@1/test", title: "pass@1 test (%)", digits: 1, scale: 100, range: [0, 100] },
  { key: "pass@1/val", title: "pass@1 val (%)", digits: 1, scale: 100, range: [0, 100] },
];

/** Final training metrics of the preference losses (absent for Ref and the SFT arms). */
export const REWARD_METRICS: readonly MetricSpec[] = [
  { key: "train/rewards/margins", title: "reward margin", digits: 3 },
  {
    key: "train/rewards/accuracies",
    title: "reward accuracy (%)",
    digits: 1,
    scale: 100,
    range: [0, 100],
  },
];

/** Pairs trained on. */
export const PAIR_METRICS: readonly MetricSpec[] = [
  { key: "pairs/kept", title: "pairs", digits: 0 },
];

/** Bar chart of test pass@1. */
export const PASS_BAR: StudyPlot = { kind: "bar", metric: "pass@1/test" };

/**
 * The `table.md` line of a preference study: what test pass@1 is measured on (its evaluation
 * target), and the validation split.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PREFERENCE_BASE, PREFERENCE_PRESETS } from "./_defaults.ts";
import type { PresetName } from "../lib/core/mod.ts";
 * import { preferenceSetting } from "./preference_study.ts";
 * const config = { base: { ...PREFERENCE_BASE, eval: { ...PREFERENCE_BASE.eval, target: "humaneval+" as const } },
 *   scale: PREFERENCE_PRESETS.smoke.scale };
 * assert.equal(preferenceSetting(config), "pass@1 test: HumanEval+, first 3 tasks · pass@1 val: MiniFlow validation split, 2 tasks");
 * assert.equal(
 *   preferenceSetting({ base: PREFERENCE_BASE, scale: PREFERENCE_PRESETS.paper.scale }),
 *   "pass@1 test: MiniFlow test split, 100 tasks · pass@1 val: MiniFlow validation split, 50 tasks",
 * );
 * ```
 */
export function preferenceSetting(
  config: { readonly base: PreferenceBase; readonly scale: PreferenceScale },
): string {
  const e = config.base.eval;
  const n = config.scale.testTasks;
  // A benchmark target without a subset scores its first n tasks; the MiniFlow split is n tasks.
  const tasks = e.tasks !== null
    ? `${e.tasks.length} tasks`
    : `${e.target === "miniflow" ? "" : "first "}${n} tasks`;
  const target = evalTargetLabel({ ...e, tasks: null });
  const setting = `pass@1 test: ${target}, ${tasks} · pass@1 val: MiniFlow validation split, ` +
    `${config.scale.valTasks} tasks`;
  return config.base.model.kind === "kit"
    ? setting
    : `${modelLabel(config.base.model)} · ${setting}`;
}

/**
 * What a real model's results are labelled with: the file or folder name, its prompt format and
 * what trains (never mixed with MiniFlow's tiny-model results).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelLabel } from "./preference_study.ts";
 * const lora = { rank: 8, alpha: 16, dropout: 0.05, targets: ["q_proj" as const] };
 * assert.equal(
 *   modelLabel({ checkpoint: "/m/SmolLM2.gguf", kind: "hf", prompt: "chat", lora, contextLength: 1024 }),
 *   "model: SmolLM2.gguf (Hugging Face, chat prompts, LoRA rank 8)",
 * );
 * ```
 */
export function modelLabel(m: PreferenceBase["model"]): string {
  const name = m.checkpoint.replace(/\/+$/, "").split("/").at(-1);
  if (m.kind === "kit") return `model: ${name} (the kit's GPT)`;
  const trains = m.lora === null ? "every weight" : `LoRA rank ${m.lora.rank}`;
  return `model: ${name} (Hugging Face, ${m.prompt} prompts, ${trains})`;
}

/** What a study file states: everything but the shared presets, base and cell. */
export interface PreferenceStudySpec {
  readonly name: string;
  readonly description: string;
  readonly variants: readonly PreferenceVariant[];
  /**
   * Dotted-key differences from the shared base for every variant of the study.
   * @default {{}}
   */
  readonly baseSet?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /**
   * Sizes per preset, when the study's differ from the shared ones (a real model's steps cost
   * far more than the tiny GPT's). @default {PREFERENCE_PRESETS}
   */
  readonly presets?: Readonly<Record<PresetName, Preset<PreferenceScale>>>;
  /** @default {[...PASS_METRICS, ...PAIR_METRICS]} */
  readonly metrics?: readonly MetricSpec[];
  /** @default {[PASS_BAR]} */
  readonly plots?: readonly StudyPlot[];
}

/**
 * A preference study from what differs: the shared presets and base (with `baseSet` applied),
 * the shared cell.
 */
export function preferenceStudy(spec: PreferenceStudySpec): PreferenceStudy {
  let base: PreferenceBase;
  try {
    base = applyOverrides(
      PREFERENCE_BASE,
      Object.entries(spec.baseSet ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
    );
  } catch (e) {
    throw new Error(`study "${spec.name}": baseSet: ${(e as Error).message}`, { cause: e });
  }
  return {
    name: spec.name,
    description: spec.description,
    variants: spec.variants,
    presets: structuredClone(spec.presets ?? PREFERENCE_PRESETS),
    base,
    metrics: spec.metrics ?? [...PASS_METRICS, ...PAIR_METRICS],
    plots: spec.plots ?? [PASS_BAR],
    curveTitles: METRIC_TITLES,
    setting: preferenceSetting,
    cell: preferenceCell(),
  };
}
