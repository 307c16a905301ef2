/**
 * Errors for data files: they name the file, the 1-based line and the field.
 *
 * @module
 */

/**
 * A field of a record that does not have the expected shape. Validators throw it without a
 * location; the JSONL reader turns it into a {@linkcode RecordError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FieldError } from "./record_error.ts";
 * const e = new FieldError("diff.rejectedLines", "array of integers", "x");
 * assert.equal(e.message, 'field "diff.rejectedLines": expected array of integers, found "x"');
 * ```
 */
export class FieldError extends Error {
  /** Dotted path of the field (`versions[2].verdict`). */
  readonly field: string;

  /** `found` is shown as JSON, cut to 60 characters; `detail` is appended after it. */
  constructor(field: string, expected: string, found: unknown, detail = "") {
    super(`field "${field}": expected ${expected}, found ${_show(found)}${detail}`);
    this.name = "FieldError";
    this.field = field;
  }
}

/**
 * A bad line of a data file: `file:line: message`, with the field when one is to blame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordError } from "./record_error.ts";
 * const e = new RecordError({ file: "data/pairs.jsonl", line: 17, reason: "invalid JSON (x)" });
 * assert.equal(e.message, "data/pairs.jsonl:17: invalid JSON (x)");
 * assert.equal(e.field, undefined);
 * ```
 */
export class RecordError extends Error {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The offending field, when the line parsed as JSON but a field is wrong. */
  readonly field: string | undefined;

  /** Build from the location and the reason (the reason already names the field, if any). */
  constructor(
    init: { file: string; line: number; reason: string; field?: string },
    options?: ErrorOptions,
  ) {
    super(`${init.file}:${init.line}: ${init.reason}`, options);
    this.name = "RecordError";
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
  }
}

function _show(value: unknown): string {
  let text: string;
  if (value === undefined) text = "nothing";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
