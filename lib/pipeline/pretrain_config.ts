/**
 * Configuration of base-model pretraining on the MiniFlow corpus: plain, JSON-serialisable data
 * with one preset per scale. `paper` produces the committed checkpoint under
 * `data/checkpoints/base/`; `smoke` runs in well under a minute for tests.
 *
 * @module
 */
import type { BackendKind } from "../backend/mod.ts";
import type { PresetName } from "../core/mod.ts";
import { type TrainHyperparams, validateTrainHyperparams } from "../train/mod.ts";
import type { BaseEncoding } from "../model/tokenizer.ts";
import { validateGptConfig } from "../model/mod.ts";

/** Scale presets of {@link pretrainConfig}: lib/core's `PRESET_NAMES`. */
export type PretrainPreset = PresetName;

/** The base corpus: training-split MiniFlow tasks, a fraction with one injected bug. */
export interface PretrainCorpusConfig {
  /** Training-split tasks in the corpus (indexes `0 … tasks-1`). */
  readonly tasks: number;
  /** Fraction `p` of documents whose solution carries one verified bug. @default 0.3 */
  readonly buggyFraction: number;
}

/** Compact BPE vocabulary ({@link ../model/tokenizer.ts}). */
export interface PretrainTokenizerConfig {
  /** Keep a base token seen at least this often. @default 2 */
  readonly minCount: number;
  /** Cap on the vocabulary size; `0` means no cap. @default 0 */
  readonly maxVocabSize: number;
  /** Base merges. @default "cl100k_base" */
  readonly base: BaseEncoding;
}

/** GPT hyper-parameters except `vocabSize` (taken from the tokenizer). */
export interface PretrainModelConfig {
  readonly contextLength: number;
  readonly dModel: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly mlpRatio: number;
  readonly dropout: number;
  /** Initialisation seed. */
  readonly seed: number;
}

/**
 * Optimisation of the plain LM objective through lib/train's trainer: its shared hyper-parameters
 * (`batchSize` counts windows; the paper preset's weight decay is 0.01 and its final LR ratio 0.1)
 * plus the run length and the windows.
 */
export interface PretrainTrainConfig extends TrainHyperparams {
  /** AdamW updates. */
  readonly steps: number;
  /** Tokens per window `T` (at most `model.contextLength`). */
  readonly length: number;
  /** Seed of the window positions. @default 0 */
  readonly dataSeed: number;
}

/** What is measured after training (greedy pass@1 through the sandbox). */
export interface PretrainEvalConfig {
  /**
   * Tasks per held-out split: validation, test, and unseen training-split tasks (indexes after the
   * corpus: same compositions as training, new constants and inputs).
   */
  readonly tasks: number;
  /** Corpus tasks re-prompted to measure what the model learned to write for seen prompts. */
  readonly seenTasks: number;
  /** Generated tokens per completion at most. */
  readonly maxTokens: number;
  /** Rows decoded together. */
  readonly batchSize: number;
}

/** Everything that determines a pretraining run; saved in the model card. */
export interface PretrainConfig {
  /** Checkpoint name (the folder under `data/checkpoints/`). */
  readonly name: string;
  readonly preset: PretrainPreset;
  /** MiniFlow seed of the corpus and of every evaluation split. */
  readonly seed: number;
  readonly corpus: PretrainCorpusConfig;
  readonly tokenizer: PretrainTokenizerConfig;
  readonly model: PretrainModelConfig;
  readonly train: PretrainTrainConfig;
  readonly eval: PretrainEvalConfig;
  /** tfjs backend. @default "wasm" */
  readonly backend: BackendKind;
  /** Sandbox worker processes. @default 2 */
  readonly sandboxWorkers: number;
}

