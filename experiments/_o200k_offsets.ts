/**
 * An offset tokenizer over `npm:gpt-tokenizer`'s o200k BPE, for studies that count mask tokens
 * without the kit's compact tokenizer.
 *
 * @module
 */
import type { OffsetTokenizer, TokenizedText } from "../lib/core/mod.ts";

/**
 * The o200k BPE with character offsets taken from each token's decoded text. Offsets are exact
 * when every token decodes to whole characters (always for ASCII code); otherwise encoding throws,
 * naming the character where the decoded pieces stop matching the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { o200kOffsetTokenizer } from "./_o200k_offsets.ts";
 * const tok = await o200kOffsetTokenizer();
 * const t = tok.encodeWithOffsets("def f(x):\n    return x\n");
 * assert.equal(t.ids.length, t.offsets.length);
 * assert.deepEqual(t.offsets[0], [0, 3]); // "def"
 * ```
 */
export async function o200kOffsetTokenizer(): Promise<OffsetTokenizer> {
  const { encode, decode } = await import("gpt-tokenizer/encoding/o200k_base");
  const plain = { disallowedSpecial: new Set<string>() };
  return {
    id: "o200k_base",
    encodeWithOffsets(text: string): TokenizedText {
      const ids = encode(text, plain);
      const offsets: [number, number][] = [];
      let at = 0;
      for (const id of ids) {
        const piece = decode([id]);
        if (text.slice(at, at + piece.length) !== piece) {
          throw new Error(
            `o200kOffsetTokenizer: token ${id} does not decode to whole characters at character ` +
              `${at} of the text (${JSON.stringify(text.slice(at, at + 12))})`,
          );
        }
        offsets.push([at, at + piece.length]);
        at += piece.length;
      }
      return { ids, offsets };
    },
  };
}
