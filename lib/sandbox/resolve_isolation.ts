/**
 * Resolution of the isolation mode: `auto` becomes the strongest mode that works here.
 *
 * @module
 */
import type { IsolationMode, IsolationRequest } from "./sandbox_config.ts";

/** Executables and the request that {@link resolveIsolation} needs. */
export interface IsolationProbe {
  readonly isolation: IsolationRequest;
  readonly bwrapPath: string;
  readonly unsharePath: string;
}

const _probes = new Map<string, boolean>();
let _warned = false;

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
 * Picks the isolation mode, probing each candidate once per process (a few ms).
 * `auto`: `bwrap` when it runs here, else `unshare` when root, else `rlimits`, with a loud
 * warning on stderr printed once per process. An explicit mode that does not work throws.
 *
 * @throws Error naming the mode and executable when an explicitly requested mode fails.
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
  switch (p.isolation) {
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
      if (_unshareWorks(p)) return "unshare";
      if (!_warned) {
        _warned = true;
        console.error(
          "\n*** SANDBOX WARNING: neither bubblewrap nor `unshare` works here. Untrusted code " +
            "runs with rlimits ONLY: it can read your files and reach the network. ***\n",
        );
      }
      return "rlimits";
    default: {
      const never: never = p.isolation;
      throw new Error(`sandbox: unknown isolation ${JSON.stringify(never)}`);
    }
  }
}
