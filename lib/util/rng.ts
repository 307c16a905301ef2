/**
 * Tiny deterministic random numbers shared by the kit: a seeded PRNG and a string hash to derive
 * per-item seeds (for example `seed + hash(taskId)`).
 *
 * @module
 */

/**
 * Mulberry32: a 32-bit seeded PRNG returning floats in `[0, 1)`. Same seed, same stream, on every
 * platform.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32 } from "./rng.ts";
 * const a = mulberry32(42), b = mulberry32(42);
 * assert.equal(a(), b());
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a 32-bit hash of a string's UTF-16 code units, as an unsigned integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashString } from "./rng.ts";
 * assert.equal(hashString(""), 2166136261);
 * assert.equal(hashString("a"), 0xe40c292c);
 * ```
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser: spreads nearby integers over the whole 32-bit range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmix32 } from "./rng.ts";
 * assert.equal(fmix32(0), 0);
 * assert.notEqual(fmix32(1) >>> 24, fmix32(2) >>> 24);
 * ```
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Seed for one item of a seeded run, from the run seed and the item's key hashed together and
 * finalised with {@link fmix32}. Use it so that an item's random draws do not depend on the order
 * in which items are processed. (Adding `seed + hash(key)` is not enough: mulberry32's first draws
 * are correlated for nearby seeds, so seeds 0, 1, 2 would draw nearly the same items.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { itemSeed } from "./rng.ts";
 * assert.equal(itemSeed(1, "task/7"), itemSeed(1, "task/7"));
 * assert.notEqual(itemSeed(1, "task/7"), itemSeed(2, "task/7"));
 * ```
 */
export function itemSeed(seed: number, key: string): number {
  return fmix32(hashString(`${seed >>> 0}/${key}`));
}
