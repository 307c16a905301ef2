/**
 * A real byte-level BPE (OpenAI's cl100k_base or o200k_base merges, via `npm:gpt-tokenizer`)
 * re-indexed to a compact vocabulary learned from a corpus, with byte fallback and exact
 * character offsets.
 *
 * Compact vocabulary layout:
 * - `0` `<|pad|>`, `1` `<|bos|>`, `2` `<|eos|>`;
 * - `3 … 258`: the 256 single bytes `0x00 … 0xff`;
 * - `259 …`: multi-byte base tokens seen in the corpus at least `minCount` times, most frequent
 *   first (ties by base id).
 *
 * A base token outside the compact vocabulary is encoded as its UTF-8 bytes, so every string
 * round-trips: `decode(encode(s)) === s`.
 *
 * **Offsets** are UTF-16 code-unit ranges `[s, e)` into the JS string. A token covers every
 * character that any of its bytes belongs to. Tokens normally tile the text exactly
 * (`s_{i+1} = e_i`); when a multi-byte character is split across tokens (byte fallback, or a
 * base token that ends mid-character), each of those tokens covers the whole character, so
 * neighbouring ranges overlap by exactly that one character. This keeps masks conservative:
 * a token is in a line's mask iff one of its bytes is.
 *
 * Encoding treats special-token text (`<|endoftext|>`, `<|eos|>`) as ordinary text: the special
 * ids are only ever inserted by the caller.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { TokenizedText } from "../core/mod.ts";
import type { ModelTokenizer } from "./types.ts";

/** The base BPE merges the compact vocabulary is drawn from. */
export type BaseEncoding = "cl100k_base" | "o200k_base";

/** Serialised form of a {@link BpeTokenizer}. */
export interface BpeTokenizerJson {
  readonly format: "bpe-compact-v1";
  readonly base: BaseEncoding;
  /** Base-encoding ids of the multi-byte tokens, in compact order (compact id = 259 + index). */
  readonly tokens: readonly number[];
}

/** Options of {@link trainTokenizer}. */
export interface TrainTokenizerOptions {
  /**
   * Keep a multi-byte base token when it occurs at least this many times in the corpus.
   * @default 2
   */
  readonly minCount?: number;
  /**
   * Upper bound on the total vocabulary (specials + 256 bytes + merged tokens); the most frequent
   * tokens are kept.
   * @default Infinity
   */
  readonly maxVocabSize?: number;
  /**
   * Base merges.
   * @default "cl100k_base"
   */
  readonly base?: BaseEncoding;
}

/** Options of {@link BpeTokenizer.decode}. */
export interface DecodeOptions {
  /**
   * Drop `<|pad|>`, `<|bos|>`, `<|eos|>` instead of rendering their names.
   * @default false
   */
  readonly skipSpecial?: boolean;
}

/** Names of the special tokens, by id. */
export const SPECIAL_TOKENS: readonly string[] = ["<|pad|>", "<|bos|>", "<|eos|>"];
const _N_SPECIAL = 3;
const _BYTE0 = _N_SPECIAL;
const _FIRST_MERGED = _BYTE0 + 256;

interface _Base {
  readonly name: BaseEncoding;
  readonly encode: (text: string) => number[];
  /** Bytes of a base token id (memoised). */
  readonly bytes: (id: number) => Uint8Array;
}

const _baseCache = new Map<BaseEncoding, Promise<_Base>>();
const _utf8 = new TextEncoder();

/** Load (once) the base BPE merges. */
function _loadBase(name: BaseEncoding): Promise<_Base> {
  let p = _baseCache.get(name);
  if (p === undefined) {
    p = (async (): Promise<_Base> => {
      let api: { encode: (t: string, o?: { disallowedSpecial?: Set<string> }) => number[] };
      let ranks: readonly (string | readonly number[])[];
      switch (name) {
        case "cl100k_base":
          api = await import("gpt-tokenizer/encoding/cl100k_base");
          ranks = (await import("gpt-tokenizer/bpeRanks/cl100k_base")).default;
          break;
        case "o200k_base":
          api = await import("gpt-tokenizer/encoding/o200k_base");
          ranks = (await import("gpt-tokenizer/bpeRanks/o200k_base")).default;
          break;
        default: {
          const never: never = name;
          throw new Error(`unknown base encoding "${never}"; expected cl100k_base or o200k_base`);
        }
      }
      const noSpecial = new Set<string>();
      const memo = new Map<number, Uint8Array>();
      return {
        name,
        encode: (text) => api.encode(text, { disallowedSpecial: noSpecial }),
        bytes: (id) => {
          let b = memo.get(id);
          if (b === undefined) {
            const r = ranks[id];
            if (r === undefined) throw new Error(`${name}: no token with id ${id}`);
            b = typeof r === "string" ? _utf8.encode(r) : Uint8Array.from(r);
            memo.set(id, b);
          }
          return b;
        },
      };
    })();
    _baseCache.set(name, p);
  }
  return p;
}

