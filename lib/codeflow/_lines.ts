/**
 * Streamed byte-level line reader: constant memory (one chunk plus the current line), with the
 * byte offset of every line so a torn last line can be cut off.
 *
 * @module
 */

/** One line of a file. */
export interface _RawLine {
  /** Decoded text without its `"\n"` (a trailing `"\r"` is removed too). */
  readonly text: string;
  /** 1-based line number. */
  readonly lineNo: number;
  /** Byte offset of the first byte of the line. */
  readonly byteStart: number;
  /** Whether the line ends with `"\n"` (false only for a last line cut short). */
  readonly terminated: boolean;
}

/** Yield the lines of a file, reading it in chunks. */
export async function* _readLines(path: string): AsyncGenerator<_RawLine> {
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder("utf-8", { fatal: false });
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
  const text = (bytes: Uint8Array) => {
    const s = decoder.decode(bytes);
    return s.endsWith("\r") ? s.slice(0, -1) : s;
  };
  for await (const chunk of file.readable) {
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
      yield { text: text(bytes), lineNo, byteStart: lineStart, terminated: true };
      lineStart = offset + nl + 1;
      from = nl + 1;
    }
    offset += chunk.length;
  }
  if (pendingLength > 0) {
    lineNo++;
    yield {
      text: text(take(new Uint8Array())),
      lineNo,
      byteStart: lineStart,
      terminated: false,
    };
  }
}
