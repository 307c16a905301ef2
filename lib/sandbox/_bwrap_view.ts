/**
 * The file system a program sees under bubblewrap: an allowlist. Only the interpreter, its
 * prefix and the system libraries are bound, read-only, with symlinks resolved first; `/tmp`
 * (the working directory), `/var/tmp` and `/dev/shm` are fresh tmpfs of the run (sticky and
 * world-writable, as on a host, for a run that drops its uid); `/etc/hosts` names only the
 * loopback addresses (a program may serve and connect on localhost); nothing else of
 * the host exists inside (no home, no checkout, no benchmark data, no sockets).
 *
 * @module
 */
import { dirname } from "node:path";

/** System paths the dynamic loader and the interpreter need, bound when present. */
const _SYSTEM_PATHS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/lib32",
  "/libx32",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/localtime",
] as const;

function _lstat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

function _realPath(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

function _under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
}

/** One path of the view: a symlink stays a symlink (to its target); anything else is bound. */
function _entry(path: string, args: string[], bound: string[]): void {
  const info = _lstat(path);
  if (info === undefined) return;
  if (info.isSymlink) {
    const target = Deno.readLinkSync(path);
    args.push("--symlink", target, path);
    const real = _realPath(path);
    if (real !== undefined && !bound.some((b) => _under(real, b))) _bind(real, args, bound);
    return;
  }
  _bind(path, args, bound);
}

function _bind(path: string, args: string[], bound: string[]): void {
  const real = _realPath(path);
  if (real === undefined || bound.some((b) => _under(real, b))) return;
  _parents(real, args, bound);
  args.push("--ro-bind", real, real);
  bound.push(real);
}

/**
 * The folders above a bound path, made traversable (0755) by the run's uid: bwrap would create
 * them 0700, so a path under `/root` (a pyenv interpreter, a cached virtual environment) could be
 * read only by root, and a program that drops its uid could not import from it.
 */
function _parents(real: string, args: string[], bound: string[]): void {
  const parts = real.split("/").filter((p) => p !== "");
  for (let i = 1; i < parts.length; i++) {
    const dir = "/" + parts.slice(0, i).join("/");
    if (bound.some((b) => _under(dir, b)) || args.includes(dir)) continue;
    args.push("--perms", "0755", "--dir", dir);
  }
}

/** The view's `/etc/hosts`: loopback names only (programs may serve and connect on localhost). */
const _HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";
let _hostsFile: string | undefined;

/** A host file holding {@linkcode _HOSTS}, written once per process. */
function _hostsPath(): string {
  if (_hostsFile === undefined) {
    const path = Deno.makeTempFileSync({ prefix: "sandbox-hosts-" });
    Deno.writeTextFileSync(path, _HOSTS);
    Deno.chmodSync(path, 0o644);
    _hostsFile = path;
  }
  return _hostsFile;
}

/** Folders each run gets fresh (empty) tmpfs on: a host path under them cannot be shown. */
const _FRESH = ["/tmp", "/var/tmp", "/dev/shm"] as const;

/**
 * Refuses extra paths the view would hide under a run's fresh tmpfs.
 * @throws Error naming the path and the config field.
 */
export function _checkViewPaths(field: string, paths: readonly string[]): void {
  for (const path of paths) {
    const real = _realPath(path) ?? path;
    const hidden = _FRESH.find((dir) => _under(real, dir));
    if (hidden !== undefined) {
      throw new Error(
        `sandbox: config.${field} ${JSON.stringify(path)} lies under ${hidden}, which every run ` +
          "gets as a fresh tmpfs; put it elsewhere",
      );
    }
  }
}

/**
 * bwrap arguments of the view (before the namespace flags): the system paths, the interpreter
 * (`pythonPath`, resolved) and its `prefix`, plus `extra` read-only paths the caller asked for.
 */
export function _bwrapView(opts: {
  readonly pythonPath: string;
  readonly prefix: string;
  readonly extra: readonly string[];
  readonly workdir: string;
  readonly tmpfsBytes: number;
}): string[] {
  // Parent folders bwrap creates for nested binds are 0700: make /etc traversable by the run's uid.
  const args: string[] = ["--perms", "0755", "--dir", "/etc"];
  const bound: string[] = [];
  for (const p of _SYSTEM_PATHS) _entry(p, args, bound);
  args.push("--ro-bind", _hostsPath(), "/etc/hosts");
  for (const p of [opts.prefix, dirname(opts.pythonPath), opts.pythonPath, ...opts.extra]) {
    _bind(p, args, bound);
  }
  // A symlinked interpreter (a venv's python -> /usr/bin/python3.11) keeps its own path too.
  const link = _lstat(opts.pythonPath);
  if (link?.isSymlink && !bound.includes(opts.pythonPath)) {
    args.push("--symlink", Deno.readLinkSync(opts.pythonPath), opts.pythonPath);
  }
  // Shared memory (multiprocessing's semaphores) and /var/tmp are writable by the run's uid.
  args.push("--dev", "/dev", "--proc", "/proc");
  args.push("--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "1777", "--tmpfs", "/var/tmp");
  args.push("--perms", "1777", "--size", String(opts.tmpfsBytes), "--tmpfs", opts.workdir);
  return args;
}
