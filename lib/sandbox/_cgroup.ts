/**
 * Aggregate limits per run: one cgroup per pool slot (a slot runs one program at a time), with
 * the run's memory and process count bounded for the whole process tree, forks included. Uses
 * cgroup v2 (`memory.max`, `pids.max`) where the caller's cgroup delegates both controllers, else
 * cgroup v1's memory and pids hierarchies (`memory.limit_in_bytes`, `pids.max`); root only.
 * Programs join their slot's cgroup through a `/bin/sh` wrapper before `exec`, so nothing they
 * start escapes it; a wrapper that cannot join exits 125 and the run fails closed.
 *
 * @module
 */

/** How the memory of all runs together is bounded. */
export type MemoryBound =
  | {
    readonly kind: "cgroup-v2" | "cgroup-v1";
    readonly bytesPerRun: number;
    readonly total: number;
  }
  | { readonly kind: "rlimit"; readonly bytesPerRun: number; readonly total: number };

function _read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

function _own(controller: string): string | undefined {
  for (const line of (_read("/proc/self/cgroup") ?? "").split("\n")) {
    const [, names, path] = line.split(":");
    if (path === undefined) continue;
    if (names.split(",").includes(controller)) return path;
  }
  return undefined;
}

let _seq = 0;
/**
 * This module instance's part of a cgroup name: each worker thread of a process loads its own
 * copy of this module (its own `_seq`), and two sandboxes of one process (say two test files run
 * in parallel) must not share a cgroup.
 */
const _instance = crypto.randomUUID().slice(0, 8);

/** Removes the empty slot cgroups that a killed process of the kit left in `base`. */
function _sweep(base: string): void {
  try {
    for (const e of Deno.readDirSync(base)) {
      const m = /^kit-sandbox-(\d+)-/.exec(e.name);
      if (!m || !e.isDirectory) continue;
      try {
        Deno.statSync(`/proc/${m[1]}`);
      } catch {
        try {
          Deno.removeSync(`${base}/${e.name}`);
        } catch { /* still in use */ }
      }
    }
  } catch { /* unreadable */ }
}

/** The slot cgroups of one sandbox. */
export class _Cgroups {
  readonly kind: "cgroup-v2" | "cgroup-v1";
  /** Per slot: the `cgroup.procs` files a program joins. */
  readonly #procs: string[][];
  readonly #dirs: string[];

  private constructor(kind: "cgroup-v2" | "cgroup-v1", procs: string[][], dirs: string[]) {
    this.kind = kind;
    this.#procs = procs;
    this.#dirs = dirs;
  }

  /** Slot cgroups with these limits, or `undefined` where this host gives none (not root...). */
  static create(slots: number, memoryBytes: number, pids: number): _Cgroups | undefined {
    if (Deno.uid() !== 0) return undefined;
    const name = `kit-sandbox-${Deno.pid}-${_instance}-${_seq++}`;
    try {
      return _Cgroups.#v2(slots, name, memoryBytes, pids) ??
        _Cgroups.#v1(slots, name, memoryBytes, pids);
    } catch {
      return undefined;
    }
  }

  static #v2(slots: number, name: string, memory: number, pids: number): _Cgroups | undefined {
    if (_read("/sys/fs/cgroup/cgroup.controllers") === undefined) return undefined;
    const own = (_read("/proc/self/cgroup") ?? "").split("\n").find((l) => l.startsWith("0::"));
    if (own === undefined) return undefined;
    const base = `/sys/fs/cgroup${own.slice(3).replace(/\/$/, "")}`;
    const enabled = (_read(`${base}/cgroup.subtree_control`) ?? "").split(/\s+/);
    if (!enabled.includes("memory") || !enabled.includes("pids")) return undefined;
    _sweep(base);
    const dirs: string[] = [];
    const procs = Array.from({ length: slots }, (_, k) => {
      const dir = `${base}/${name}-${k}`;
      Deno.mkdirSync(dir);
      dirs.push(dir);
      Deno.writeTextFileSync(`${dir}/memory.max`, String(memory));
      try {
        Deno.writeTextFileSync(`${dir}/memory.swap.max`, "0");
      } catch { /* no swap accounting */ }
      Deno.writeTextFileSync(`${dir}/pids.max`, String(pids));
      return [`${dir}/cgroup.procs`];
    });
    return new _Cgroups("cgroup-v2", procs, dirs);
  }

  static #v1(slots: number, name: string, memory: number, pids: number): _Cgroups | undefined {
    const memPath = _own("memory"), pidPath = _own("pids");
    if (memPath === undefined || pidPath === undefined) return undefined;
    const memBase = `/sys/fs/cgroup/memory${memPath.replace(/\/$/, "")}`;
    const pidBase = `/sys/fs/cgroup/pids${pidPath.replace(/\/$/, "")}`;
    if (_read(`${memBase}/memory.limit_in_bytes`) === undefined) return undefined;
    if (_read(`${pidBase}/cgroup.procs`) === undefined) return undefined;
    _sweep(memBase);
    _sweep(pidBase);
    const dirs: string[] = [];
    const procs = Array.from({ length: slots }, (_, k) => {
      const mem = `${memBase}/${name}-${k}`, pid = `${pidBase}/${name}-${k}`;
      Deno.mkdirSync(mem);
      dirs.push(mem);
      Deno.mkdirSync(pid);
      dirs.push(pid);
      Deno.writeTextFileSync(`${mem}/memory.limit_in_bytes`, String(memory));
      try { // swap too, where the kernel accounts it
        Deno.writeTextFileSync(`${mem}/memory.memsw.limit_in_bytes`, String(memory));
      } catch { /* no swap accounting */ }
      Deno.writeTextFileSync(`${pid}/pids.max`, String(pids));
      return [`${mem}/cgroup.procs`, `${pid}/cgroup.procs`];
    });
    return new _Cgroups("cgroup-v1", procs, dirs);
  }

  /** argv that joins `slot`'s cgroup, then `exec`s `argv`. */
  wrap(slot: number, argv: readonly string[]): string[] {
    const files = this.#procs[slot];
    const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; ' +
      'shift; n=$((n-1)); done; exec "$@"';
    return ["/bin/sh", "-c", script, "sh", String(files.length), ...files, ...argv];
  }

  /** Removes the cgroups (once their processes are gone; a few tries). */
  async close(): Promise<void> {
    for (const dir of this.#dirs) {
      for (let i = 0; i < 20; i++) {
        try {
          Deno.removeSync(dir);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }
}
