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
import type { DiffMethod, EmptyRejectedPolicy, SelectionRule } from "../core/mod.ts";
import type { ContextSpec } from "../diff/mod.ts";
import { LOSS_VARIANTS, type LossVariant } from "../loss/mod.ts";

/**
 * What a cell trains: a loss variant of DESIGN §2, or `"none"` for the "Ref" arm (no training:
 * the base model is evaluated as is).
 */
export type CellLoss = LossVariant | "none";

/** Every {@link CellLoss}, for validation. */
export const CELL_LOSSES: readonly CellLoss[] = ["none", ...LOSS_VARIANTS];

/** Where the pairs come from and how they are cut (DESIGN §1). */
export interface PreferenceDataConfig {
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

/** The training run of a cell (the preset's {@link PreferenceScale} gives its length). */
export interface PreferenceTrainConfig {
  readonly loss: CellLoss;
  /** Inverse temperature of Eq. 2. @default {0.1} */
  readonly beta: number;
  /** Weight of the NLL term of RPO (Eq. 7-8). @default {1} */
  readonly lambda: number;
  /** Peak learning rate. */
  readonly lr: number;
  /** Pairs per micro-batch. */
  readonly batchSize: number;
  /** Micro-batches per update. @default {1} */
  readonly accumulation: number;
  /** Linear warm-up fraction of the cosine schedule. @default {0.03} */
  readonly warmupFraction: number;
  /** Final learning rate as a fraction of the peak. @default {0} */
  readonly minLrRatio: number;
  /** Decoupled weight decay. @default {0} */
  readonly weightDecay: number;
  /** Global-norm gradient clip. @default {1} */
  readonly gradClipNorm: number;
  /** Most prompt tokens (TRL's `max_prompt_length`; longer prompts keep their end). */
  readonly maxPromptLength: number;
  /** Save a resumable trainer checkpoint every N updates (`0`: only after the last). */
  readonly checkpointEvery: number;
}

/** Greedy pass@1 on held-out MiniFlow splits. */
export interface PreferenceEvalConfig {
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

/** Everything a cell needs besides its sizes: a study's `base`. */
export interface PreferenceBase {
  readonly model: {
    /** Base checkpoint folder (policy and reference start from it); relative to the kit root. */
    readonly checkpoint: string;
  };
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
  const oneOf = (path: string, v: unknown, allowed: readonly unknown[]) => {
    if (!allowed.includes(v)) {
      throw new Error(
        `preference config: ${path}: expected one of ${allowed.join(", ")}, found ${
          JSON.stringify(v)
        }`,
      );
    }
  };
  const int = (path: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`preference config: ${path}: expected an integer >= ${min}, found ${v}`);
    }
  };
  const pos = (path: string, v: number) => {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) {
      throw new Error(`preference config: ${path}: expected a number > 0, found ${v}`);
    }
  };
  oneOf("train.loss", base.train?.loss, CELL_LOSSES);
  oneOf("data.rule", base.data.rule, ["random", "first", "last"]);
  oneOf("data.method", base.data.method, ["lcs", "ratcliff", "prefix-suffix"]);
  oneOf("mask.emptyRejected", base.mask.emptyRejected, ["keep", "drop", "anchor"]);
  int("mask.contextLines", base.mask.contextLines, 0);
  oneOf("mask.randomContext", base.mask.randomContext, [true, false]);
  int("data.teacherSeed", base.data.teacherSeed, 0);
  int("data.firstIndex", base.data.firstIndex, 0);
  int("data.maxRefinements", base.data.maxRefinements, 1);
  int("data.maxRejectedLines", base.data.maxRejectedLines, 1);
  int("data.maxTokens", base.data.maxTokens, 1);
  pos("train.beta", base.train.beta);
  if (!(base.train.lambda >= 0)) {
    throw new Error(
      `preference config: train.lambda: expected a number >= 0, found ${base.train.lambda}`,
    );
  }
  pos("train.lr", base.train.lr);
  int("train.batchSize", base.train.batchSize, 1);
  int("train.accumulation", base.train.accumulation, 1);
  int("train.maxPromptLength", base.train.maxPromptLength, 1);
  int("train.checkpointEvery", base.train.checkpointEvery, 0);
  int("eval.seed", base.eval.seed, 0);
  int("eval.batchSize", base.eval.batchSize, 1);
  int("runtime.sandboxWorkers", base.runtime.sandboxWorkers, 1);
  int("runtime.blasThreads", base.runtime.blasThreads, 1);
  int("runtime.dnnThreads", base.runtime.dnnThreads, 1);
  if (!BACKEND_KINDS.includes(base.runtime.backend)) {
    throw new Error(
      `preference config: runtime.backend: expected one of ${BACKEND_KINDS.join(", ")}, ` +
        `found ${JSON.stringify(base.runtime.backend)}`,
    );
  }
  if (!MATMUL_CHOICES.includes(base.runtime.matmul)) {
    throw new Error(
      `preference config: runtime.matmul: expected one of ${MATMUL_CHOICES.join(", ")}, ` +
        `found ${JSON.stringify(base.runtime.matmul)}`,
    );
  }
  if (!KERNELS_CHOICES.includes(base.runtime.kernels)) {
    throw new Error(
      `preference config: runtime.kernels: expected one of ${KERNELS_CHOICES.join(", ")}, ` +
        `found ${JSON.stringify(base.runtime.kernels)}`,
    );
  }
  int("scale.tasks", scale.tasks, 1);
  int("scale.steps", scale.steps, 1);
  int("scale.testTasks", scale.testTasks, 0);
  int("scale.valTasks", scale.valTasks, 0);
  int("scale.maxNewTokens", scale.maxNewTokens, 1);
}
