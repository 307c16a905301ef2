/**
 * Line sets to token masks by character offsets (DESIGN §3, "From lines to tokens").
 *
 * @module
 */
import type { TokenSpan } from "../core/mod.ts";
import { splitLines } from "./lines.ts";
import type { TokenizedText } from "../core/mod.ts";

/**
 * Token spans of the tokens that overlap the given lines of `text`. Token `i` covers characters
 * `[s_i, e_i)` and is in the mask iff that range overlaps a masked line's range `[start, end)`,
 * where the line range includes its terminator (`"\n"` or `"\r\n"`): `s_i < end && e_i > start`.
 * A token that straddles a line boundary is therefore in the mask if either line is. A zero-width
 * token overlaps nothing. Returns sorted, merged, half-open `[startToken, endToken)` spans.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineTokenSpans } from "./token_mask.ts";
 * // "a = 1\nb = 2\n" cut as ["a", " =", " 1", "\nb", " =", " 2", "\n"]
 * const tokens = {
 *   ids: [0, 1, 2, 3, 4, 5, 6],
 *   offsets: [[0, 1], [1, 3], [3, 5], [5, 7], [7, 9], [9, 11], [11, 12]] as [number, number][],
 * };
 * assert.deepEqual(lineTokenSpans("a = 1\nb = 2\n", [0], tokens), [[0, 4]]);
 * assert.deepEqual(lineTokenSpans("a = 1\nb = 2\n", [1], tokens), [[3, 7]]);
 * ```
 */
export function lineTokenSpans(
  text: string,
  lines: readonly number[],
  tokens: TokenizedText,
): TokenSpan[] {
  const ranges = _lineRanges(text, lines);
  const flags = tokens.offsets.map(([s, e]) => _overlapsAny(ranges, s, e));
  return _flagsToSpans(flags);
}

/**
 * The anchor mask: the first token (in token order) that overlaps line `line` of `text`, as one
 * span `[t, t + 1)`; empty when no token overlaps the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anchorTokenSpans } from "./token_mask.ts";
 * const tokens = { ids: [0, 1, 2], offsets: [[0, 2], [2, 4], [4, 5]] as [number, number][] };
 * assert.deepEqual(anchorTokenSpans("a\nbc\n", 1, tokens), [[1, 2]]);
 * ```
 */
export function anchorTokenSpans(text: string, line: number, tokens: TokenizedText): TokenSpan[] {
  const ranges = _lineRanges(text, [line]);
  for (let i = 0; i < tokens.offsets.length; i++) {
    const [s, e] = tokens.offsets[i];
    if (_overlapsAny(ranges, s, e)) return [[i, i + 1]];
  }
  return [];
}

/**
 * Dense 0/1 mask of length `length` from sorted, disjoint spans.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spansToDense } from "./token_mask.ts";
 * assert.deepEqual(spansToDense([[1, 3], [4, 5]], 6), [0, 1, 1, 0, 1, 0]);
 * ```
 */
export function spansToDense(spans: readonly TokenSpan[], length: number): number[] {
  const out = new Array<number>(length).fill(0);
  let prevEnd = 0;
  for (const span of spans) {
    const [s, e] = span;
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < prevEnd || e <= s || e > length) {
      throw new RangeError(
        `span ${
          JSON.stringify(span)
        } is not a sorted, disjoint, non-empty span inside [0, ${length})`,
      );
    }
    for (let i = s; i < e; i++) out[i] = 1;
    prevEnd = e;
  }
  return out;
}

/**
 * Sorted, merged spans of the non-zero entries of a dense mask (inverse of
 * {@linkcode spansToDense}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseToSpans } from "./token_mask.ts";
 * assert.deepEqual(denseToSpans([0, 1, 1, 0, 1]), [[1, 3], [4, 5]]);
 * ```
 */
export function denseToSpans(mask: ArrayLike<number>): TokenSpan[] {
  return _flagsToSpans(Array.from(mask, (v) => v !== 0));
}

/**
 * Sorted union of span lists, with touching or overlapping spans merged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeSpans } from "./token_mask.ts";
 * assert.deepEqual(mergeSpans([[4, 6], [0, 1], [1, 2], [5, 8]]), [[0, 2], [4, 8]]);
 * ```
 */
export function mergeSpans(spans: readonly TokenSpan[]): TokenSpan[] {
  const sorted = [...spans].filter(([s, e]) => e > s).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Merged, sorted character ranges of the given line indexes. */
function _lineRanges(text: string, lines: readonly number[]): [number, number][] {
  const all = splitLines(text);
  const ranges: [number, number][] = [];
  for (const line of [...new Set(lines)].sort((x, y) => x - y)) {
    const span = all[line];
    if (!Number.isInteger(line) || span === undefined) {
      throw new RangeError(`line ${line} is outside the text's ${all.length} lines`);
    }
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === span.start) last[1] = span.end;
    else ranges.push([span.start, span.end]);
  }
  return ranges;
}

/** Whether `[s, e)` overlaps one of the sorted disjoint `ranges` (binary search). */
function _overlapsAny(ranges: readonly [number, number][], s: number, e: number): boolean {
  if (e <= s) return false;
  // First range whose end is past s.
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][1] <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo][0] < e;
}

function _flagsToSpans(flags: readonly boolean[]): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let start = -1;
  for (let i = 0; i <= flags.length; i++) {
    const on = i < flags.length && flags[i];
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      spans.push([start, i]);
      start = -1;
    }
  }
  return spans;
}
