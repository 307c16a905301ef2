/**
 * Configuration of one preference-training cell (issue 6 item 1): the base checkpoint, the
 * pair data cut from debugging trajectories, the token masks, the training run and the
 * evaluation. Plain, JSON-serialisable data: studies hold it as their `base` (what is the same
 * for every preset) and {@link PreferenceScale} (the sizes that differ between presets).
 *
 * @module
 */
import {
  BACKEND_KINDS,
  type BackendKind,
  KERNELS_CHOICES,
  type KernelsChoice,
  MATMUL_CHOICES,
  type MatmulChoice,
} from "../backend/mod.ts";
import {
  DIFF_METHODS,
  type DiffMethod,
  EMPTY_REJECTED_POLICIES,
  type EmptyRejectedPolicy,
  oneOf,
  PASS_FAIL_RANKINGS,
  type PassFailRanking,
  SELECTION_RULES,
  type SelectionRule,
  TRAJECTORY_SOURCES,
  type TrajectorySource,
} from "../core/mod.ts";
import type { ContextSpec } from "../diff/mod.ts";
import { BENCHMARK_NAMES } from "../eval/mod.ts";
import {
  LOSS_VARIANTS,
  type LossVariant,
  pickLossOptions,
  type ResolvedLossOptions,
  validateLossOptions,
} from "../loss/mod.ts";
import { type TrainHyperparams, validateTrainHyperparams } from "../train/mod.ts";
import { type LoraConfig, resolveLoraConfig } from "../hf/lora.ts";

/**
 * What a cell trains: a loss variant of DESIGN §2, or `"none"` for the "Ref" arm (no training:
 * the base model is evaluated as is).
 */
export type CellLoss = LossVariant | "none";

/** Every {@link CellLoss}, for validation. */
export const CELL_LOSSES = ["none", ...LOSS_VARIANTS] as const;

/**
 * What a cell's test pass@1 is measured on: `"miniflow"`, the held-out MiniFlow test split (the
 * default), or a benchmark of lib/eval (HumanEval(+), MBPP(+)). The validation pass@1 is always
 * the MiniFlow validation split, so model selection never looks at the target.
 */
export const EVAL_TARGETS = ["miniflow", ...BENCHMARK_NAMES] as const;
/** One of {@linkcode EVAL_TARGETS}. */
export type EvalTarget = typeof EVAL_TARGETS[number];

/** The sampling data source (`data.source: "sampling"`) and its `pass-vs-fail` pairs. */
export interface PreferenceSamplingConfig {
  /** Independent samples per task, the first being the teacher's iteration-0 code. @default {3} */
  readonly samples: number;
  /** Which failing samples are taken first. @default {"random"} */
  readonly ranking: PassFailRanking;
  /** Least pass-rate gap between chosen and rejected (0: any failing sample). @default {0} */
  readonly minGap: number;
  /** Most pairs per task (PLUM and Code-Optimise build several). @default {1} */
  readonly pairsPerTask: number;
}

/** Where the pairs come from and how they are cut (DESIGN §1). */
export interface PreferenceDataConfig {
  /**
   * `debugging` (CodeFlow trajectories) or `sampling` (independent samples paired by the
   * `pass-vs-fail` rule, which `rule` must then be).
   * @default {"debugging"}
   */
  readonly source: TrajectorySource;
  /** Settings of the sampling source (ignored, and left out of the fingerprint, for debugging). */
  readonly sampling: PreferenceSamplingConfig;
  /**
   * A trajectories JSONL file (for example `trajectories.jsonl` of a `deno task synth` run with
   * an `openai` teacher); `null` synthesises MiniFlow trajectories with the offline teacher and
   * caches them per (teacher seed, tasks, first index).
   * @default {null}
   */
  readonly trajectoriesFile: string | null;
  /** Seed of the MiniFlow teacher (task generation and bug plans). @default {1} */
  readonly teacherSeed: number;
  /**
   * First training-split task index of the MiniFlow trajectories (past the base model's
   * pretraining corpus, so the preference data holds new tasks).
   * @default {3000}
   */
  readonly firstIndex: number;
  /** Refinement iterations after iteration 0. @default {5} */
  readonly maxRefinements: number;
  /** Which failing version becomes `y-`. @default {"random"} */
  readonly rule: SelectionRule;
  /** Line-diff method locating `D+`/`D-`. @default {"lcs"} */
  readonly method: DiffMethod;
  /** Rule filter `too-many-lines`: most `D-` lines. @default {20} */
  readonly maxRejectedLines: number;
  /** Rule filter `too-long`: most tokens of `y+` or `y-` (the base tokenizer's count). @default {2048} */
  readonly maxTokens: number;
}

