/**
 * `config.json` of a Hugging Face model folder, for the two families the kit runs: Qwen2
 * (Qwen2.5-Coder, CodeQwen1.5) and Llama (DeepSeek-Coder, SmolLM2). Every field the forward
 * pass depends on is read and checked here; an unknown architecture or a value the kit does
 * not implement fails naming the file, the field and the value.
 *
 * @module
 */
import { readFile } from "node:fs/promises";

/** The architectures the kit implements, written once. */
export const HF_FAMILIES = ["qwen2", "llama"] as const;
/** One of {@link HF_FAMILIES} (`config.json`'s `model_type`). */
export type HfFamily = typeof HF_FAMILIES[number];

/** The `architectures` entry of each family's causal LM. */
const _ARCHITECTURE: Readonly<Record<HfFamily, string>> = {
  qwen2: "Qwen2ForCausalLM",
  llama: "LlamaForCausalLM",
};

/** The model's shape and the numerics of its forward pass. */
export interface HfConfig {
  readonly family: HfFamily;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Key/value heads (grouped-query attention when fewer than `numHeads`). */
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  /** Positions are divided by this before the rotation (linear RoPE scaling); 1 for none. */
  readonly ropeLinearFactor: number;
  readonly maxPositions: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases on the q, k and v projections (Qwen2 always; Llama when `attention_bias`). */
  readonly qkvBias: boolean;
  /** A bias on the output projection (Llama's `attention_bias` sets it too). */
  readonly oBias: boolean;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
}

/** A bad value of a model file: `file: field "x": message`. */
export class ModelFileError extends Error {
  readonly file: string;
  readonly field: string;
  /** What is wrong with the value (the message without the file and field). */
  readonly detail: string;
  constructor(file: string, field: string, detail: string) {
    super(`${file}: field "${field}": ${detail}`);
    this.name = "ModelFileError";
    this.file = file;
    this.field = field;
    this.detail = detail;
  }
}

type _Raw = Readonly<Record<string, unknown>>;

class _Reader {
  constructor(readonly file: string, readonly raw: _Raw) {}

  fail(field: string, message: string): never {
    throw new ModelFileError(this.file, field, message);
  }

  int(field: string, fallback?: number): number {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      this.fail(field, `expected a positive integer, found ${JSON.stringify(v)}`);
    }
    return v;
  }

  num(field: string, fallback?: number): number {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      this.fail(field, `expected a positive number, found ${JSON.stringify(v)}`);
    }
    return v;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== "boolean") {
      this.fail(field, `expected true or false, found ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** The field must be absent, null or one of `allowed`. */
  only(field: string, allowed: readonly unknown[], why: string): void {
    const v = this.raw[field];
    if (v === undefined || v === null || allowed.includes(v)) return;
    this.fail(field, `${JSON.stringify(v)} is not supported (${why})`);
  }
}

/** RoPE base and linear factor, from `rope_theta` + `rope_scaling` or transformers 5's `rope_parameters`. */
function _rope(r: _Reader): { theta: number; factor: number } {
  const params = r.raw.rope_parameters as _Raw | undefined | null;
  const scaling = (params ?? r.raw.rope_scaling) as _Raw | undefined | null;
  const field = params ? "rope_parameters" : "rope_scaling";
  const theta = params?.rope_theta ?? r.raw.rope_theta ?? 10000;
  if (typeof theta !== "number" || !(theta > 0)) {
    r.fail(
      params ? "rope_parameters.rope_theta" : "rope_theta",
      `expected a positive number, found ${JSON.stringify(theta)}`,
    );
  }
  if (scaling === undefined || scaling === null) return { theta, factor: 1 };
  const type = scaling.rope_type ?? scaling.type ?? "default";
  if (type === "default") return { theta, factor: 1 };
  if (type !== "linear") {
    r.fail(
      `${field}.rope_type`,
      `${JSON.stringify(type)} is not supported (the kit implements "default" and "linear")`,
    );
  }
  const factor = scaling.factor;
  if (typeof factor !== "number" || !(factor > 0)) {
    r.fail(`${field}.factor`, `expected a positive number, found ${JSON.stringify(factor)}`);
  }
  return { theta, factor };
}

function _family(r: _Reader): HfFamily {
  const type = r.raw.model_type;
  if (!(HF_FAMILIES as readonly unknown[]).includes(type)) {
    r.fail(
      "model_type",
      `${JSON.stringify(type)} is not supported (known: ${HF_FAMILIES.join(", ")})`,
    );
  }
  const family = type as HfFamily;
  const arch = r.raw.architectures;
  if (arch !== undefined && !(Array.isArray(arch) && arch.includes(_ARCHITECTURE[family]))) {
    r.fail(
      "architectures",
      `expected ${JSON.stringify([_ARCHITECTURE[family]])} for model_type "${family}", found ${
        JSON.stringify(arch)
      }`,
    );
  }
  return family;
}

/**
 * A JSON object file of a model folder: an unreadable file says so, bad JSON or another value
 * fails as a {@linkcode ModelFileError} naming the file.
 */
export async function readModelJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, "(root)", `not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ModelFileError(
      file,
      "(root)",
      `expected a JSON object, found ${JSON.stringify(raw)?.slice(0, 60)}`,
    );
  }
  return raw as Record<string, unknown>;
}

