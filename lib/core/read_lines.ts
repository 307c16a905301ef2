/**
 * Streamed line reading of text files (a `.gz` name is gunzipped on the fly): constant memory (one
 * chunk plus the current line), with the byte offset of every line so a torn last line can be cut
 * off.
 *
 * @module
 */

/** One line of a file. */
export interface RawLine {
  /** Decoded text without its `"\n"` (a trailing `"\r"` is removed too). */
  readonly text: string;
  /** 1-based line number. */
  readonly lineNo: number;
  /** Byte offset of the first byte of the line (of the decompressed stream for `.gz`). */
  readonly byteStart: number;
  /** Whether the line ends with `"\n"` (false only for a last line cut short). */
  readonly terminated: boolean;
}

/** The bytes of `path`, gunzipped when its name ends in `.gz`. */
async function _openBytes(path: string): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  if (!path.endsWith(".gz")) return file.readable;
  return file.readable.pipeThrough(new DecompressionStream("gzip"));
}

/**
 * Decoded UTF-8 text chunks of `path` (`.gz` decompressed); an invalid byte sequence or a broken
 * archive is an error naming the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextChunks } from "./read_lines.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "héllo");
 * let text = "";
 * for await (const c of readTextChunks(path)) text += c;
 * assert.equal(text, "héllo");
 * ```
 */
export async function* readTextChunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const bytes = await _openBytes(path);
  try {
    for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Yield the lines of a file, reading it in chunks. A complete line that is not valid UTF-8 is an
 * error naming `file:line`; a torn last line is decoded leniently (a kill may cut a character).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLines } from "./read_lines.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a\r\nb\nc");
 * const lines = [];
 * for await (const l of readLines(path)) lines.push([l.text, l.byteStart, l.terminated]);
 * assert.deepEqual(lines, [["a", 0, true], ["b", 3, true], ["c", 5, false]]);
 * ```
 */
export async function* readLines(path: string): AsyncGenerator<RawLine> {
  const strict = new TextDecoder("utf-8", { fatal: true });
  const lenient = new TextDecoder("utf-8", { fatal: false });
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let lineStart = 0;
  let offset = 0;
  let lineNo = 0;
  const take = (tail: Uint8Array): Uint8Array => {
    if (pending.length === 0) return tail;
    const out = new Uint8Array(pendingLength + tail.length);
    let at = 0;
    for (const p of pending) {
      out.set(p, at);
      at += p.length;
    }
    out.set(tail, at);
    pending = [];
    pendingLength = 0;
    return out;
  };
  const text = (bytes: Uint8Array, decoder: TextDecoder) => {
    let s: string;
    try {
      s = decoder.decode(bytes);
    } catch (e) {
      throw new Error(`${path}:${lineNo}: not valid UTF-8 (${(e as Error).message})`);
    }
    return s.endsWith("\r") ? s.slice(0, -1) : s;
  };
  let stream: ReadableStream<Uint8Array>;
  try {
    stream = await _openBytes(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw e;
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    for await (const chunk of stream) {
      let from = 0;
      while (from < chunk.length) {
        const nl = chunk.indexOf(10, from);
        if (nl < 0) {
          pending.push(chunk.slice(from));
          pendingLength += chunk.length - from;
          break;
        }
        const bytes = take(chunk.subarray(from, nl));
        lineNo++;
        yield { text: text(bytes, strict), lineNo, byteStart: lineStart, terminated: true };
        lineStart = offset + nl + 1;
        from = nl + 1;
      }
      offset += chunk.length;
    }
  } catch (e) {
    if ((e as Error).message.startsWith(`${path}:`)) throw e;
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (pendingLength > 0) {
    lineNo++;
    const last = text(take(new Uint8Array()), lenient);
    yield { text: last, lineNo, byteStart: lineStart, terminated: false };
  }
}
