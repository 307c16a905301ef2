/**
 * The kit's one JSONL reader and appender: streamed reading with `file:line: field "…"` errors,
 * append-only writing one whole line per write, and resumption that cuts a torn last line off.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { readLines } from "./read_lines.ts";
import { FieldError, RecordError } from "./record_error.ts";

/** Checks that a parsed JSON value is a `T`, or throws a {@linkcode FieldError}. */
export type RecordValidator<T> = (value: unknown) => T;

/** One record of a JSONL file with its 1-based line number. */
export interface JsonlEntry<T> {
  readonly line: number;
  readonly record: T;
}

/**
 * Parse and check one JSONL line. Errors are {@linkcode RecordError}s naming `file:line` and,
 * for shape errors, the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonlLine } from "./jsonl.ts";
 * assert.deepEqual(parseJsonlLine('{"a":1}', "f.jsonl", 3), { a: 1 });
 * assert.throws(() => parseJsonlLine("{", "f.jsonl", 3), /^RecordError: f\.jsonl:3: invalid JSON \(/);
 * ```
 */
export function parseJsonlLine<T = unknown>(
  text: string,
  file: string,
  line: number,
  validate?: RecordValidator<T>,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RecordError({ file, line, reason: `invalid JSON (${(e as Error).message})` }, {
      cause: e,
    });
  }
  if (validate === undefined) return value as T;
  try {
    return validate(value);
  } catch (e) {
    if (e instanceof FieldError) {
      throw new RecordError({ file, line, reason: e.message, field: e.field }, { cause: e });
    }
    throw e;
  }
}

/**
 * Stream the records of a JSONL file (`.gz` too), one line at a time (constant memory). Blank
 * lines are skipped but still counted, so line numbers match an editor's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJsonl } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"a":1}\n\n{"a":2}\n');
 * const lines = [];
 * for await (const e of readJsonl(path)) lines.push(e.line);
 * assert.deepEqual(lines, [1, 3]);
 * await Deno.remove(path);
 * ```
 */
export async function* readJsonl<T = unknown>(
  path: string,
  validate?: RecordValidator<T>,
): AsyncGenerator<JsonlEntry<T>> {
  for await (const raw of readLines(path)) {
    if (raw.text.trim() === "") continue;
    yield { line: raw.lineNo, record: parseJsonlLine(raw.text, path, raw.lineNo, validate) };
  }
}

/**
 * Every record of a JSONL file, in order (for small files: step logs, cell outputs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJsonlFile } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"a":1}\n{"a":2}\n');
 * assert.deepEqual(await readJsonlFile(path), [{ a: 1 }, { a: 2 }]);
 * await Deno.writeTextFile(path, '{"a":1}\n{"a":\n');
 * await assert.rejects(readJsonlFile(path), new RegExp(`${path}:2: invalid JSON`));
 * ```
 */
export async function readJsonlFile<T = unknown>(
  path: string,
  validate?: RecordValidator<T>,
): Promise<T[]> {
  const out: T[] = [];
  for await (const { record } of readJsonl(path, validate)) out.push(record);
  return out;
}

/** What {@linkcode repairJsonl} found. */
export interface RepairState {
  /** Number of complete records. */
  readonly records: number;
  /** Bytes cut off the end (a torn last line); 0 when the file was clean or missing. */
  readonly truncatedBytes: number;
}

/** Options of {@linkcode repairJsonl}. */
export interface RepairOptions<T> {
  /** Shape check of every complete record. @default {undefined} */
  readonly validate?: RecordValidator<T>;
  /** Receives every complete record in order. @default {undefined} */
  readonly onRecord?: (entry: JsonlEntry<T>) => void;
}

/**
 * Read an append-only JSONL output before resuming the job that writes it. A missing file holds
 * nothing. A last line without its `"\n"` was torn by a kill (each record is written as one
 * `JSON + "\n"`): it is dropped and the file is truncated back to the end of the last complete
 * line, so the next append starts on a fresh line. Any other bad line, a complete last line
 * included, is a {@linkcode RecordError}, since it is not what a kill leaves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repairJsonl } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"a":1}\n{"a":2}\n{"a":[1,');
 * const seen: number[] = [];
 * const state = await repairJsonl<{ a: number }>(path, { onRecord: (e) => seen.push(e.record.a) });
 * assert.deepEqual([seen, state], [[1, 2], { records: 2, truncatedBytes: 8 }]);
 * assert.equal(await Deno.readTextFile(path), '{"a":1}\n{"a":2}\n');
 * ```
 */
export async function repairJsonl<T = unknown>(
  path: string,
  options: RepairOptions<T> = {},
): Promise<RepairState> {
  let records = 0;
  let tornAt = -1;
  try {
    for await (const raw of readLines(path)) {
      if (!raw.terminated) {
        tornAt = raw.byteStart;
        break;
      }
      if (raw.text.trim() === "") continue;
      const record = parseJsonlLine(raw.text, path, raw.lineNo, options.validate);
      options.onRecord?.({ line: raw.lineNo, record });
      records++;
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { records: 0, truncatedBytes: 0 };
    throw e;
  }
  if (tornAt < 0) return { records, truncatedBytes: 0 };
  const size = (await Deno.stat(path)).size;
  await Deno.truncate(path, tornAt);
  return { records, truncatedBytes: size - tornAt };
}

/**
 * Appends one JSON value per line to a file (created, with its folder, when missing). Each line
 * goes out in one synchronous write of `JSON + "\n"`, so concurrent callers never interleave and
 * a kill tears at most the last line, which {@linkcode repairJsonl} cuts off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonlAppender } from "./jsonl.ts";
 * const dir = await Deno.makeTempDir();
 * const out = new JsonlAppender(`${dir}/sub/a.jsonl`);
 * out.append({ a: 1 });
 * out.append({ a: 2 });
 * out.close();
 * assert.equal(await Deno.readTextFile(`${dir}/sub/a.jsonl`), '{"a":1}\n{"a":2}\n');
 * ```
 */
export class JsonlAppender {
  readonly path: string;
  #fd: number | null;
  static readonly #encoder = new TextEncoder();

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a");
  }

  /** Append `value` as one line. */
  append(value: unknown): void {
    if (this.#fd === null) throw new Error(`${this.path}: append after close`);
    const bytes = JsonlAppender.#encoder.encode(JSON.stringify(value) + "\n");
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off);
  }

  /** Close the file (a second close does nothing). */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/**
 * Append records to a JSONL file, one line each, through a {@linkcode JsonlAppender}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendJsonl } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await appendJsonl(path, [{ a: 1 }]);
 * await appendJsonl(path, [{ a: 2 }]);
 * assert.equal(await Deno.readTextFile(path), '{"a":1}\n{"a":2}\n');
 * ```
 */
export async function appendJsonl(
  path: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<number> {
  const out = new JsonlAppender(path);
  let count = 0;
  try {
    for await (const record of records) {
      out.append(record);
      count++;
    }
  } finally {
    out.close();
  }
  return count;
}

/**
 * Records as JSONL text, one line each (for {@linkcode atomicWrite}s of whole files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJsonl } from "./jsonl.ts";
 * assert.equal(toJsonl([{ a: 1 }, [2]]), '{"a":1}\n[2]\n');
 * ```
 */
export function toJsonl(records: Iterable<unknown>): string {
  let text = "";
  for (const r of records) text += JSON.stringify(r) + "\n";
  return text;
}
