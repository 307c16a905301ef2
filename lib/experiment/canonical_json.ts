/**
 * Canonical JSON (object keys sorted), so equal configs hash and compare equal whatever the key
 * order they were built in.
 *
 * @module
 */

/**
 * JSON text of `value` with the keys of every object sorted. Throws on anything `JSON.parse`
 * would not give back: `undefined`, functions, non-finite numbers, class instances; the error
 * names the path (`variants.1.beta`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./canonical_json.ts";
 * assert.equal(canonicalJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
 * assert.throws(() => canonicalJson({ a: { x: NaN } }), /at "a\.x": expected a JSON value, found NaN/);
 * ```
 */
export function canonicalJson(value: unknown): string {
  return _canonical(value, "");
}

function _canonical(value: unknown, path: string): string {
  const where = path === "" ? "<root>" : path;
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (Number.isFinite(value)) return JSON.stringify(value);
    throw new TypeError(`canonicalJson: at "${where}": expected a JSON value, found ${value}`);
  }
  const child = (k: string | number) => path === "" ? String(k) : `${path}.${k}`;
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => _canonical(v, child(i))).join(",")}]`;
  }
  if (
    typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype ||
    typeof value === "object" && Object.getPrototypeOf(value) === null
  ) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${_canonical(obj[k], child(k))}`).join(",")}}`;
  }
  const found = typeof value === "object" ? (value as object).constructor?.name : typeof value;
  throw new TypeError(`canonicalJson: at "${where}": expected a JSON value, found ${found}`);
}
