/**
 * Flag parsing shared by the benchmarks.
 *
 * @module
 */

/**
 * `value` as one of `choices`, or an error naming the flag, the choices and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneOf } from "./_cli.ts";
 * assert.equal(oneOf("kernels", "wasm", ["auto", "onednn", "wasm"] as const), "wasm");
 * assert.throws(() => oneOf("kernels", "mkl", ["auto", "wasm"]), /--kernels must be one of auto, wasm, found "mkl"/);
 * ```
 */
export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new Error(`--${flag} must be one of ${choices.join(", ")}, found "${value}"`);
  }
  return value as T;
}
