/**
 * Minimal JSON structure scanning: find where values start and end without building them.
 *
 * The EvalPlus files hold integers beyond 2^53 and the non-standard tokens `Infinity`/`NaN`
 * inside `base_input`/`plus_input`; `JSON.parse` would round or reject them. The loaders therefore
 * keep those fields as raw JSON text (which Python's `json.loads` reads exactly) and parse only the
 * small fields.
 *
 * @module
 */

/** Half-open `[start, end)` character range of a JSON value inside a text. */
export interface _Span {
  readonly start: number;
  readonly end: number;
}

const _WS = new Set([" ", "\t", "\n", "\r"]);

/** Index of the first non-whitespace character at or after `i`. */
export function _skipWs(text: string, i: number): number {
  while (i < text.length && _WS.has(text[i])) i++;
  return i;
}

/** End (exclusive) of the string literal starting at `text[i] === '"'`. */
function _stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === "\\") j++;
    else if (ch === '"') return j + 1;
  }
  throw new SyntaxError(`unterminated string starting at offset ${i}`);
}

/** End (exclusive) of the JSON value starting at `text[i]` (no leading whitespace). */
export function _valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return _stringEnd(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (ch === '"') {
        j = _stringEnd(text, j) - 1;
      } else if (ch === "{" || ch === "[") {
        depth++;
      } else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError(`unterminated ${first === "{" ? "object" : "array"} at offset ${i}`);
  }
  let j = i;
  while (j < text.length && !_WS.has(text[j]) && !",]}:".includes(text[j])) j++;
  if (j === i) throw new SyntaxError(`expected a JSON value at offset ${i}, found "${text[i]}"`);
  return j;
}

/** Spans of the values of the top-level object in `text`, by key. */
export function _objectFieldSpans(text: string): Map<string, _Span> {
  const fields = new Map<string, _Span>();
  let i = _skipWs(text, 0);
  if (text[i] !== "{") throw new SyntaxError(`expected "{" at offset ${i}`);
  i = _skipWs(text, i + 1);
  if (text[i] === "}") return fields;
  for (;;) {
    if (text[i] !== '"') throw new SyntaxError(`expected a key at offset ${i}`);
    const keyEnd = _stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = _skipWs(text, keyEnd);
    if (text[i] !== ":") throw new SyntaxError(`expected ":" after key "${key}" at offset ${i}`);
    const start = _skipWs(text, i + 1);
    const end = _valueEnd(text, start);
    fields.set(key, { start, end });
    i = _skipWs(text, end);
    if (text[i] === "}") {
      if (_skipWs(text, i + 1) !== text.length) {
        throw new SyntaxError(`unexpected text after the object at offset ${i + 1}`);
      }
      return fields;
    }
    if (text[i] !== ",") throw new SyntaxError(`expected "," or "}" at offset ${i}`);
    i = _skipWs(text, i + 1);
  }
}

/** Number of elements of the JSON array spanning `span` in `text`. */
export function _arrayLength(text: string, span: _Span): number {
  let i = _skipWs(text, span.start + 1);
  if (text[span.start] !== "[") throw new SyntaxError(`expected "[" at offset ${span.start}`);
  if (text[i] === "]") return 0;
  let count = 0;
  for (;;) {
    i = _skipWs(text, _valueEnd(text, i));
    count++;
    if (text[i] === "]") return count;
    if (text[i] !== ",") throw new SyntaxError(`expected "," or "]" at offset ${i}`);
    i = _skipWs(text, i + 1);
  }
}

/** One element of a streamed top-level JSON array. */
export interface _ArrayElement {
  /** 0-based position in the array. */
  readonly index: number;
  /** 1-based line of the element's first character. */
  readonly lineNo: number;
  readonly text: string;
}

/**
 * Stream the elements of a top-level JSON array from text chunks, holding one element at a time.
 * Elements are yielded as raw text; the caller parses them.
 */
export async function* _streamArrayElements(
  chunks: AsyncIterable<string>,
): AsyncGenerator<_ArrayElement> {
  let buf = "";
  let pos = 0; // next character of buf to scan
  let lineNo = 1; // line of buf[pos]
  let state: "before" | "between" | "in" | "done" = "before";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elStart = -1;
  let elLine = 0;
  let index = 0;
  for await (const chunk of chunks) {
    buf += chunk;
    for (; pos < buf.length; pos++) {
      const ch = buf[pos];
      if (ch === "\n") lineNo++;
      if (state === "done") {
        if (!_WS.has(ch)) throw new SyntaxError(`line ${lineNo}: unexpected text after the array`);
        continue;
      }
      if (state === "before") {
        if (_WS.has(ch)) continue;
        if (ch !== "[") throw new SyntaxError(`line ${lineNo}: expected "[", found "${ch}"`);
        state = "between";
        continue;
      }
      if (state === "between") {
        if (_WS.has(ch) || (ch === "," && index > 0)) continue;
        if (ch === "]") {
          state = "done";
          continue;
        }
        state = "in";
        elStart = pos;
        elLine = lineNo;
        depth = 0;
      }
      // state === "in"
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") depth--;
      if (depth < 0 || (depth === 0 && ch === ",")) {
        yield { index: index++, lineNo: elLine, text: buf.slice(elStart, pos) };
        state = ch === "," ? "between" : "done";
        depth = 0;
      }
    }
    if (state === "in") {
      buf = buf.slice(elStart);
      pos -= elStart;
      elStart = 0;
    } else {
      buf = "";
      pos = 0;
    }
  }
  if ((state as string) !== "done") {
    throw new SyntaxError(`line ${lineNo}: the JSON array is not closed`);
  }
}
