/**
 * A GGUF file as a model of the kit: its metadata read as the `config.json` it stands for, its
 * tensors dequantised to float32 under their Hugging Face names, its tokenizer and chat template
 * taken from the metadata. Errors name the file and the GGUF key.
 *
 * llama.cpp's converter reorders the rows of a Llama model's q and k projections, so that GGML's
 * RoPE, which rotates adjacent pairs, computes what the Hugging Face model computes by rotating
 * the two halves of each head; {@linkcode _unpermute} restores Hugging Face's order. Qwen2 files
 * use GGML's half-rotating ("NeoX") RoPE and are not reordered.
 *
 * @module
 */
import type { F32Tensor } from "../model/mod.ts";
import { HF_FAMILIES, type HfConfig, ModelFileError, parseHfConfig } from "./config.ts";
import { ChatTemplate } from "./chat_template.ts";
import type { HfModelFolder } from "./generate.ts";
import { type GgufFile, type GgufValue, readGguf } from "./gguf.ts";
import { ggufTokenId, ggufTokenizerJson } from "./gguf_tokenizer.ts";
import { HfCausalLM, type HfCausalLMOptions } from "./model.ts";
import { HfTokenizer } from "./tokenizer.ts";
import { checkHfWeights, type HfWeights } from "./weights.ts";

/** The `config.json` field each GGUF key stands for (`{arch}` is the architecture). */
const _CONFIG_KEYS = {
  hidden_size: "{arch}.embedding_length",
  intermediate_size: "{arch}.feed_forward_length",
  num_hidden_layers: "{arch}.block_count",
  num_attention_heads: "{arch}.attention.head_count",
  num_key_value_heads: "{arch}.attention.head_count_kv",
  head_dim: "{arch}.attention.key_length",
  rms_norm_eps: "{arch}.attention.layer_norm_rms_epsilon",
  rope_theta: "{arch}.rope.freq_base",
  max_position_embeddings: "{arch}.context_length",
  vocab_size: "{arch}.vocab_size",
} as const;

/** Hugging Face names of the per-layer GGUF tensors (`blk.N.<name>`). */
const _LAYER_TENSORS: Readonly<Record<string, string>> = {
  attn_norm: "input_layernorm",
  ffn_norm: "post_attention_layernorm",
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
};
const _TOP_TENSORS: Readonly<Record<string, string>> = {
  "token_embd.weight": "model.embed_tokens.weight",
  "output_norm.weight": "model.norm.weight",
  "output.weight": "lm_head.weight",
};

/** The architecture of `file` (`general.architecture`), one of the kit's families. */
function _architecture(file: GgufFile): HfConfig["family"] {
  const arch = file.metadata.get("general.architecture");
  if (!(HF_FAMILIES as readonly unknown[]).includes(arch)) {
    throw new ModelFileError(
      file.path,
      "general.architecture",
      `${JSON.stringify(arch)} is not supported (known: ${HF_FAMILIES.join(", ")})`,
    );
  }
  return arch as HfConfig["family"];
}

/** `{type, factor}` from `{arch}.rope.scaling.*`, or nothing for no scaling. */
function _ropeScaling(file: GgufFile, arch: string): Record<string, GgufValue> | undefined {
  const type = file.metadata.get(`${arch}.rope.scaling.type`);
  if (type === undefined || type === "none") return undefined;
  if (type !== "linear") {
    throw new ModelFileError(
      file.path,
      `${arch}.rope.scaling.type`,
      `${JSON.stringify(type)} is not supported (the kit implements "none" and "linear")`,
    );
  }
  return { rope_type: "linear", factor: file.metadata.get(`${arch}.rope.scaling.factor`)! };
}

/**
 * The config `file` stands for. The metadata is translated to `config.json` fields and checked
 * by `parseHfConfig`; an error names the GGUF key.
 */
