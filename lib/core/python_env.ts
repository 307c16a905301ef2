/**
 * The cached virtual environments of the pinned `python/requirements-*.txt` files, which
 * `tools/python_env.sh` builds outside the repository (built on first use, found cached after).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const _pythons = new Map<string, Promise<string>>();

/**
 * The environment's python for `requirements` (a file name under `python/`), built once per
 * process. A first build prints its progress on stderr.
 *
 * @throws Error naming the requirements file when the build fails.
 * @example
 * ```ts ignore
 * import { pythonEnv } from "./python_env.ts";
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
