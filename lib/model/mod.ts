/**
 * The kit's language model: BPE tokenizer with exact offsets, a tiny GPT in tfjs, generation
 * with a KV cache and safetensors checkpoints.
 *
 * @module
 */
export type { CausalLM, CausalLMConfig, GptConfig, ModelTokenizer } from "./types.ts";
export { GPT_CONFIG_DEFAULTS, resolveGptConfig, validateGptConfig } from "./gpt_config.ts";
export { createGpt, disposeKvCache, retainKvCacheRows } from "./gpt.ts";
export type { CachedForward, Gpt, KvCache, LayerKv } from "./gpt.ts";
export { generate } from "./generate.ts";
export { argmax, sampleTopP } from "./sampling.ts";
export { gelu, geluComposite, layerNorm, layerNormComposite, softmaxLast } from "./_fused.ts";
export type { DecodingStrategy, GenerateOptions, GenerateResult, StopReason } from "./generate.ts";
export { BpeTokenizer, SPECIAL_TOKENS, tokenizerFromJson, trainTokenizer } from "./tokenizer.ts";
export type {
  BaseEncoding,
  BpeTokenizerJson,
  DecodeOptions,
  TrainTokenizerOptions,
} from "./tokenizer.ts";
export { CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
export type { Checkpoint, CheckpointConfig } from "./checkpoint.ts";
export {
  decodeFloats,
  decodeSafetensors,
  encodeSafetensors,
  halfTable,
  halfToFloat,
} from "./safetensors.ts";
export type { F32Tensor, SafetensorsEntry, SafetensorsFile } from "./safetensors.ts";
