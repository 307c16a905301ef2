/**
 * The kit's one cross-process lock: a lock file that appears atomically with its holder's pid
 * and start time (a hard link of a file written first), taken over when its holder is gone. Run
 * folders, synthesis outputs and evaluation outputs hold one for as long as a job writes them, so
 * a second job on the same folder fails at once instead of writing every record twice; cache
 * builders wait on one instead.
 *
 * @module
 */
import { link, readFile, rm, writeFile } from "node:fs/promises";

/** Who holds a lock, as its file records it. */
export interface LockHolder {
  readonly pid: number;
  /** The holder's start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
  readonly startTime: string | null;
  /** What the holder is doing (`"experiment main-results"`, `"synth"`, …). */
  readonly what: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
}

/** A held lock; release it when the job ends. */
export interface HeldLock extends AsyncDisposable {
  readonly path: string;
  release(): Promise<void>;
}

/** `/proc/<pid>/stat` field 22 (the start time), or `null` when the process is gone. */
function _startTime(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote `holder` still runs (the same pid and the same start time). */
function _alive(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  const start = _startTime(holder.pid);
  return start !== null && (holder.startTime === null || start === holder.startTime);
}

async function _readHolder(path: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw e;
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // torn or foreign: no live holder can be named, so it is taken over
  }
  if (typeof parsed === "object" && parsed !== null) return parsed as LockHolder;
  // A lock of the kit's earlier format holds the bare pid.
  return { pid: Number(text), startTime: null, what: "unknown", since: "unknown" };
}

/**
 * Take the lock file `path` for `what`, or return its live holder. A lock whose holder is gone
 * (killed: its pid no longer runs, or runs another program) is taken over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tryLock } from "./file_lock.ts";
 * const path = `${await Deno.makeTempDir()}/job.lock`;
 * const held = await tryLock(path, "test");
 * assert.ok("release" in held);
 * const second = await tryLock(path, "again");
 * assert.ok(!("release" in second) && second.pid === Deno.pid && second.what === "test");
 * await held.release();
 * assert.ok("release" in (await tryLock(path, "after")));
 * ```
 */
export async function tryLock(path: string, what: string): Promise<HeldLock | LockHolder> {
  const me: LockHolder = {
    pid: Deno.pid,
    startTime: _startTime(Deno.pid),
    what,
    since: new Date().toISOString(),
  };
  for (;;) {
    const mine = `${path}.${Deno.pid}.${crypto.randomUUID()}`;
    await writeFile(mine, JSON.stringify(me) + "\n");
    try {
      await link(mine, path);
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
      const holder = await _readHolder(path);
      if (holder !== null && _alive(holder)) return holder;
      await rm(path, { force: true }); // its holder is gone
      continue;
    } finally {
      await rm(mine, { force: true });
    }
    const release = () => rm(path, { force: true });
    return { path, release, [Symbol.asyncDispose]: release };
  }
}

/**
 * Hold the lock of folder `dir` (the file `<dir>/.lock`) for `what`, or fail at once naming the
 * holder's pid, what it does and since when.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockFolder } from "./file_lock.ts";
 * const dir = await Deno.makeTempDir();
 * await using _lock = await lockFolder(dir, "synth");
 * await assert.rejects(lockFolder(dir, "synth"), new RegExp(`is in use by pid ${Deno.pid} \\(synth, since `));
 * ```
 */
export async function lockFolder(dir: string, what: string): Promise<HeldLock> {
  await Deno.mkdir(dir, { recursive: true });
  const got = await tryLock(`${dir}/.lock`, what);
  if ("release" in got) return got;
  throw new Error(
    `${dir} is in use by pid ${got.pid} (${got.what}, since ${got.since}): wait for it to ` +
      "finish or stop it, then rerun (a killed holder's lock is taken over)",
  );
}
