/**
 * Shape checks of the JSONL records (`Trajectory`, `Pair`). Extra fields are allowed (records may
 * carry more data, for example reference log-probs); missing or mistyped known fields throw a
 * {@linkcode FieldError} naming the field.
 *
 * @module
 */
import {
  type CodeVersion,
  DIFF_METHODS,
  EMPTY_REJECTED_CASES,
  FieldError,
  FILTER_NAMES,
  type MaskedPair,
  type Pair,
  type RecordValidator,
  SELECTION_RULES,
  TEACHER_KINDS,
  type Trajectory,
  TRAJECTORY_SOURCES,
  VERDICTS,
} from "../core/mod.ts";

/**
 * Check a `codeflow.trajectory/v1` record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrajectory } from "./validate.ts";
 * assert.throws(
 *   () => validateTrajectory({ schema: "codeflow.trajectory/v1", taskId: 3 }),
 *   { message: 'field "taskId": expected non-empty string, found 3' },
 * );
 * ```
 */
export const validateTrajectory: RecordValidator<Trajectory> = (value) => {
  const r = _object(value, "");
  _literal(r, "schema", "codeflow.trajectory/v1");
  _nonEmptyString(r, "taskId");
  _teacher(r.teacher, "teacher");
  if (r.source !== undefined) _oneOf(r.source, "source", TRAJECTORY_SOURCES);
  for (const f of ["prompt", "entryPoint", "tests"]) _string(r, f);
  const versions = _array(r.versions, "versions", "array of code versions");
  versions.forEach((v, i) => _version(v, `versions[${i}]`));
  return value as Trajectory;
};

/**
 * Check a `codeflow.pair/v1` record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatePair } from "./validate.ts";
 * assert.throws(() => validatePair([]), { message: "field \"(record)\": expected object, found []" });
 * ```
 */
export const validatePair: RecordValidator<Pair> = (value) => {
  const r = _object(value, "");
  _literal(r, "schema", "codeflow.pair/v1");
  _nonEmptyString(r, "taskId");
  _teacher(r.teacher, "teacher");
  for (const f of ["prompt", "chosen", "rejected"]) _string(r, f);
  for (const f of ["chosenIteration", "rejectedIteration"]) _natural(r[f], f);
  const sel = _object(r.selection, "selection");
  _oneOf(sel.rule, "selection.rule", SELECTION_RULES);
  _integer(sel.seed, "selection.seed");
  _diff(r.diff, "diff");
  if (r.completion !== undefined) {
    const c = _object(r.completion, "completion");
    _natural(c.promptLines, "completion.promptLines");
    for (const f of ["chosen", "rejected"]) _string(c, f, "completion.");
    _diff(c.diff, "completion.diff");
  }
  if (r.masks !== undefined) {
    const masks = _object(r.masks, "masks");
    _string(masks, "tokenizer", "masks.");
    _spans(masks.chosen, "masks.chosen");
    _spans(masks.rejected, "masks.rejected");
    if (masks.emptyRejected !== undefined) {
      _oneOf(masks.emptyRejected, "masks.emptyRejected", EMPTY_REJECTED_CASES);
    }
    if (masks.contextLines !== undefined) _natural(masks.contextLines, "masks.contextLines");
  }
  const filters = _object(r.filters, "filters");
  for (const [name, verdict] of Object.entries(filters)) {
    _oneOf(name, `filters key "${name}"`, FILTER_NAMES);
    if (typeof verdict !== "boolean") throw new FieldError(`filters.${name}`, "boolean", verdict);
  }
  return value as Pair;
};

/**
 * Check a stored preference pair (`pipeline.preference-pair/v1`, a cell's `pairs.jsonl`) as the
 * {@linkcode MaskedPair} that masks for another tokenizer are computed from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateMaskedPair } from "./validate.ts";
 * assert.throws(() => validateMaskedPair({ schema: "pipeline.preference-pair/v1", taskId: "t",
 *   prompt: "p", chosen: "a", rejected: "b", contextLines: -1 }), /field "diff"/);
 * ```
 */
