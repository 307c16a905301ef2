/**
 * `--key=value` overrides of a plain config object, minGPT style: a key must name a field that
 * exists, and the value must have that field's type.
 *
 * @module
 */

/** A JSON value as found in configs. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function _typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function _parseValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw; // bare strings: --teacher=miniflow
  }
}

/**
 * Return a deep copy of `config` with each `key=value` override applied.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const c = applyOverrides({ model: { nLayer: 2 }, name: "a" }, ["model.nLayer=6"]);
 * assertEquals(c, { model: { nLayer: 6 }, name: "a" });
 * ```
 */
export function applyOverrides<T extends object>(config: T, overrides: readonly string[]): T {
  const out = structuredClone(config) as Record<string, Json>;
  for (const ov of overrides) {
    const eq = ov.indexOf("=");
    if (eq <= 0) throw new Error(`override "${ov}": expected key=value`);
    const key = ov.slice(0, eq).replace(/^--/, "");
    const value = _parseValue(ov.slice(eq + 1));
    const path = key.split(".");
    let node: Record<string, Json> = out;
    for (const [i, part] of path.entries()) {
      if (node === null || typeof node !== "object" || Array.isArray(node) || !(part in node)) {
        const where = path.slice(0, i).join(".") || "<root>";
        const known = node && typeof node === "object" ? Object.keys(node).join(", ") : "";
        throw new Error(`override "${key}": unknown key "${part}" in ${where} (known: ${known})`);
      }
      if (i === path.length - 1) {
        const old = node[part];
        const oldType = _typeName(old);
        const newType = _typeName(value);
        const ok = oldType === newType || (oldType === "null" && newType !== "object");
        if (!ok) {
          throw new Error(
            `override "${key}": expected ${oldType} (like ${
              JSON.stringify(old)
            }), found ${newType} ${JSON.stringify(value)}`,
          );
        }
        node[part] = value;
      } else {
        node = node[part] as Record<string, Json>;
      }
    }
  }
  return out as T;
}
