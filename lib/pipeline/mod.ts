/**
 * Pipelines that assemble library parts into jobs: base-model pretraining on the MiniFlow corpus
 * with its model card, greedy MiniFlow evaluation of a code model, and the preference cell on the
 * kit's GPT or a Hugging Face / GGUF model (cached trajectories or samples → pairs and masks in
 * the model's tokens → preference training → pass@1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pretrainConfig } from "./mod.ts";
 * assert.equal(pretrainConfig("paper").name, "base");
 * assert.equal(pretrainConfig("smoke").preset, "smoke");
 * ```
 *
 * @module
 */
export {
  type PretrainConfig,
  pretrainConfig,
  type PretrainCorpusConfig,
  type PretrainEvalConfig,
  type PretrainModelConfig,
  type PretrainPreset,
  type PretrainTokenizerConfig,
  type PretrainTrainConfig,
  validatePretrainConfig,
} from "./pretrain_config.ts";
export {
  MODEL_CARD_FILES,
  pretrainBase,
  type PretrainOptions,
  type PretrainResult,
} from "./pretrain.ts";
export { EVAL_SET_NAMES, type EvalSetName, type ModelCard, renderModelCard } from "./model_card.ts";
export {
  evaluateMiniflow,
  type EvaluateMiniflowOptions,
  type MiniflowEvalSummary,
  type MiniflowSample,
  summarizeMiniflow,
} from "./evaluate_miniflow.ts";
export * from "./preference.ts";
export * from "./preference_config.ts";
export * from "./preference_dataset.ts";
export * from "./cached_benchmark.ts";
export * from "./cached_trajectories.ts";
export { type CellEvaluation, evalTargetLabel, evaluateCell, targetTasks } from "./cell_eval.ts";
export * from "./cell_store.ts";
export { CURVE_METRICS, tailMetrics, trainCell, type TrainCellOptions } from "./cell_train.ts";
export { type CellDataOptions, type CellModel, openCellModel } from "./cell_model.ts";
export {
  HF_TRAIN_FILES,
  type HfTrainConfig,
  type HfTrainResult,
  modelIdentity,
  trainHfModel,
  type TrainHfModelOptions,
  validateHfTrainConfig,
} from "./hf_train.ts";