export const validateMaskedPair: RecordValidator<MaskedPair> = (value) => {
  const r = _object(value, "");
  _literal(r, "schema", "pipeline.preference-pair/v1");
  _nonEmptyString(r, "taskId");
  for (const key of ["prompt", "chosen", "rejected"]) _string(r, key);
  _diff(r.diff, "diff");
  _natural(r.contextLines, "contextLines");
  _oneOf(r.emptyRejected, "emptyRejected", EMPTY_REJECTED_CASES);
  return value as MaskedPair;
};

type Obj = Record<string, unknown>;

function _diff(value: unknown, field: string): void {
  const diff = _object(value, field);
  _oneOf(diff.method, `${field}.method`, DIFF_METHODS);
  _naturals(diff.chosenLines, `${field}.chosenLines`);
  _naturals(diff.rejectedLines, `${field}.rejectedLines`);
  _array(diff.hunks, `${field}.hunks`, "array of hunks").forEach((h, i) => {
    const hunk = _object(h, `${field}.hunks[${i}]`);
    for (const f of ["rejectedStart", "rejectedEnd", "chosenStart", "chosenEnd"]) {
      _natural(hunk[f], `${field}.hunks[${i}].${f}`);
    }
  });
}

function _object(value: unknown, field: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FieldError(field || "(record)", "object", value);
  }
  return value as Obj;
}

function _join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function _literal(r: Obj, key: string, expected: string): void {
  if (r[key] !== expected) throw new FieldError(key, JSON.stringify(expected), r[key]);
}

function _string(r: Obj, key: string, prefix = ""): void {
  if (typeof r[key] !== "string") throw new FieldError(prefix + key, "string", r[key]);
}

function _nonEmptyString(r: Obj, key: string): void {
  if (typeof r[key] !== "string" || r[key] === "") {
    throw new FieldError(key, "non-empty string", r[key]);
  }
}

function _integer(value: unknown, field: string): void {
  if (!Number.isSafeInteger(value)) throw new FieldError(field, "integer", value);
}

function _natural(value: unknown, field: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new FieldError(field, "non-negative integer", value);
  }
}

function _oneOf(value: unknown, field: string, allowed: readonly string[]): void {
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new FieldError(field, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value);
  }
}

function _array(value: unknown, field: string, expected: string): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(field, expected, value);
  return value;
}

function _naturals(value: unknown, field: string): void {
  const expected = "array of integers";
  const items = _array(value, field, expected);
  const bad = items.findIndex((x) => !Number.isSafeInteger(x) || (x as number) < 0);
  if (bad >= 0) throw new FieldError(field, expected, items[bad], ` at index ${bad}`);
}

function _spans(value: unknown, field: string): void {
  const expected = "array of [startToken, endToken] spans";
  const items = _array(value, field, expected);
  items.forEach((s, i) => {
    if (
      !Array.isArray(s) || s.length !== 2 || !Number.isSafeInteger(s[0]) ||
      !Number.isSafeInteger(s[1]) || s[0] < 0 || s[1] <= s[0]
    ) {
      throw new FieldError(field, expected, s, ` at index ${i}`);
    }
  });
}

function _teacher(value: unknown, field: string): void {
  const t = _object(value, field);
  _oneOf(t.kind, _join(field, "kind"), TEACHER_KINDS);
  if (typeof t.model !== "string") throw new FieldError(_join(field, "model"), "string", t.model);
  if (t.baseUrl !== undefined && typeof t.baseUrl !== "string") {
    throw new FieldError(_join(field, "baseUrl"), "string", t.baseUrl);
  }
}

function _version(value: unknown, field: string): CodeVersion {
  const v = _object(value, field);
  _natural(v.iteration, _join(field, "iteration"));
  if (typeof v.code !== "string") throw new FieldError(_join(field, "code"), "string", v.code);
  _oneOf(v.verdict, _join(field, "verdict"), VERDICTS);
  for (const f of ["errorType", "errorMessage"]) {
    if (v[f] !== undefined && typeof v[f] !== "string") {
      throw new FieldError(_join(field, f), "string", v[f]);
    }
  }
  _natural(v.passedTests, _join(field, "passedTests"));
  _natural(v.totalTests, _join(field, "totalTests"));
  return value as CodeVersion;
}
