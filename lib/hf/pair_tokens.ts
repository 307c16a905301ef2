/**
 * Preference pairs cut with a Hugging Face tokenizer: the prompt and each completion encoded on
 * their own (as generation and TRL see them: prompt ids, then completion ids), and the
 * Target-DPO masks made from the pair's line diff through the tokenizer's exact character
 * offsets, by the same functions that cut them for the kit's own tokenizer (lib/diff). Mask
 * spans index the completion's tokens, so the prompt/completion boundary is exact: token 0 of a
 * mask is the first token after the prompt.
 *
 * @module
 */
import type { MaskedPair, OffsetTokenizer, TokenizedText } from "../core/mod.ts";
import { chosenMaskSpans, policyOfCase, rejectedMaskSpans } from "../diff/mod.ts";
import type { PreferenceExample } from "../train/mod.ts";
import type { HfTokenizer } from "./tokenizer.ts";

/**
 * A synchronous {@linkcode OffsetTokenizer} (what lib/diff's mask code takes) over the texts
 * given, encoded beforehand (npm `tokenizers` encodes asynchronously); any other text fails.
 * Special tokens are not added.
 */
export async function hfOffsetTokenizer(
  tokenizer: HfTokenizer,
  texts: readonly string[],
): Promise<OffsetTokenizer> {
  const encoded = new Map<string, TokenizedText>();
  for (const text of new Set(texts)) {
    encoded.set(text, await tokenizer.encode(text, { addSpecialTokens: false }));
  }
  return {
    id: `hf:${tokenizer.file}`,
    encodeWithOffsets(text: string): TokenizedText {
      const e = encoded.get(text);
      if (e === undefined) {
        throw new Error(
          `hfOffsetTokenizer: ${JSON.stringify(text.slice(0, 40))} was not encoded beforehand`,
        );
      }
      return e;
    },
  };
}

/** Options of {@linkcode hfPreferenceExample}. */
export interface HfPreferenceExampleOptions {
  /**
   * The prompt as the model reads it (for an instruct model, the chat-formatted turn); encoded
   * with the tokenizer's special tokens (a Llama BOS). @default {the record's prompt}
   */
  readonly promptText?: string;
  /** The prompt's ids as the caller encoded them (they win over `promptText`). */
  readonly promptIds?: readonly number[];
}

/**
 * A pair (a cell's stored record, or a synthesised pair read by lib/codeflow's
 * `readMaskedPairs`) as a training example for the model of `tokenizer`: ids of the prompt and
 * of both completions, and the `D+`/`m-` masks computed with this tokenizer (a stored record's
 * own masks index the kit's tokenizer), with the pair's context lines and empty-`D-` case.
 */
export async function hfPreferenceExample(
  tokenizer: HfTokenizer,
  record: MaskedPair,
  options: HfPreferenceExampleOptions = {},
): Promise<PreferenceExample> {
  const promptText = options.promptText ?? record.prompt;
  const tok = await hfOffsetTokenizer(tokenizer, [record.chosen, record.rejected]);
  const chosen = tok.encodeWithOffsets(record.chosen);
  const rejected = tok.encodeWithOffsets(record.rejected);
  const k = record.contextLines;
  const rejectedMask = rejectedMaskSpans(record.rejected, record.diff, rejected, {
    contextLines: k,
    emptyRejected: policyOfCase(record.emptyRejected) ?? "keep",
  });
  return {
    id: record.taskId,
    promptIds: options.promptIds ?? (await tokenizer.encode(promptText)).ids,
    chosenIds: chosen.ids,
    rejectedIds: rejected.ids,
    chosenSpans: chosenMaskSpans(record.chosen, record.diff, chosen, { contextLines: k }),
    rejectedSpans: rejectedMask.spans,
  };
}
