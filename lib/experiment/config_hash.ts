/**
 * Short content hash of a resolved config: the last part of a default run id.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical_json.ts";

/**
 * First 8 hex digits of the SHA-256 of the {@linkcode canonicalJson} of `config`: equal configs
 * (whatever their key order) get the same hash, so rerunning a config resumes its folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configHash } from "./config_hash.ts";
 * assert.equal(configHash({ a: 1, b: 2 }), configHash({ b: 2, a: 1 }));
 * assert.equal(configHash({}), "44136fa3"); // sha256("{}")
 * ```
 */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 8);
}
