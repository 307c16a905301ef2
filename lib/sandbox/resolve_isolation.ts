/**
 * Resolution of the isolation mode. It fails closed: `auto` is bubblewrap, or an error that names
 * the fix, unless the user explicitly allowed a weaker mode (`--unsafe-isolation unshare|rlimits`
 * on the command line, {@link allowUnsafeIsolation} in a notebook). A weaker mode prints a banner
 * on stderr for every sandbox that uses it.
 *
 * @module
 */
import { oneOf, UNSAFE_ISOLATIONS, type UnsafeIsolation } from "../core/mod.ts";
import type { IsolationMode, IsolationRequest } from "./sandbox_config.ts";

/** Executables and the request that {@link resolveIsolation} needs. */
export interface IsolationProbe {
  readonly isolation: IsolationRequest;
  readonly bwrapPath: string;
  readonly unsharePath: string;
}

const _probes = new Map<string, boolean>();
/** The weaker mode the user explicitly allowed, if any. */
let _unsafe: UnsafeIsolation | undefined;

/**
 * Allows untrusted code to run with a weaker isolation than bubblewrap, for this process: every
 * sandbox whose isolation is `auto` then uses `mode` (and prints a banner). `undefined` restores
 * the default (bubblewrap or an error).
 *
 * - `unshare` (root only): network, pid, ipc and uts namespaces, but the whole file system stays
 *   readable and writable as the run's uid allows, and /tmp, /dev/shm persist across runs.
 * - `rlimits`: resource limits only. The program can read your files and reach the network.
 */
export function allowUnsafeIsolation(mode: UnsafeIsolation | undefined): void {
  _unsafe = mode === undefined ? undefined : oneOf("--unsafe-isolation", mode, UNSAFE_ISOLATIONS);
}

/** The weaker mode allowed by {@link allowUnsafeIsolation}, if any. */
export function unsafeIsolation(): UnsafeIsolation | undefined {
  return _unsafe;
}

/**
 * Takes `--unsafe-isolation MODE` (or `=MODE`) out of a command line and allows that mode; the
 * rest of the arguments come back unchanged. One parser for every CLI of the kit.
 * @throws Error naming the flag when the mode is missing or unknown.
 */
export function takeUnsafeIsolationFlag(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--unsafe-isolation") {
      const mode = argv[++i];
      if (mode === undefined) {
        throw new Error(`--unsafe-isolation: expected one of ${UNSAFE_ISOLATIONS.join(", ")}`);
      }
      allowUnsafeIsolation(mode as UnsafeIsolation);
    } else if (arg.startsWith("--unsafe-isolation=")) {
      allowUnsafeIsolation(arg.slice("--unsafe-isolation=".length) as UnsafeIsolation);
    } else rest.push(arg);
  }
  return rest;
}

const _BANNER: Readonly<Record<UnsafeIsolation, string>> = {
  unshare: "UNSAFE ISOLATION (unshare): untrusted code can read and write the host's files " +
    "(as its own uid), and /tmp, /var/tmp and /dev/shm persist from run to run.",
  rlimits: "UNSAFE ISOLATION (rlimits): untrusted code runs with resource limits ONLY. It can " +
    "read your files (keys, tokens, the benchmark's solutions) and reach the network.",
};

/** Prints the weak-isolation banner on stderr (every sandbox that uses `mode` does). */
export function warnUnsafeIsolation(mode: UnsafeIsolation): void {
  console.error(
    `\n*** ${_BANNER[mode]} Use bubblewrap (apt-get install bubblewrap) for real isolation. ***\n`,
  );
}

function _works(cmd: string, args: string[]): boolean {
  const key = [cmd, ...args].join("\0");
  const known = _probes.get(key);
  if (known !== undefined) return known;
  let ok = false;
  try {
    ok = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    ok = false;
  }
  _probes.set(key, ok);
  return ok;
}

function _bwrapWorks(p: IsolationProbe): boolean {
  return _works(p.bwrapPath, [
    "--ro-bind",
    "/",
    "/",
    "--unshare-net",
    "--unshare-pid",
    "--die-with-parent",
    "--",
    "/bin/true",
  ]);
}

function _unshareWorks(p: IsolationProbe): boolean {
  return Deno.uid() === 0 &&
    _works(p.unsharePath, ["--net", "--pid", "--fork", "--kill-child", "--", "/bin/true"]);
}

/**
 * Picks the isolation mode, probing each candidate once per process (a few ms). `auto`:
 * bubblewrap when it runs here, else the mode allowed by {@link allowUnsafeIsolation}, else an
 * error. An explicit mode that does not work throws. (The sandbox prints the banner of a weaker
 * mode.)
 *
 * @throws Error naming the mode, the executable and the fix.
 * @example
 * ```ts
 * import { resolveIsolation } from "./resolve_isolation.ts";
 * const mode = resolveIsolation({
 *   isolation: "rlimits",
 *   bwrapPath: "/usr/bin/bwrap",
 *   unsharePath: "/usr/bin/unshare",
 * });
 * if (mode !== "rlimits") throw new Error(mode);
 * ```
 */
export function resolveIsolation(p: IsolationProbe): IsolationMode {
  const request = p.isolation === "auto" ? (_unsafe ?? "auto") : p.isolation;
  switch (request) {
    case "bwrap":
      if (!_bwrapWorks(p)) {
        throw new Error(`sandbox: isolation "bwrap" requested but ${p.bwrapPath} does not run`);
      }
      return "bwrap";
    case "unshare":
      if (!_unshareWorks(p)) {
        throw new Error(
          `sandbox: isolation "unshare" needs root and a working ${p.unsharePath} ` +
            `(uid ${Deno.uid()})`,
        );
      }
      return "unshare";
    case "rlimits":
      return "rlimits";
    case "auto":
      if (_bwrapWorks(p)) return "bwrap";
      throw new Error(
        `sandbox: bubblewrap (${p.bwrapPath}) does not run here, and untrusted code runs only ` +
          `under bubblewrap. Install it (as root: apt-get install bubblewrap), or accept weaker ` +
          `isolation explicitly with --unsafe-isolation ${UNSAFE_ISOLATIONS.join("|")} ` +
          `(in a notebook: allowUnsafeIsolation("rlimits") from lib/sandbox/mod.ts).`,
      );
    default: {
      const never: never = request;
      throw new Error(`sandbox: unknown isolation ${JSON.stringify(never)}`);
    }
  }
}
