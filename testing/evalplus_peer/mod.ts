/**
 * EvalPlus as a peer evaluator for the tests: the interpreter of the cached virtual environment
 * that `tools/python_env.sh` builds from `python/requirements-peer.txt` (built on first use).
 *
 * @module
 */
import { pythonEnv } from "../python_env/mod.ts";

/** The peer environment's python (the environment is built, or found cached, once). */
export function peerPython(): Promise<string> {
  return pythonEnv("requirements-peer.txt");
}
