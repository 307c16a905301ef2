/**
 * Append-only JSONL files that survive a kill: a truncated last line is dropped (and cut off the
 * file before the next append), every complete line is kept.
 *
 * @module
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Read the complete lines of `path` (parsed), truncating a partial last line away.
 * A malformed complete line is an error naming the file and line.
 */
export function _readJsonlRepairing<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const lastNl = bytes.lastIndexOf(0x0a);
  const completeLength = lastNl + 1;
  const text = new TextDecoder().decode(bytes.subarray(0, completeLength));
  const out: T[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length - 1; i++) {
    if (lines[i].trim() === "") continue;
    try {
      out.push(JSON.parse(lines[i]) as T);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: invalid JSON: ${(e as Error).message}`);
    }
  }
  if (completeLength < bytes.length) truncateSync(path, completeLength);
  return out;
}

/** Appends one JSON value per line, each written with a single write. */
export class _JsonlAppender {
  #fd: number;
  constructor(readonly path: string) {
    Deno.mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a");
  }
  append(value: unknown): void {
    const bytes = new TextEncoder().encode(JSON.stringify(value) + "\n");
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off);
  }
  close(): void {
    closeSync(this.#fd);
  }
}
