/**
 * The Python peers of the tests: the interpreter of the cached virtual environment that
 * `tools/python_env.sh` builds from a pinned `python/requirements-*.txt` (lib/core's
 * `pythonEnv`, built on first use, found cached after that).
 *
 * @module
 */
export { pythonEnv } from "../../lib/core/mod.ts";
