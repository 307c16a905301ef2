/**
 * Bounded pool of worker slots: at most `size` tasks hold a slot at once, and each holder gets
 * a slot index no other current holder has.
 *
 * @module
 */

/** Counting semaphore that hands out slot indexes `0..size-1`, first come first served. */
export class _SlotPool {
  readonly #free: number[];
  readonly #waiters: ((slot: number) => void)[] = [];

  /** @param size number of slots, an integer >= 1. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`sandbox: workers must be an integer >= 1, got ${size}`);
    }
    this.#free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  /** Runs `task` with a slot index once one is free, and frees the slot afterwards. */
  async use<T>(task: (slot: number) => Promise<T>): Promise<T> {
    const slot = this.#free.pop() ??
      await new Promise<number>((resolve) => this.#waiters.push(resolve));
    try {
      return await task(slot);
    } finally {
      const next = this.#waiters.shift();
      if (next) next(slot);
      else this.#free.push(slot);
    }
  }
}