/**
 * Learn a compact vocabulary from a corpus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainTokenizer } from "./tokenizer.ts";
 * const tok = await trainTokenizer(["def f(x):\n    return x\n", "def g(y):\n    return y\n"]);
 * const ids = tok.encode("def f(y):\n");
 * assert.equal(tok.decode(ids), "def f(y):\n");
 * assert.equal(tok.encode("def")[0] >= 259, true); // "def" occurs twice: a merged token
 * ```
 */
export async function trainTokenizer(
  corpus: Iterable<string>,
  options: TrainTokenizerOptions = {},
): Promise<BpeTokenizer> {
  const { minCount = 2, maxVocabSize = Infinity, base = "cl100k_base" } = options;
  if (!Number.isInteger(minCount) || minCount < 1) {
    throw new Error(`trainTokenizer: minCount must be a positive integer, found ${minCount}`);
  }
  if (!(maxVocabSize >= _FIRST_MERGED)) {
    throw new Error(
      `trainTokenizer: maxVocabSize must be at least ${_FIRST_MERGED} (specials + bytes), ` +
        `found ${maxVocabSize}`,
    );
  }
  const b = await _loadBase(base);
  const counts = new Map<number, number>();
  let index = 0;
  for (const text of corpus) {
    _assertWellFormed(text, `corpus document ${index}`);
    for (const id of b.encode(text)) counts.set(id, (counts.get(id) ?? 0) + 1);
    index++;
  }
  const kept = [...counts]
    .filter(([id, c]) => c >= minCount && b.bytes(id).length > 1)
    .sort((x, y) => y[1] - x[1] || x[0] - y[0])
    .slice(0, Math.max(0, maxVocabSize - _FIRST_MERGED))
    .map(([id]) => id);
  return new BpeTokenizer(b, kept);
}

/**
 * Rebuild a tokenizer from {@link BpeTokenizer.toJSON}; validates the format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizerFromJson, trainTokenizer } from "./tokenizer.ts";
 * const tok = await trainTokenizer(["aa bb aa bb"], { minCount: 1 });
 * const copy = await tokenizerFromJson(JSON.parse(JSON.stringify(tok)));
 * assert.equal(copy.id, tok.id);
 * ```
 */
export async function tokenizerFromJson(json: unknown): Promise<BpeTokenizer> {
  const j = json as Partial<BpeTokenizerJson> | null;
  if (j === null || typeof j !== "object" || j.format !== "bpe-compact-v1") {
    throw new Error(
      `tokenizerFromJson: expected format "bpe-compact-v1", found ${
        JSON.stringify((j as { format?: unknown } | null)?.format)
      }`,
    );
  }
  if (j.base !== "cl100k_base" && j.base !== "o200k_base") {
    throw new Error(
      `tokenizerFromJson: expected base "cl100k_base" or "o200k_base", found ${
        JSON.stringify(j.base)
      }`,
    );
  }
  if (!Array.isArray(j.tokens) || !j.tokens.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new Error("tokenizerFromJson: field tokens must be an array of non-negative integers");
  }
  const b = await _loadBase(j.base);
  for (const t of j.tokens) {
    if (b.bytes(t).length < 2) {
      throw new Error(`tokenizerFromJson: token ${t} is a single byte; bytes are implicit`);
    }
  }
  return new BpeTokenizer(b, j.tokens);
}

/** The compact BPE tokenizer. Build it with {@link trainTokenizer} or {@link tokenizerFromJson}. */
export class BpeTokenizer implements ModelTokenizer {
  /** `bpe-<base>-compact-v1:<sha256 of the vocabulary, 16 hex>`. */
  readonly id: string;
  readonly vocabSize: number;
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  /** Base merges this vocabulary is drawn from. */
  readonly base: BaseEncoding;
  readonly #base: _Base;
  readonly #merged: readonly number[];
  readonly #baseToCompact: Map<number, number>;

  /** @internal Use {@link trainTokenizer} or {@link tokenizerFromJson}. */
  constructor(base: _Base, merged: readonly number[]) {
    this.#base = base;
    this.base = base.name;
    this.#merged = [...merged];
    this.#baseToCompact = new Map(this.#merged.map((id, i) => [id, _FIRST_MERGED + i]));
    if (this.#baseToCompact.size !== this.#merged.length) {
      throw new Error("BpeTokenizer: duplicate base token ids in the vocabulary");
    }
    this.vocabSize = _FIRST_MERGED + this.#merged.length;
    const hash = createHash("sha256").update(JSON.stringify(this.toJSON())).digest("hex");
    this.id = `bpe-${base.name.replace("_base", "")}-compact-v1:${hash.slice(0, 16)}`;
  }

