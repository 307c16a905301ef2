/**
 * Hugging Face model folders in the kit (DESIGN §7): `config.json`, safetensors weights (one
 * file or shards, F32/F16/BF16 read into float32), GGUF files (F32/F16/BF16/Q8_0/Q4_0/Q4_1
 * dequantised, tokenizer and chat template from the metadata), and the Qwen2 and Llama forward
 * passes with a key/value cache. Errors name the file, the field and the value.
 *
 * @module
 */
export {
  eosTokenIds,
  HF_FAMILIES,
  type HfConfig,
  type HfFamily,
  ModelFileError,
  parseHfConfig,
  readModelJson,
} from "./config.ts";
export {
  checkHfWeights,
  expectedWeights,
  type HfWeights,
  readHfWeights,
  WEIGHT_FILES,
} from "./weights.ts";
export {
  disposeHfKvCache,
  HfCausalLM,
  type HfCausalLMOptions,
  type HfForwardOptions,
  type HfKvCache,
  type LinearAdapter,
  ropeTables,
} from "./model.ts";
export { loadHfModel, readHfConfig } from "./load_model.ts";
export { codePointToUtf16, type HfEncoding, HfTokenizer, TOKENIZER_MODELS } from "./tokenizer.ts";
export { type ChatMessage, ChatTemplate, readChatTemplate } from "./chat_template.ts";
export {
  encodePrompt,
  type GenerateRow,
  generateText,
  type GenerateTextOptions,
  type GenerateTextResult,
  generateTexts,
  type HfModelFolder,
  type HfStopReason,
  loadHfFolder,
} from "./generate.ts";
export {
  dequantize,
  GGUF_TENSOR_TYPES,
  type GgufFile,
  type GgufTensorInfo,
  type GgufTensorType,
  type GgufValue,
  readGguf,
} from "./gguf.ts";
export { ggufChatTemplate, ggufConfig, ggufWeights, loadGgufFile } from "./gguf_model.ts";
export { GGUF_PRE_TOKENIZERS, ggufTokenId, ggufTokenizerJson } from "./gguf_tokenizer.ts";
export {
  hfOffsetTokenizer,
  hfPreferenceExample,
  type HfPreferenceExampleOptions,
} from "./pair_tokens.ts";
export { fetchModel, type FetchModelOptions, type HubFile, listHubFiles } from "./fetch_model.ts";
export {
  LORA_DEFAULTS,
  LORA_FILES,
  LORA_TARGETS,
  LoraAdapters,
  type LoraConfig,
  type LoraModule,
  loraModules,
  type LoraTarget,
  parsePeftAdapterConfig,
  peftAdapterConfig,
  peftTensorNames,
  resolveLoraConfig,
} from "./lora.ts";
export { HfPolicy, type HfPolicyConfig, type HfPolicyOptions } from "./policy.ts";
export { mergedModel, mergedWeights, writeMergedFolder, writeModelFolder } from "./merge.ts";
