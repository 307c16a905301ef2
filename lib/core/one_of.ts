/**
 * The one membership check of a closed list, with the error every validator of the kit gives.
 *
 * @module
 */

/**
 * Return `value` when it is one of `allowed`, else throw `"<where>: expected one of a, b, found
 * <value as JSON>"`. `where` names the field or flag (and, where it helps, the file or config).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DIFF_METHODS } from "./closed_lists.ts";
 * import { oneOf } from "./one_of.ts";
 * assert.equal(oneOf("data.method", "lcs", DIFF_METHODS), "lcs");
 * assert.throws(
 *   () => oneOf("config: data.method", "myers", DIFF_METHODS),
 *   { message: 'config: data.method: expected one of lcs, ratcliff, prefix-suffix, found "myers"' },
 * );
 * ```
 */
export function oneOf<T>(where: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new Error(
      `${where}: expected one of ${allowed.join(", ")}, found ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}
