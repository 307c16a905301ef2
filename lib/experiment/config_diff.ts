/**
 * Which keys of two configs differ: the error of a resumed run whose stored config is not the
 * resolved one.
 *
 * @module
 */
import { canonicalJson } from "./canonical_json.ts";

/** One differing leaf: its dotted path and both values (`undefined` when absent). */
export interface ConfigDifference {
  readonly key: string;
  readonly stored: unknown;
  readonly resolved: unknown;
}

function _isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The leaves where `stored` and `resolved` differ, as dotted paths (array items by index), in key
 * order. Equal configs give `[]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configDiff } from "./config_diff.ts";
 * assert.deepEqual(configDiff({ a: { b: 1 }, s: [0, 1] }, { a: { b: 2 }, s: [0, 1] }), [
 *   { key: "a.b", stored: 1, resolved: 2 },
 * ]);
 * assert.deepEqual(configDiff({ s: [0] }, { s: [0, 1] }), [{ key: "s.1", stored: undefined, resolved: 1 }]);
 * ```
 */
export function configDiff(stored: unknown, resolved: unknown, path = ""): ConfigDifference[] {
  const child = (k: string | number) => path === "" ? String(k) : `${path}.${k}`;
  if (Array.isArray(stored) && Array.isArray(resolved)) {
    const out: ConfigDifference[] = [];
    for (let i = 0; i < Math.max(stored.length, resolved.length); i++) {
      out.push(...configDiff(stored[i], resolved[i], child(i)));
    }
    return out;
  }
  if (_isObject(stored) && _isObject(resolved)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(resolved)])].sort();
    return keys.flatMap((k) => configDiff(stored[k], resolved[k], child(k)));
  }
  const same = stored === undefined || resolved === undefined
    ? stored === resolved
    : canonicalJson(stored) === canonicalJson(resolved);
  return same ? [] : [{ key: path === "" ? "<root>" : path, stored, resolved }];
}
