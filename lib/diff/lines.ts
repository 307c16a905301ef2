/**
 * The kit's line model: how a completion is cut into lines for diffs and masks.
 *
 * @module
 */

/** One line of a text: its content and its character range. */
export interface LineSpan {
  /** The line without its terminator. */
  readonly text: string;
  /** Offset (UTF-16 code units) of the first character of the line. */
  readonly start: number;
  /** Offset just past the line, INCLUDING its terminator (`"\n"` or `"\r\n"`) when it has one. */
  readonly end: number;
}

/**
 * Cut a text into lines. A line ends at `"\n"`; a `"\r"` just before that `"\n"` belongs to the
 * terminator (CRLF), so `"a\r\n"` and `"a\n"` have the same line text. A final line without a
 * terminator is a line; a final terminator does not start an empty line, so the result has the
 * same length as Python's `str.splitlines()` on `\n`/`\r\n` text. Unlike `splitlines`, a lone
 * `"\r"` and Unicode line separators stay inside the line: masks then follow the same lines that
 * Python's `tokenize` sees.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitLines } from "./lines.ts";
 * assert.deepEqual(splitLines("a\r\nb"), [
 *   { text: "a", start: 0, end: 3 },
 *   { text: "b", start: 3, end: 4 },
 * ]);
 * assert.deepEqual(splitLines(""), []);
 * ```
 */
export function splitLines(text: string): LineSpan[] {
  const lines: LineSpan[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) {
      lines.push({ text: text.slice(start), start, end: text.length });
      break;
    }
    const contentEnd = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push({ text: text.slice(start, contentEnd), start, end: nl + 1 });
    start = nl + 1;
  }
  return lines;
}

/**
 * Only the line texts of {@linkcode splitLines}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineTexts } from "./lines.ts";
 * assert.deepEqual(lineTexts("x = 1\n\ny = 2\n"), ["x = 1", "", "y = 2"]);
 * ```
 */
export function lineTexts(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) {
      out.push(text.slice(start));
      break;
    }
    const contentEnd = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    out.push(text.slice(start, contentEnd));
    start = nl + 1;
  }
  return out;
}
