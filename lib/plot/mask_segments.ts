/**
 * Split a tokenized text into runs of masked tokens and unmasked text.
 *
 * @module
 */
import type { TokenSpan } from "../core/mod.ts";
import type { TokenizedText } from "../core/mod.ts";

/** A text with token offsets and the masked token spans (any tokenizer). */
export interface MaskedText {
  /** The completion text the offsets index into. */
  readonly text: string;
  /** `[start, end)` character range of every token (UTF-16 code units), in token order. */
  readonly offsets: TokenizedText["offsets"];
  /** Sorted, non-overlapping `[startToken, endToken)` spans of masked tokens. */
  readonly spans: readonly TokenSpan[];
}

/** A piece of the text: one masked token, or a run of unmasked text. */
export interface MaskSegment {
  readonly text: string;
  readonly masked: boolean;
  /** Index of the token, for masked segments. */
  readonly token?: number;
}

/** Throws unless spans are sorted, non-overlapping, non-empty and inside `[0, n]`. */
function _checkSpans(spans: readonly TokenSpan[], n: number): void {
  let prevEnd = 0;
  spans.forEach(([s, e], i) => {
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > n || s >= e) {
      throw new RangeError(
        `maskSegments: expected span ${i} to be [start, end) with 0 <= start < end <= ${n} ` +
          `tokens, found [${s}, ${e})`,
      );
    }
    if (s < prevEnd) {
      throw new RangeError(
        `maskSegments: expected sorted, non-overlapping spans, span ${i} [${s}, ${e}) starts ` +
          `before the previous span ends (${prevEnd})`,
      );
    }
    prevEnd = e;
  });
}

/**
 * Cuts `text` into segments: each masked token on its own, and maximal runs of unmasked
 * text (unmasked tokens plus any characters no token covers). Concatenating the segments'
 * text gives `text` back. Token ranges that overlap an earlier token are clipped to start
 * where the previous token ended.
 *
 * @example
 * ```ts
 * import { maskSegments } from "./mask_segments.ts";
 * import assert from "node:assert/strict";
 * const segs = maskSegments({
 *   text: "a = 1\n",
 *   offsets: [[0, 1], [1, 3], [3, 5], [5, 6]],
 *   spans: [[1, 3]],
 * });
 * assert.deepEqual(segs, [
 *   { text: "a", masked: false },
 *   { text: " =", masked: true, token: 1 },
 *   { text: " 1", masked: true, token: 2 },
 *   { text: "\n", masked: false },
 * ]);
 * ```
 */
export function maskSegments(masked: MaskedText): MaskSegment[] {
  const { text, offsets, spans } = masked;
  _checkSpans(spans, offsets.length);
  const isMasked = new Uint8Array(offsets.length);
  for (const [s, e] of spans) isMasked.fill(1, s, e);
  const out: MaskSegment[] = [];
  let plain = "";
  let cursor = 0;
  offsets.forEach(([s, e], i) => {
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > text.length) {
      throw new RangeError(
        `maskSegments: expected token ${i} range within [0, ${text.length}] with start <= end, ` +
          `found [${s}, ${e})`,
      );
    }
    const start = Math.max(s, cursor);
    if (start > cursor) plain += text.slice(cursor, start);
    const piece = text.slice(start, Math.max(e, start));
    if (isMasked[i]) {
      if (plain) out.push({ text: plain, masked: false });
      plain = "";
      out.push({ text: piece, masked: true, token: i });
    } else {
      plain += piece;
    }
    cursor = Math.max(e, cursor);
  });
  plain += text.slice(cursor);
  if (plain) out.push({ text: plain, masked: false });
  return out;
}