export function ggufConfig(file: GgufFile): HfConfig {
  const arch = _architecture(file);
  const raw: Record<string, unknown> = { model_type: arch };
  for (const [field, key] of Object.entries(_CONFIG_KEYS)) {
    const v = file.metadata.get(key.replace("{arch}", arch));
    if (v !== undefined) raw[field] = v;
  }
  const tokens = file.metadata.get("tokenizer.ggml.tokens");
  raw.vocab_size ??= Array.isArray(tokens) ? tokens.length : undefined;
  raw.rope_scaling = _ropeScaling(file, arch);
  raw.tie_word_embeddings = !file.tensors.has("output.weight");
  if (arch === "llama") raw.attention_bias = file.tensors.has("blk.0.attn_q.bias");
  const rotary = file.metadata.get(`${arch}.rope.dimension_count`);
  let config: HfConfig;
  try {
    config = parseHfConfig(raw, file.path);
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw e;
    const key = _CONFIG_KEYS[e.field as keyof typeof _CONFIG_KEYS]?.replace("{arch}", arch);
    throw new ModelFileError(file.path, key ?? e.field, e.detail);
  }
  if (rotary !== undefined && rotary !== config.headDim) {
    throw new ModelFileError(
      file.path,
      `${arch}.rope.dimension_count`,
      `${rotary} is not supported (the kit rotates whole heads of ${config.headDim})`,
    );
  }
  const eos = ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"]
    .map((k) => ggufTokenId(file, k, config.vocabSize))
    .filter((id): id is number => id !== null);
  return {
    ...config,
    bosTokenId: ggufTokenId(file, "tokenizer.ggml.bos_token_id", config.vocabSize),
    eosTokenIds: [...new Set(eos)],
  };
}

/** The Hugging Face name of a GGUF tensor name, or `undefined`. */
function _hfName(name: string): string | undefined {
  if (name in _TOP_TENSORS) return _TOP_TENSORS[name];
  const m = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(name);
  const layer = m && _LAYER_TENSORS[m[2]];
  return layer ? `model.layers.${m![1]}.${layer}.${m![3]}` : undefined;
}

/**
 * Rows of a converted Llama q/k projection back in Hugging Face's order: within each head of
 * `d` rows, GGUF row `2j + t` is Hugging Face row `t·d/2 + j` (`t` ∈ {0, 1}, `j` < `d/2`).
 */
function _unpermute(t: F32Tensor, heads: number): F32Tensor {
  const rows = t.shape[0];
  const cols = t.shape.length > 1 ? t.shape[1] : 1;
  const d = rows / heads;
  const out = new Float32Array(t.data.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < d / 2; j++) {
      for (let s = 0; s < 2; s++) {
        const from = (h * d + 2 * j + s) * cols;
        out.set(t.data.subarray(from, from + cols), (h * d + s * (d / 2) + j) * cols);
      }
    }
  }
  return { shape: t.shape, data: out };
}

/** Every tensor of `file`, dequantised and under its Hugging Face name. */
export function ggufWeights(file: GgufFile, config: HfConfig): HfWeights {
  const tensors = new Map<string, F32Tensor>();
  const fileOf = new Map<string, string>();
  for (const [name, info] of file.tensors) {
    const hf = _hfName(name);
    if (hf === undefined) {
      throw new ModelFileError(
        file.path,
        `tensor "${name}"`,
        "is not a tensor of a Qwen2 or Llama model",
      );
    }
    let t: F32Tensor = { shape: info.shape, data: file.tensor(name) };
    if (config.family === "llama" && /\.(q|k)_proj\./.test(hf)) {
      t = _unpermute(t, hf.includes(".q_proj.") ? config.numHeads : config.numKvHeads);
    }
    tensors.set(hf, t);
    fileOf.set(hf, file.path);
  }
  const weights = { tensors, fileOf };
  checkHfWeights(config, weights, file.path);
  return weights;
}

/** `file`'s chat template (`tokenizer.chat_template`), or `undefined`. */
export function ggufChatTemplate(file: GgufFile): string | undefined {
  const v = file.metadata.get("tokenizer.chat_template");
  if (v === undefined) return undefined;
  if (typeof v !== "string") {
    throw new ModelFileError(file.path, "tokenizer.chat_template", "expected a string");
  }
  return v;
}

/**
 * A GGUF file loaded whole, as a model folder is: the model, the tokenizer and the chat template
 * of its metadata, and its EOS ids (`tokenizer.ggml.eos_token_id` and `eot_token_id`).
 */
export function loadGgufFile(path: string, options: HfCausalLMOptions = {}): HfModelFolder {
  const file = readGguf(path);
  const config = ggufConfig(file);
  const tokenizer = HfTokenizer.fromJson(ggufTokenizerJson(file), path);
  const template = ggufChatTemplate(file);
  const tokens = file.metadata.get("tokenizer.ggml.tokens") as string[];
  // The template's special tokens, as transformers passes them.
  const special: Record<string, string> = {};
  if (config.bosTokenId !== null) special.bos_token = tokens[config.bosTokenId];
  if (config.eosTokenIds.length > 0) special.eos_token = tokens[config.eosTokenIds[0]];
  return {
    path,
    model: new HfCausalLM(config, ggufWeights(file, config), options),
    tokenizer,
    chatTemplate: template === undefined ? null : new ChatTemplate(template, special, path),
    eosIds: new Set(config.eosTokenIds),
    completionEosId: config.eosTokenIds[0] ?? null,
  };
}
