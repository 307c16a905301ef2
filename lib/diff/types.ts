/**
 * The tokenizer seen by the mask code: text in, tokens with exact character offsets out.
 * Any tokenizer (the kit's BPE, a Hugging Face tokenizer's offsets) can stand behind it.
 *
 * @module
 */

/** Tokens of a text with their `[start, end)` character ranges (UTF-16 code units). */
export interface TokenizedText {
  readonly ids: readonly number[];
  /** `offsets[i] = [s_i, e_i)`: characters of the text covered by token `i`. */
  readonly offsets: readonly (readonly [number, number])[];
}

/** Minimal tokenizer contract for masks. */
export interface OffsetTokenizer {
  /** Stable identifier stored with masks (for example `bpe-o200k-compact-v1:<hash>`). */
  readonly id: string;
  encodeWithOffsets(text: string): TokenizedText;
}
