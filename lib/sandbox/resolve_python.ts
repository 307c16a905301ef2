/**
 * Resolution of the real Python interpreter (never a pyenv shim).
 *
 * @module
 */

/** The resolved interpreter and the installation prefix its standard library lives under. */
export interface ResolvedPython {
  /** Absolute realpath of the interpreter executable. */
  readonly path: string;
  /** `sys.base_prefix` of that interpreter (bound back when it lies under a hidden path). */
  readonly prefix: string;
}

const _cache = new Map<string, ResolvedPython>();

function _realpath(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

function _commandOutput(cmd: string, args: string[]): string | undefined {
  try {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves the interpreter once per process: `pythonPath` if given, else `/usr/bin/python3` if
 * present, else the realpath of `pyenv which python3`, else of `python3` on the search path.
 * The result is cached, so later sandboxes pay nothing.
 *
 * @param pythonPath explicit interpreter; its realpath is used.
 * @throws Error naming the path when the interpreter cannot be found or run.
 * @example
 * ```ts
 * import { resolvePython } from "./resolve_python.ts";
 * const py = resolvePython();
 * if (!py.path.startsWith("/")) throw new Error(py.path);
 * ```
 */
export function resolvePython(pythonPath?: string): ResolvedPython {
  const key = pythonPath ?? "";
  const cached = _cache.get(key);
  if (cached) return cached;
  let path: string | undefined;
  if (pythonPath !== undefined) {
    path = _realpath(pythonPath);
    if (!path) throw new Error(`sandbox: pythonPath ${JSON.stringify(pythonPath)} does not exist`);
  } else {
    path = _realpath("/usr/bin/python3");
    if (!path) {
      const shim = _commandOutput("pyenv", ["which", "python3"]) ??
        _commandOutput("/bin/sh", ["-c", "command -v python3"]);
      path = shim ? _realpath(shim) : undefined;
    }
    if (!path) {
      throw new Error(
        "sandbox: no Python 3 found (tried /usr/bin/python3, `pyenv which python3`, python3)",
      );
    }
  }
  const prefix = _commandOutput(path, ["-I", "-S", "-c", "import sys; print(sys.base_prefix)"]);
  if (!prefix) throw new Error(`sandbox: interpreter ${JSON.stringify(path)} failed to start`);
  const resolved = { path, prefix };
  _cache.set(key, resolved);
  return resolved;
}