/** Token masks of the rejected (and, for `symmetric`, chosen) completion (DESIGN §2, §3). */
export interface PreferenceMaskConfig {
  /** Diff-augmentation: lines of context `k` around each hunk. @default {0} */
  readonly contextLines: number;
  /**
   * Diff-augmentation with `k` drawn from {1, 2} once per pair per seed (`"random1to2"`); when
   * true, `contextLines` is ignored. A separate flag, so `--mask.randomContext=true` keeps the
   * override's type check.
   * @default {false}
   */
  readonly randomContext: boolean;
  /** Policy when `D-` is empty. @default {"keep"} */
  readonly emptyRejected: EmptyRejectedPolicy;
}

/**
 * The training run of a cell (the preset's {@link PreferenceScale} gives its length): lib/train's
 * shared hyper-parameters and lib/loss's loss hyper-parameters (β of Eq. 2, λ of Eq. 7-8, …),
 * plus what only preference training has.
 */
export interface PreferenceTrainConfig extends ResolvedLossOptions, TrainHyperparams {
  readonly loss: CellLoss;
  /** Most prompt tokens (TRL's `max_prompt_length`; longer prompts keep their end). */
  readonly maxPromptLength: number;
}

/** Greedy pass@1 on the evaluation target and on the MiniFlow validation split. */
export interface PreferenceEvalConfig {
  /** What the test pass@1 is measured on. @default {"miniflow"} */
  readonly target: EvalTarget;
  /**
   * Task ids of a benchmark target to score; `null` takes its first `scale.testTasks` tasks in
   * file order. Must be `null` for `"miniflow"`.
   * @default {null}
   */
  readonly tasks: readonly string[] | null;
  /**
   * More targets the same trained model is scored on (each on its first `scale.testTasks`
   * tasks), as `pass@1/<target>` metrics: one training run, several benchmarks.
   * @default {[]}
   */
  readonly also: readonly EvalTarget[];
  /** MiniFlow seed of the validation and test splits (the base model's). @default {1} */
  readonly seed: number;
  /** Rows decoded together. @default {50} */
  readonly batchSize: number;
}

/**
 * Execution settings: they change how the numbers are computed, not what is computed (results
 * agree to float32 rounding), so they are not part of a cell's fingerprint.
 */
export interface PreferenceRuntimeConfig {
  /** tfjs backend. @default {"wasm"} */
  readonly backend: BackendKind;
  /**
   * Engine of the wasm backend's matrix products (lib/backend.ts `InitBackendOptions.matmul`):
   * `"auto"` uses OpenBLAS where it is installed. The README's tables were trained on
   * `"xnnpack"` (before OpenBLAS); pass `--runtime.matmul=xnnpack` to retrain them bit for bit.
   * @default {"auto"}
   */
  readonly matmul: MatmulChoice;
  /**
   * OpenBLAS threads per product when `matmul` resolves to OpenBLAS. A second thread cuts a step's
   * wall time by about 15% for extra CPU (lib/_native_blas.ts): use 1 when two studies share two
   * cores (parallel `--variants` processes).
   * @default {2}
   */
  readonly blasThreads: number;
  /**
   * Engine of the wasm backend's elementwise, softmax, LayerNorm and transpose kernels
   * (lib/backend.ts `InitBackendOptions.kernels`): `"auto"` uses oneDNN where it is installed.
   * The README's tables were trained on `"wasm"` (before oneDNN); pass `--runtime.kernels=wasm`
   * (with `--runtime.matmul=xnnpack`) to retrain them bit for bit.
   * @default {"auto"}
   */
  readonly kernels: KernelsChoice;
  /**
   * oneDNN threads per kernel when `kernels` resolves to oneDNN; use 1, like `blasThreads`, when
   * two studies share two cores.
   * @default {2}
   */
  readonly dnnThreads: number;
  /** Sandbox worker processes. @default {2} */
  readonly sandboxWorkers: number;
}

/**
 * What a cell's model is: `kit`, a checkpoint of `deno task pretrain` (the kit's own GPT), or
 * `hf`, a Hugging Face folder (Qwen2, Llama) or a GGUF file.
 */
