/**
 * The Python peers of the tests: the interpreter of the cached virtual environment that
 * `tools/python_env.sh` builds from a pinned `python/requirements-*.txt` (built on first use,
 * found cached after that).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const _pythons = new Map<string, Promise<string>>();

/**
 * The environment's python for `requirements` (a file name under `python/`), built once per
 * process.
 *
 * @example
 * ```ts ignore
 * import { pythonEnv } from "./mod.ts";
 * const python = await pythonEnv("requirements-peer.txt");
 * ```
 */
export function pythonEnv(requirements: string): Promise<string> {
  let python = _pythons.get(requirements);
  if (python === undefined) {
    python = (async () => {
      const script = fileURLToPath(new URL("../../tools/python_env.sh", import.meta.url));
      const out = await new Deno.Command("bash", {
        args: [script, `python/${requirements}`],
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        stderr: "inherit",
      }).output();
      if (!out.success) {
        throw new Error(`tools/python_env.sh python/${requirements} failed (exit ${out.code})`);
      }
      return new TextDecoder().decode(out.stdout).trim();
    })();
    _pythons.set(requirements, python);
  }
  return python;
}