const _PAPER: PretrainConfig = {
  name: "base",
  preset: "paper",
  seed: 1,
  corpus: { tasks: 5000, buggyFraction: 0.3 }, // ~700k tokens: ~2.3 epochs over the run
  tokenizer: { minCount: 2, maxVocabSize: 0, base: "cl100k_base" },
  model: {
    contextLength: 256, // prompt + body: corpus documents are at most ~230 tokens
    dModel: 64, // ~200k parameters: ~1k tokens/s on a shared 2-core wasm machine
    nLayer: 3,
    nHead: 4,
    mlpRatio: 4,
    dropout: 0,
    seed: 0,
  },
  train: {
    steps: 800,
    batchSize: 8,
    length: 256,
    accumulation: 1,
    lr: 4e-3, // tiny models tolerate (and need) a high peak LR to learn in a few minutes
    weightDecay: 0.01,
    gradClipNorm: 1,
    warmupFraction: 0.03,
    minLrRatio: 0.1,
    checkpointEvery: 100,
    dataSeed: 0,
  },
  eval: { tasks: 100, seenTasks: 50, maxTokens: 160, batchSize: 50 },
  backend: "wasm",
  sandboxWorkers: 2,
};

const _SMOKE: PretrainConfig = {
  ..._PAPER,
  name: "smoke",
  preset: "smoke",
  corpus: { tasks: 24, buggyFraction: 0.3 }, // a few thousand tokens
  model: { ..._PAPER.model, contextLength: 256, dModel: 32, nLayer: 1, nHead: 2, mlpRatio: 2 },
  train: { ..._PAPER.train, steps: 40, batchSize: 4, length: 128, lr: 1e-2, checkpointEvery: 20 },
  eval: { tasks: 4, seenTasks: 4, maxTokens: 48, batchSize: 16 },
};

/**
 * The resolved config of a preset (a fresh copy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pretrainConfig } from "./pretrain_config.ts";
 * assert.equal(pretrainConfig("paper").corpus.buggyFraction, 0.3);
 * assert.equal(pretrainConfig("smoke").model.nLayer, 1);
 * ```
 */
export function pretrainConfig(preset: PretrainPreset): PretrainConfig {
  switch (preset) {
    case "paper":
      return structuredClone(_PAPER);
    case "smoke":
      return structuredClone(_SMOKE);
    default: {
      const never: never = preset;
      throw new Error(`unknown pretrain preset ${JSON.stringify(never)} (expected smoke | paper)`);
    }
  }
}

/**
 * Throw when a field is out of range; the message names the field and its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pretrainConfig, validatePretrainConfig } from "./pretrain_config.ts";
 * const c = pretrainConfig("smoke");
 * assert.throws(
 *   () => validatePretrainConfig({ ...c, corpus: { ...c.corpus, buggyFraction: 2 } }),
 *   /corpus.buggyFraction must be in \[0, 1\], found 2/,
 * );
 * ```
 */
export function validatePretrainConfig(config: PretrainConfig): void {
  const int = (path: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`pretrain config: ${path} must be an integer >= ${min}, found ${v}`);
    }
  };
  if (!/^[A-Za-z0-9._-]+$/.test(config.name)) {
    throw new Error(
      `pretrain config: name must match [A-Za-z0-9._-]+, found ${JSON.stringify(config.name)}`,
    );
  }
  const p = config.corpus.buggyFraction;
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`pretrain config: corpus.buggyFraction must be in [0, 1], found ${p}`);
  }
  int("corpus.tasks", config.corpus.tasks, 1);
  int("tokenizer.minCount", config.tokenizer.minCount, 1);
  int("tokenizer.maxVocabSize", config.tokenizer.maxVocabSize, 0);
  validateTrainHyperparams("pretrain config: train", config.train);
  int("train.steps", config.train.steps, 1);
  int("train.length", config.train.length, 1);
  int("eval.tasks", config.eval.tasks, 0);
  int("eval.seenTasks", config.eval.seenTasks, 0);
  int("eval.maxTokens", config.eval.maxTokens, 1);
  int("eval.batchSize", config.eval.batchSize, 1);
  int("sandboxWorkers", config.sandboxWorkers, 1);
  try {
    validateGptConfig({ ...config.model, vocabSize: 1 }); // the vocabulary comes from the corpus
  } catch (e) {
    throw new Error(`pretrain config: model: ${(e as Error).message}`);
  }
  if (config.train.length > config.model.contextLength) {
    throw new Error(
      `pretrain config: train.length (${config.train.length}) exceeds model.contextLength ` +
        `(${config.model.contextLength})`,
    );
  }
}
