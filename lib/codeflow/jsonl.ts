/**
 * Streamed JSONL reading with line-numbered errors, and append-only writing.
 *
 * @module
 */
import { _readLines } from "./_lines.ts";
import { FieldError, RecordError } from "./record_error.ts";
import type { Pair, Trajectory } from "./types.ts";
import { type RecordValidator, validatePair, validateTrajectory } from "./validate.ts";

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
 * Stream the records of a JSONL file, one line at a time (constant memory). Blank lines are
 * skipped but still counted, so line numbers match an editor's.
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
  for await (const raw of _readLines(path)) {
    if (raw.text.trim() === "") continue;
    yield { line: raw.lineNo, record: parseJsonlLine(raw.text, path, raw.lineNo, validate) };
  }
}

/**
 * Stream and validate the trajectories of a JSONL file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTrajectories } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"schema":"codeflow.trajectory/v1","taskId":""}\n');
 * await assert.rejects(
 *   async () => { for await (const _ of readTrajectories(path)); },
 *   { message: `${path}:1: field "taskId": expected non-empty string, found ""` },
 * );
 * await Deno.remove(path);
 * ```
 */
export async function* readTrajectories(path: string): AsyncGenerator<Trajectory> {
  for await (const { record } of readJsonl(path, validateTrajectory)) yield record;
}

/**
 * Stream and validate the pairs of a JSONL file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPairs } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, "");
 * const pairs = [];
 * for await (const p of readPairs(path)) pairs.push(p);
 * assert.equal(pairs.length, 0);
 * await Deno.remove(path);
 * ```
 */
export async function* readPairs(path: string): AsyncGenerator<Pair> {
  for await (const { record } of readJsonl(path, validatePair)) yield record;
}

/**
 * Append records to a JSONL file (created when missing), one line each. Each record goes out in
 * one write of `JSON + "\n"`, so a kill leaves at most one torn last line, which
 * `resumeJsonl` removes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendJsonl } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await appendJsonl(path, [{ a: 1 }]);
 * await appendJsonl(path, [{ a: 2 }]);
 * assert.equal(await Deno.readTextFile(path), '{"a":1}\n{"a":2}\n');
 * await Deno.remove(path);
 * ```
 */
export async function appendJsonl(
  path: string,
  records: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<number> {
  using file = await Deno.open(path, { append: true, create: true });
  const encoder = new TextEncoder();
  let count = 0;
  for await (const record of records) {
    const bytes = encoder.encode(JSON.stringify(record) + "\n");
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    count++;
  }
  return count;
}
