/**
 * Building a cache entry once across processes, on lib/core's lock: the first process takes
 * `<path>.lock` and builds; others wait until it is gone. A lock left by a dead process is taken
 * over.
 *
 * @module
 */
import { tryLock } from "../core/mod.ts";

/** Options of {@linkcode _withCacheLock}. */
export interface _CacheLockOptions {
  /** The cache entry; the lock is `<path>.lock`. */
  readonly path: string;
  /** Whether the entry is complete. */
  readonly done: () => Promise<boolean>;
  /** Builds the entry. */
  readonly build: () => Promise<void>;
  /**
   * Polling interval while another process holds the lock.
   * @default {500}
   */
  readonly pollMs?: number;
}

/**
 * Run `build` unless `done()` already holds, under the lock `<path>.lock`: concurrent callers
 * (other studies run in parallel) wait for the holder and then see `done()` hold, so the entry
 * is built once.
 */
export async function _withCacheLock(options: _CacheLockOptions): Promise<void> {
  const { path, done, build } = options;
  const pollMs = options.pollMs ?? 500;
  for (;;) {
    if (await done()) return;
    const got = await tryLock(`${path}.lock`, "cache build");
    if (!("release" in got)) {
      await new Promise((r) => setTimeout(r, pollMs)); // another process builds it
      continue;
    }
    try {
      if (!(await done())) await build();
      return;
    } finally {
      await got.release();
    }
  }
}