/**
 * The `eos_token_id` of a parsed config (`config.json`, `generation_config.json`): a token id, a
 * list of them, or none.
 */
export function eosTokenIds(raw: Readonly<Record<string, unknown>>, file: string): number[] {
  const v = raw.eos_token_id;
  if (v === undefined || v === null) return [];
  const ids = Array.isArray(v) ? v : [v];
  if (!ids.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new ModelFileError(
      file,
      "eos_token_id",
      `expected a token id or a list of them, found ${JSON.stringify(v)}`,
    );
  }
  return ids as number[];
}

/**
 * Reads and checks a parsed `config.json` (`file` names it in errors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHfConfig } from "./config.ts";
 * const c = parseHfConfig({
 *   model_type: "qwen2", vocab_size: 32, hidden_size: 16, intermediate_size: 24,
 *   num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 1e6,
 *   rms_norm_eps: 1e-6, tie_word_embeddings: true,
 * }, "config.json");
 * assert.equal(c.headDim, 4);
 * assert.equal(c.qkvBias, true);
 * assert.throws(() => parseHfConfig({ model_type: "gpt2" }, "m/config.json"),
 *   /m\/config.json: field "model_type": "gpt2" is not supported/);
 * ```
 */
export function parseHfConfig(raw: unknown, file: string): HfConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ModelFileError(
      file,
      "(root)",
      `expected a JSON object, found ${JSON.stringify(raw)?.slice(0, 60)}`,
    );
  }
  const r = new _Reader(file, raw as _Raw);
  const family = _family(r);
  const hiddenSize = r.int("hidden_size");
  const numHeads = r.int("num_attention_heads");
  const numKvHeads = r.int("num_key_value_heads", numHeads);
  if (numHeads % numKvHeads !== 0) {
    r.fail("num_key_value_heads", `${numKvHeads} does not divide num_attention_heads ${numHeads}`);
  }
  const headDim = r.int("head_dim", hiddenSize / numHeads);
  r.only("hidden_act", ["silu"], "the kit implements SwiGLU with silu");
  r.only("pretraining_tp", [1], "tensor-parallel slicing of the projections");
  r.only("mlp_bias", [false], "MLP biases");
  r.only("use_sliding_window", [false], "sliding-window attention");
  const attentionBias = family === "llama" && r.bool("attention_bias", false);
  const { theta, factor } = _rope(r);
  return {
    family,
    vocabSize: r.int("vocab_size"),
    hiddenSize,
    intermediateSize: r.int("intermediate_size"),
    numLayers: r.int("num_hidden_layers"),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: r.num("rms_norm_eps", 1e-6),
    ropeTheta: theta,
    ropeLinearFactor: factor,
    maxPositions: r.int("max_position_embeddings", 32768),
    tieWordEmbeddings: r.bool("tie_word_embeddings", false),
    qkvBias: family === "qwen2" || attentionBias,
    oBias: attentionBias,
    bosTokenId: typeof r.raw.bos_token_id === "number" ? r.raw.bos_token_id : null,
    eosTokenIds: eosTokenIds(r.raw, file),
  };
}
