/**
 * A cross-process lock for building a cache entry once: the first process creates
 * `<path>.lock` (holding its pid) and builds; others wait until it is gone. A lock left by a dead
 * process (its pid no longer runs) is taken over.
 *
 * @module
 */
import { link, readFile, rm, writeFile } from "node:fs/promises";

/** Whether process `pid` still runs on this machine (Linux `/proc`). */
function _alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

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
  const lock = `${path}.lock`;
  for (;;) {
    if (await done()) return;
    // The lock appears atomically WITH its pid (a hard link of a written file): a lock created
    // empty and written after could be read empty by a waiter, taken for a dead holder's and
    // removed, and the entry built twice.
    const mine = `${lock}.${Deno.pid}.${crypto.randomUUID()}`;
    await writeFile(mine, String(Deno.pid));
    try {
      await link(mine, lock);
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
      const holder = Number(await readFile(lock, "utf8").catch(() => ""));
      if (!_alive(holder)) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, pollMs));
      continue;
    } finally {
      await rm(mine, { force: true });
    }
    try {
      if (!(await done())) await build();
      return;
    } finally {
      await rm(lock, { force: true });
    }
  }
}
