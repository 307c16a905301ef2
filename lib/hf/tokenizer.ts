/**
 * A model's own `tokenizer.json`, through npm `tokenizers` (Hugging Face's official binding):
 * ids, and character offsets in the units JavaScript strings use. The binding reports offsets
 * in Unicode code points (as Python's `tokenizers` does); every one is converted to UTF-16 code
 * units here, so `text.slice(start, end)` is the token's text even past an emoji.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { Tokenizer } from "tokenizers";
import { ModelFileError } from "./config.ts";

/** The tokenizer models `tokenizers` implements (`tokenizer.json`'s `model.type`). */
export const TOKENIZER_MODELS = ["BPE", "WordPiece", "WordLevel", "Unigram"] as const;

/** Ids and `[start, end)` UTF-16 offsets of an encoded text. */
export interface HfEncoding {
  readonly ids: number[];
  readonly offsets: [number, number][];
}

/**
 * `utf16[i]` is the UTF-16 index of code point `i` of `text` (and `utf16[n]` its length), so a
 * code-point offset maps to the string index JavaScript slices with.
 */
export function codePointToUtf16(text: string): Uint32Array {
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; cp++) {
    map[cp] = i;
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1); // NaN past the end
    // A surrogate pair is one code point; a lone surrogate is one too (it becomes U+FFFD).
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  map[cp] = text.length;
  return map.subarray(0, cp + 1);
}

/** A loaded `tokenizer.json`. */
export class HfTokenizer {
  readonly #tok: Tokenizer;
  /** The file it was read from. */
  readonly file: string;

  private constructor(tok: Tokenizer, file: string) {
    this.#tok = tok;
    this.file = file;
  }

  /**
   * Reads `tokenizer.json`; an unknown model type fails naming the file and `model.type` (the
   * binding alone would fail with a serde message).
   */
  static async fromFile(file: string): Promise<HfTokenizer> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new ModelFileError(
        file,
        "(root)",
        `not a readable JSON tokenizer (${(e as Error).message})`,
      );
    }
    return HfTokenizer.fromJson(text, file);
  }

  /**
   * A tokenizer from the text of a `tokenizer.json` (`source` names it in errors, and is
   * {@linkcode HfTokenizer.file}).
   */
  static fromJson(text: string, source: string): HfTokenizer {
    // Read once: checked here, then handed to the binding as text.
    let raw: { model?: { type?: unknown } };
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ModelFileError(
        source,
        "(root)",
        `not a readable JSON tokenizer (${(e as Error).message})`,
      );
    }
    const type = raw?.model?.type;
    if (!(TOKENIZER_MODELS as readonly unknown[]).includes(type)) {
      throw new ModelFileError(
        source,
        "model.type",
        `${JSON.stringify(type)} is not a tokenizer model (known: ${TOKENIZER_MODELS.join(", ")})`,
      );
    }
    try {
      return new HfTokenizer(Tokenizer.fromString(text), source);
    } catch (e) {
      throw new ModelFileError(
        source,
        "(root)",
        `tokenizers could not load it (${(e as Error).message})`,
      );
    }
  }

  /** Vocabulary size, added tokens included. */
  get vocabSize(): number {
    return this.#tok.getVocabSize(true);
  }

  /** The id of a token (a special token such as `<|im_end|>`), or `null`. */
  tokenToId(token: string): number | null {
    return this.#tok.tokenToId(token);
  }

  /**
   * Encodes `text`; `addSpecialTokens` runs the post-processor (a Llama tokenizer's BOS).
   * Offsets are UTF-16; a token the post-processor added covers `[0, 0)`.
   */
  async encode(text: string, options: { addSpecialTokens?: boolean } = {}): Promise<HfEncoding> {
    const enc = await this.#tok.encode(text, null, {
      addSpecialTokens: options.addSpecialTokens ?? true,
    });
    const map = codePointToUtf16(text);
    const offsets = enc.getOffsets().map(([s, e]): [number, number] => {
      if (s > map.length - 1 || e > map.length - 1 || s > e) {
        throw new RangeError(
          `${this.file}: offset [${s}, ${e}) outside the ${map.length - 1} code points`,
        );
      }
      return [map[s], map[e]];
    });
    return { ids: enc.getIds(), offsets };
  }

  /** The text of `ids`. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): Promise<string> {
    return this.#tok.decode([...ids], options.skipSpecialTokens ?? false);
  }
}
