/**
 * Typed field access on parsed data records, with errors that name the file, line and field.
 *
 * @module
 */
import type { SourceRef } from "./types.ts";

/** A parsed JSON object plus where it came from. */
export class _Record {
  constructor(readonly source: SourceRef, readonly value: Record<string, unknown>) {}

  /** Parse `text` as a JSON object, or throw naming the file and line. */
  static parse(text: string, source: SourceRef): _Record {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`${source.file}:${source.line}: invalid JSON: ${(e as Error).message}`);
    }
    return _Record.of(value, source);
  }

  /** Wrap an already-parsed value, checking it is an object. */
  static of(value: unknown, source: SourceRef): _Record {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error(
        `${source.file}:${source.line}: expected a JSON object, found ${_describe(value)}`,
      );
    }
    return new _Record(source, value as Record<string, unknown>);
  }

  /** An error about field `name`. */
  error(name: string, message: string): Error {
    return new Error(`${this.source.file}:${this.source.line}: field "${name}": ${message}`);
  }

  /** Field `name`, which must be a string. */
  string(name: string): string {
    const v = this.value[name];
    if (typeof v !== "string") throw this.error(name, `expected a string, found ${_describe(v)}`);
    return v;
  }

  /** Field `name`, which must be a finite number. */
  number(name: string): number {
    const v = this.value[name];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw this.error(name, `expected a number, found ${_describe(v)}`);
    }
    return v;
  }

  /** Field `name`, a string or an integer, as a string (MBPP ids are integers). */
  id(name: string): string {
    const v = this.value[name];
    if (typeof v === "string" && v.length > 0) return v;
    if (typeof v === "number" && Number.isInteger(v)) return String(v);
    throw this.error(name, `expected a task id (string or integer), found ${_describe(v)}`);
  }

  /** Field `name`, which must be an array of strings. */
  strings(name: string): string[] {
    const v = this.value[name];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      throw this.error(name, `expected an array of strings, found ${_describe(v)}`);
    }
    return v as string[];
  }
}

/** Short description of a JSON value for error messages. */
export function _describe(v: unknown): string {
  if (v === undefined) return "nothing (missing)";
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") {
    return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  }
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