export const MODEL_KINDS = ["kit", "hf"] as const;
/** One of {@linkcode MODEL_KINDS}. */
export type ModelKind = typeof MODEL_KINDS[number];

/** How an `hf` model reads a prompt: one user turn of its chat template, or the raw prompt. */
export const PROMPT_FORMATS = ["chat", "plain"] as const;
/** One of {@linkcode PROMPT_FORMATS}. */
export type PromptFormat = typeof PROMPT_FORMATS[number];

/** The base model a cell trains from (policy and reference start from it). */
export interface PreferenceModelConfig {
  /** The checkpoint folder, HF folder or `.gguf` file; relative to the kit root. */
  readonly checkpoint: string;
  /** @default {"kit"} */
  readonly kind: ModelKind;
  /**
   * `hf` only: prompts of pairs and of the evaluation as one user turn of the model's chat
   * template (instruct models), or raw (`plain`, base models). @default {"chat"}
   */
  readonly prompt: PromptFormat;
  /**
   * `hf` only: the LoRA adapters that train (the reference is the base with them off); `null`
   * trains every weight (small models). @default {rank 8, alpha 16, dropout 0.05, q/k/v/o}
   */
  readonly lora: LoraConfig | null;
  /** `hf` only: tokens per side of a pair (prompt + completion + EOS). @default {1024} */
  readonly contextLength: number;
}

/** Everything a cell needs besides its sizes: a study's `base`. */
export interface PreferenceBase {
  readonly model: PreferenceModelConfig;
  readonly data: PreferenceDataConfig;
  readonly mask: PreferenceMaskConfig;
  readonly train: PreferenceTrainConfig;
  readonly eval: PreferenceEvalConfig;
  readonly runtime: PreferenceRuntimeConfig;
}

/** The sizes of a cell: a study preset's scale knobs. */
export type PreferenceScale = {
  /** MiniFlow tasks synthesised (about a third become pairs); ignored for a trajectories file. */
  readonly tasks: number;
  /** Optimizer updates. */
  readonly steps: number;
  /** Test-split tasks evaluated (greedy pass@1). */
  readonly testTasks: number;
  /** Validation-split tasks evaluated. */
  readonly valTasks: number;
  /** Generated tokens per completion at most. */
  readonly maxNewTokens: number;
};

/**
 * The lib/diff context spec of a mask config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextSpecOf } from "./preference_config.ts";
 * assert.equal(contextSpecOf({ contextLines: 2, randomContext: false, emptyRejected: "keep" }), 2);
 * assert.equal(contextSpecOf({ contextLines: 0, randomContext: true, emptyRejected: "keep" }), "random1to2");
 * ```
 */
export function contextSpecOf(mask: PreferenceMaskConfig): ContextSpec {
  return mask.randomContext ? "random1to2" : mask.contextLines;
}

/**
 * Throw when a field is out of range or not one of its names; the message names the field and
 * the value found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatePreferenceConfig } from "./preference_config.ts";
 * assert.throws(
 *   () => validatePreferenceConfig({ train: { loss: "ipo" } } as never, {} as never),
 *   /train.loss: expected one of none, sft-chosen, .*, found "ipo"/,
 * );
 * ```
 */
export function validatePreferenceConfig(base: PreferenceBase, scale: PreferenceScale): void {
  const where = "preference config";
  const int = (path: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`${where}: ${path}: expected an integer >= ${min}, found ${v}`);
    }
  };
  oneOf(`${where}: train.loss`, base.train?.loss, CELL_LOSSES);
  validateLossOptions(`${where}: train`, pickLossOptions(base.train));
  validateTrainHyperparams(`${where}: train`, base.train);
  int("train.maxPromptLength", base.train.maxPromptLength, 1);
  oneOf(`${where}: data.rule`, base.data.rule, SELECTION_RULES);
  _validateSource(where, base.data);
  _validateModel(where, base.model);
  oneOf(`${where}: data.method`, base.data.method, DIFF_METHODS);
  oneOf(`${where}: mask.emptyRejected`, base.mask.emptyRejected, EMPTY_REJECTED_POLICIES);
  int("mask.contextLines", base.mask.contextLines, 0);
  oneOf(`${where}: mask.randomContext`, base.mask.randomContext, [true, false]);
  for (const key of ["teacherSeed", "firstIndex"] as const) int(`data.${key}`, base.data[key], 0);
  for (const key of ["maxRefinements", "maxRejectedLines", "maxTokens"] as const) {
    int(`data.${key}`, base.data[key], 1);
  }
  _validateEval(where, base.eval);
  int("runtime.sandboxWorkers", base.runtime.sandboxWorkers, 1);
  int("runtime.blasThreads", base.runtime.blasThreads, 1);
  int("runtime.dnnThreads", base.runtime.dnnThreads, 1);
  oneOf(`${where}: runtime.backend`, base.runtime.backend, BACKEND_KINDS);
  oneOf(`${where}: runtime.matmul`, base.runtime.matmul, MATMUL_CHOICES);
  oneOf(`${where}: runtime.kernels`, base.runtime.kernels, KERNELS_CHOICES);
  for (const key of ["tasks", "steps", "maxNewTokens"] as const) int(`scale.${key}`, scale[key], 1);
  for (const key of ["testTasks", "valTasks"] as const) int(`scale.${key}`, scale[key], 0);
}

