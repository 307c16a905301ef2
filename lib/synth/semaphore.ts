/**
 * A counting semaphore: at most `permits` holders at once, served first come, first served.
 *
 * @module
 */

/**
 * Bounded concurrency for async work. Every model call of a teacher goes through one shared
 * semaphore, so `concurrency` bounds the in-flight HTTP requests of the whole run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Semaphore } from "./semaphore.ts";
 * const sem = new Semaphore(2);
 * let peak = 0;
 * await Promise.all([1, 2, 3, 4].map(() =>
 *   sem.use(async () => {
 *     peak = Math.max(peak, sem.active);
 *     await new Promise((r) => setTimeout(r, 1));
 *   })
 * ));
 * assert.equal(peak, 2);
 * ```
 */
export class Semaphore {
  readonly #permits: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** @param permits Maximum number of concurrent holders (an integer ≥ 1). */
  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`Semaphore permits must be an integer >= 1, got ${permits}`);
    }
    this.#permits = permits;
  }

  /** Number of holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Number of callers waiting for a permit. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Wait for a permit; call the returned function exactly once to release it. */
  async acquire(): Promise<() => void> {
    if (this.#active < this.#permits) {
      this.#active++;
    } else {
      // The releaser hands its permit straight to us, so `#active` stays unchanged.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    };
  }

  /** Run `fn` while holding a permit. */
  async use<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