  /** Token ids of `text` (no BOS/EOS added). */
  encode(text: string): number[] {
    return [...this.encodeWithOffsets(text).ids];
  }

  /**
   * Token ids with UTF-16 `[start, end)` offsets (see the module doc for split characters).
   * Throws on strings with lone surrogates, which have no UTF-8 form.
   */
  encodeWithOffsets(text: string): TokenizedText {
    _assertWellFormed(text, "text");
    const { byteStart, byteEnd } = _byteToChar(text);
    const ids: number[] = [];
    const offsets: [number, number][] = [];
    let pos = 0; // byte position
    for (const baseId of this.#base.encode(text)) {
      const bytes = this.#base.bytes(baseId);
      const compact = this.#baseToCompact.get(baseId);
      if (compact !== undefined) {
        ids.push(compact);
        offsets.push([byteStart[pos], byteEnd[pos + bytes.length - 1]]);
      } else {
        for (let k = 0; k < bytes.length; k++) {
          ids.push(_BYTE0 + bytes[k]);
          offsets.push([byteStart[pos + k], byteEnd[pos + k]]);
        }
      }
      pos += bytes.length;
    }
    if (pos !== byteStart.length) {
      throw new Error(
        `BpeTokenizer: base tokens cover ${pos} bytes, text has ${byteStart.length}`,
      );
    }
    return { ids, offsets };
  }

  /**
   * Text of token ids. Byte sequences that are not valid UTF-8 (possible in sampled output)
   * decode to U+FFFD. Special tokens render as their names unless `skipSpecial`.
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const parts: string[] = [];
    const buf: number[] = [];
    const flush = () => {
      if (buf.length > 0) {
        parts.push(new TextDecoder().decode(Uint8Array.from(buf)));
        buf.length = 0;
      }
    };
    for (const id of ids) {
      if (id < _N_SPECIAL && id >= 0 && Number.isInteger(id)) {
        flush();
        if (!options.skipSpecial) parts.push(SPECIAL_TOKENS[id]);
        continue;
      }
      for (const byte of this.tokenBytes(id)) buf.push(byte);
    }
    flush();
    return parts.join("");
  }

  /** UTF-8 bytes of one token (empty for special tokens). */
  tokenBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new Error(`BpeTokenizer: token id ${id} outside [0, ${this.vocabSize})`);
    }
    if (id < _N_SPECIAL) return new Uint8Array(0);
    if (id < _FIRST_MERGED) return Uint8Array.of(id - _BYTE0);
    return this.#base.bytes(this.#merged[id - _FIRST_MERGED]);
  }

  /** Serialisable form; {@link tokenizerFromJson} restores it. */
  toJSON(): BpeTokenizerJson {
    return { format: "bpe-compact-v1", base: this.#base.name, tokens: this.#merged };
  }
}

function _assertWellFormed(text: string, what: string): void {
  if (typeof text !== "string") throw new Error(`BpeTokenizer: ${what} is not a string`);
  if (!text.isWellFormed()) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const n = text.charCodeAt(i + 1);
        if (n >= 0xdc00 && n <= 0xdfff) {
          i++;
          continue;
        }
        break;
      }
      if (c >= 0xdc00 && c <= 0xdfff) break;
    }
    throw new Error(
      `BpeTokenizer: ${what} has a lone UTF-16 surrogate at index ${i} ` +
        `(0x${text.charCodeAt(i).toString(16)}); it has no UTF-8 encoding`,
    );
  }
}

/** For each UTF-8 byte of `text`: the UTF-16 range `[start, end)` of its character. */
function _byteToChar(text: string): { byteStart: Int32Array; byteEnd: Int32Array } {
  let nBytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) nBytes += 1;
    else if (c < 0x800) nBytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      nBytes += 4;
      i++;
    } else nBytes += 3;
  }
  const byteStart = new Int32Array(nBytes);
  const byteEnd = new Int32Array(nBytes);
  let b = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    const units = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    const len = c < 0x80 ? 1 : c < 0x800 ? 2 : units === 2 ? 4 : 3;
    for (let k = 0; k < len; k++) {
      byteStart[b] = i;
      byteEnd[b] = i + units;
      b++;
    }
    i += units;
  }
  return { byteStart, byteEnd };
}