function _validateModel(where: string, m: PreferenceModelConfig): void {
  oneOf(`${where}: model.kind`, m.kind, MODEL_KINDS);
  oneOf(`${where}: model.prompt`, m.prompt, PROMPT_FORMATS);
  if (!Number.isInteger(m.contextLength) || m.contextLength < 2) {
    throw new Error(
      `${where}: model.contextLength: expected an integer >= 2, found ${m.contextLength}`,
    );
  }
  if (m.lora === null) return;
  try {
    resolveLoraConfig(m.lora);
  } catch (e) {
    throw new Error(`${where}: model.lora: ${(e as Error).message}`, { cause: e });
  }
}

function _validateSource(where: string, data: PreferenceDataConfig): void {
  oneOf(`${where}: data.source`, data.source, TRAJECTORY_SOURCES);
  if (data.source !== "sampling") return;
  if (data.rule !== "pass-vs-fail") {
    throw new Error(
      `${where}: data.rule: the sampling source pairs by "pass-vs-fail", found ` +
        `${JSON.stringify(data.rule)}`,
    );
  }
  const s = data.sampling;
  oneOf(`${where}: data.sampling.ranking`, s.ranking, PASS_FAIL_RANKINGS);
  for (const key of ["samples", "pairsPerTask"] as const) {
    if (!Number.isInteger(s[key]) || s[key] < (key === "samples" ? 2 : 1)) {
      throw new Error(
        `${where}: data.sampling.${key}: expected an integer >= ${key === "samples" ? 2 : 1}, ` +
          `found ${s[key]}`,
      );
    }
  }
  if (!(s.minGap >= 0 && s.minGap <= 1)) {
    throw new Error(
      `${where}: data.sampling.minGap: expected a number in [0, 1], found ${s.minGap}`,
    );
  }
}

function _validateEval(where: string, e: PreferenceEvalConfig): void {
  oneOf(`${where}: eval.target`, e.target, EVAL_TARGETS);
  if (!Array.isArray(e.also)) {
    throw new Error(
      `${where}: eval.also: expected a list of targets, found ${JSON.stringify(e.also)}`,
    );
  }
  for (const t of e.also) oneOf(`${where}: eval.also`, t, EVAL_TARGETS);
  const twice = e.also.find((t, i) => t === e.target || e.also.indexOf(t) !== i);
  if (twice !== undefined) {
    throw new Error(`${where}: eval.also: ${JSON.stringify(twice)} is scored twice`);
  }
  const tasks: unknown = e.tasks;
  if (tasks !== null) {
    if (
      !Array.isArray(tasks) || tasks.length === 0 ||
      !tasks.every((t) => typeof t === "string" && t !== "")
    ) {
      throw new Error(
        `${where}: eval.tasks: expected null or a non-empty list of task ids, found ` +
          JSON.stringify(tasks),
      );
    }
    if (e.target === "miniflow") {
      throw new Error(
        `${where}: eval.tasks: a task subset needs a benchmark target (eval.target is ` +
          `"miniflow"; the MiniFlow test split is sized by scale.testTasks)`,
      );
    }
  }
  for (const key of ["seed", "batchSize"] as const) {
    if (!Number.isInteger(e[key]) || e[key] < (key === "seed" ? 0 : 1)) {
      throw new Error(
        `${where}: eval.${key}: expected an integer >= ${key === "seed" ? 0 : 1}, found ${e[key]}`,
      );
    }
  }
}
