/**
 * Streamed line reading of (optionally gzip-compressed) text files with node:fs and node:zlib.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";

/** One line of a text file, 1-based line number, without its `\n` (a trailing `\r` is kept). */
export interface _NumberedLine {
  readonly lineNo: number;
  readonly text: string;
}

/** Open `path` as a stream of decompressed bytes (`.gz` names are gunzipped). */
export function _openBytes(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** Decoded text chunks of `path` (UTF-8; a `.gz` name is decompressed on the fly). */
export async function* _readTextChunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const chunk of _openBytes(path)) {
      yield decoder.decode(chunk as Uint8Array, { stream: true });
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The lines of `path`, streamed: only one line is held in memory at a time (plus one chunk).
 * A final line without `\n` is yielded too; an empty final line is not.
 */
export async function* _readLines(path: string): AsyncGenerator<_NumberedLine> {
  let pending = "";
  let lineNo = 0;
  for await (const chunk of _readTextChunks(path)) {
    pending += chunk;
    let start = 0;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n", start)) {
      lineNo++;
      yield { lineNo, text: pending.slice(start, nl) };
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (pending.length > 0) yield { lineNo: lineNo + 1, text: pending };
}
