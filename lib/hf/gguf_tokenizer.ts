/**
 * The tokenizer a GGUF file describes in its metadata (`tokenizer.ggml.*`), rebuilt as a
 * Hugging Face `tokenizer.json` for npm `tokenizers`: the vocabulary and merges as the file
 * lists them, its control and user-defined tokens as added tokens (matched whole, as llama.cpp
 * does), and the pre-tokenizer that llama.cpp applies for the file's `tokenizer.ggml.pre` (its
 * `llama-vocab.cpp`), written the way the original checkpoint's `tokenizer.json` writes it.
 *
 * Byte-level BPE (`tokenizer.ggml.model` = `gpt2`) is what Qwen2, SmolLM2, DeepSeek-Coder and
 * Llama 3 files use; SentencePiece files (`llama`) fail with an error naming the field.
 *
 * @module
 */
import { ModelFileError } from "./config.ts";
import type { GgufFile, GgufValue } from "./gguf.ts";

const _GPT2_BYTE_LEVEL = {
  type: "ByteLevel",
  add_prefix_space: false,
  trim_offsets: true,
  use_regex: true,
};
const _BYTES_ONLY = {
  type: "ByteLevel",
  add_prefix_space: false,
  trim_offsets: false,
  use_regex: false,
};

function _split(regex: string) {
  return { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false };
}

const _QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const _LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** How each `tokenizer.ggml.pre` the kit knows splits text, written once. */
const _PRE_TOKENIZERS = {
  // GPT-2's own pattern.
  default: { pre: _GPT2_BYTE_LEVEL },
  gpt2: { pre: _GPT2_BYTE_LEVEL },
  // Every digit on its own, then GPT-2's pattern (SmolLM, StarCoder).
  smollm: {
    pre: {
      type: "Sequence",
      pretokenizers: [{ type: "Digits", individual_digits: true }, _GPT2_BYTE_LEVEL],
    },
  },
  starcoder: {
    pre: {
      type: "Sequence",
      pretokenizers: [{ type: "Digits", individual_digits: true }, _GPT2_BYTE_LEVEL],
    },
  },
  // Qwen2's pattern, with the NFC normaliser of Qwen2's tokenizer.json.
  qwen2: {
    pre: { type: "Sequence", pretokenizers: [_split(_QWEN2_SPLIT), _BYTES_ONLY] },
    normalizer: { type: "NFC" },
  },
  // Llama 3: digits in threes, and a word found whole in the vocabulary is not merged.
  "llama-bpe": {
    pre: { type: "Sequence", pretokenizers: [_split(_LLAMA3_SPLIT), _BYTES_ONLY] },
    ignoreMerges: true,
  },
} as const;

/** The `tokenizer.ggml.pre` values the kit rebuilds. */
export const GGUF_PRE_TOKENIZERS = Object.keys(_PRE_TOKENIZERS) as readonly string[];

/** llama.cpp's token types that are added tokens. */
const _CONTROL = 3;
const _USER_DEFINED = 4;

function _strings(file: GgufFile, key: string): string[] {
  const v = file.metadata.get(key);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new ModelFileError(file.path, key, `expected a list of strings, found ${_show(v)}`);
  }
  return v as string[];
}

function _show(v: GgufValue | undefined): string {
  return v === undefined
    ? "nothing"
    : JSON.stringify(v, (_k, x) => typeof x === "bigint" ? String(x) : x)
      .slice(0, 60);
}

/** A token id of the metadata (`tokenizer.ggml.bos_token_id`, …), or `null` when absent. */
export function ggufTokenId(file: GgufFile, key: string, vocabSize: number): number | null {
  const v = file.metadata.get(key);
  if (v === undefined) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= vocabSize) {
    throw new ModelFileError(
      file.path,
      key,
      `expected a token id below ${vocabSize}, found ${_show(v)}`,
    );
  }
  return v;
}

function _preTokenizer(file: GgufFile) {
  const pre = file.metadata.get("tokenizer.ggml.pre") ?? "default";
  const known = _PRE_TOKENIZERS[pre as keyof typeof _PRE_TOKENIZERS];
  if (known === undefined) {
    throw new ModelFileError(
      file.path,
      "tokenizer.ggml.pre",
      `${_show(pre)} is not supported (known: ${GGUF_PRE_TOKENIZERS.join(", ")})`,
    );
  }
  return known as { pre: unknown; normalizer?: unknown; ignoreMerges?: boolean };
}

/**
 * The `tokenizer.json` text of the tokenizer in `file`'s metadata.
 *
 * @example
 * ```ts ignore
 * import { HfTokenizer } from "./tokenizer.ts";
 * import { readGguf } from "./gguf.ts";
 * import { ggufTokenizerJson } from "./gguf_tokenizer.ts";
 * const file = readGguf("models/SmolLM2-135M-Instruct.Q4_1.gguf");
 * const tokenizer = HfTokenizer.fromJson(ggufTokenizerJson(file), file.path);
 * ```
 */
export function ggufTokenizerJson(file: GgufFile): string {
  const model = file.metadata.get("tokenizer.ggml.model");
  if (model !== "gpt2") {
    throw new ModelFileError(
      file.path,
      "tokenizer.ggml.model",
      `${_show(model)} is not supported (the kit rebuilds byte-level BPE, "gpt2")`,
    );
  }
  const { pre, normalizer, ignoreMerges } = _preTokenizer(file);
  const tokens = _strings(file, "tokenizer.ggml.tokens");
  const types = file.metadata.has("tokenizer.ggml.token_type")
    ? (file.metadata.get("tokenizer.ggml.token_type") as number[])
    : [];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] ??= i));
  const added = tokens.flatMap((content, id) =>
    types[id] === _CONTROL || types[id] === _USER_DEFINED
      ? [{
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: types[id] === _CONTROL,
      }]
      : []
  );
  return JSON.stringify({
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: normalizer ?? null,
    pre_tokenizer: pre,
    post_processor: _postProcessor(file, tokens),
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: ignoreMerges ?? false,
      vocab,
      merges: file.metadata.has("tokenizer.ggml.merges")
        ? _strings(file, "tokenizer.ggml.merges")
        : [],
    },
  });
}

/** A BOS before every text when the file asks for one (`tokenizer.ggml.add_bos_token`). */
function _postProcessor(file: GgufFile, tokens: readonly string[]) {
  if (file.metadata.get("tokenizer.ggml.add_bos_token") !== true) return null;
  const bos = ggufTokenId(file, "tokenizer.ggml.bos_token_id", tokens.length);
  if (bos === null) {
    throw new ModelFileError(
      file.path,
      "tokenizer.ggml.bos_token_id",
      "add_bos_token is set but no BOS id is given",
    );
  }
  const token = tokens[bos];
  const special = { SpecialToken: { id: token, type_id: 0 } };
  return {
    type: "TemplateProcessing",
    single: [special, { Sequence: { id: "A", type_id: 0 } }],
    pair: [special, { Sequence: { id: "A", type_id: 0 } }, special, {
      Sequence: { id: "B", type_id: 1 },
    }],
    special_tokens: { [token]: { id: token, ids: [bos], tokens: [token] } },
  };
}
