/**
 * Private helpers over the kit's seeded PRNG (`lib/util/rng.ts`).
 *
 * @module
 */
import { fmix32, hashString, mulberry32 } from "../util/rng.ts";

/** A seeded stream with integer, choice and shuffle helpers. */
export class Random {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /**
   * Stream for one item of a seeded run: independent of processing order. The seed and key are
   * hashed together (not added, as `itemSeed` does) because mulberry32's first draws are
   * correlated for nearby seeds, so seeds 0 and 1 would otherwise pick the same compositions.
   */
  static forItem(seed: number, key: string): Random {
    return new Random(fmix32(hashString(`${seed >>> 0}/${key}`)));
  }

  /** Float in `[0, 1)`. */
  float(): number {
    return this.#next();
  }

  /** Integer in `[lo, hi]` (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Random.pick: expected a non-empty array, found []");
    return items[Math.floor(this.#next() * items.length)];
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.#next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
