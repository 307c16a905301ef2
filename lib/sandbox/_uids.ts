/**
 * Per-run uids for the harness to drop to when started as root. A fresh uid per run keeps
 * `RLIMIT_NPROC` per run (zombies of an earlier run, not yet reaped by init, still count against
 * their uid) and lets the cleanup sweep kill by uid without touching other runs.
 *
 * @module
 */

/** Number of uids a process cycles through; uids lie in `[base, base + 4096 * 4096)`. */
export const _UIDS_PER_PROCESS = 4096;
const _inUse = new Set<number>();
let _next = 0;
/**
 * A random block offset of this module instance: each worker thread of a process loads its own
 * copy of this module (its own `_inUse`), so blocks chosen by the pid alone made two sandboxes in
 * one process (two test files run in parallel) hand out the same uids, and one's cleanup sweep
 * killed the other's programs (seen as a hang).
 */
const _salt = crypto.getRandomValues(new Uint32Array(1))[0] % _UIDS_PER_PROCESS;

/**
 * A uid no live run of this module instance holds:
 * `base + ((pid + salt) mod 4096) * 4096 + counter`, so sandboxes in different processes or
 * worker threads almost never share one.
 * @throws Error when all 4096 uids of this block are in use.
 */
export function _acquireUid(base: number): number {
  const block = base + ((Deno.pid + _salt) % _UIDS_PER_PROCESS) * _UIDS_PER_PROCESS;
  for (let k = 0; k < _UIDS_PER_PROCESS; k++) {
    const uid = block + (_next++ % _UIDS_PER_PROCESS);
    if (!_inUse.has(uid)) {
      _inUse.add(uid);
      return uid;
    }
  }
  throw new Error(`sandbox: all ${_UIDS_PER_PROCESS} uids from ${block} are in use`);
}

/** Returns a uid from {@link _acquireUid}. */
export function _releaseUid(uid: number): void {
  _inUse.delete(uid);
}
