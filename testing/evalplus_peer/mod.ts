/**
 * EvalPlus as a peer evaluator for the tests: the interpreter of the cached virtual environment
 * that `tools/python_env.sh` builds from `python/requirements-peer.txt` (built on first use).
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";

let _python: Promise<string> | undefined;

/** The peer environment's python (the environment is built, or found cached, once). */
export function peerPython(): Promise<string> {
  _python ??= (async () => {
    const script = fromFileUrl(new URL("../../tools/python_env.sh", import.meta.url));
    const out = await new Deno.Command("bash", { args: [script], stderr: "inherit" }).output();
    if (!out.success) throw new Error(`tools/python_env.sh failed (exit ${out.code})`);
    return new TextDecoder().decode(out.stdout).trim();
  })();
  return _python;
}
