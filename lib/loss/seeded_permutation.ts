/**
 * Seeded pseudo-random numbers and permutations, identical on every platform.
 *
 * @module
 */

/**
 * Mixes integers into one 32-bit seed (splitmix-style avalanche), so that `(seed, step)`
 * gives an independent stream per step: stateless per-step randomness.
 *
 * @example
 * ```ts
 * import { equal, notEqual } from "node:assert/strict";
 * import { mixSeed } from "./seeded_permutation.ts";
 * equal(mixSeed(1, 2), mixSeed(1, 2));
 * notEqual(mixSeed(1, 2), mixSeed(2, 1));
 * ```
 */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (!Number.isInteger(p)) throw new Error(`mixSeed: expected integers, got ${p}`);
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ Math.floor(p / 0x100000000), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Mulberry32 generator, shared by the whole kit (see `lib/util/rng.ts`). */
export { mulberry32 } from "../util/rng.ts";
import { mulberry32 } from "../util/rng.ts";

/**
 * Fisher-Yates permutation of `[0, n)` drawn from `seed`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { seededPermutation } from "./seeded_permutation.ts";
 * const p = seededPermutation(5, 42);
 * deepStrictEqual([...p].sort(), [0, 1, 2, 3, 4]);
 * deepStrictEqual(seededPermutation(5, 42), p);
 * ```
 */
export function seededPermutation(n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`seededPermutation: bad length ${n}`);
  const rand = mulberry32(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
