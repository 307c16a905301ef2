/**
 * Where benchmark files are found: an explicit directory, the repo's `data/benchmarks` (filled by
 * `deno task fetch-benchmarks`), then `../shared/data` next to the repository.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the repository this module lives in (resolved from `import.meta.url`, not the cwd). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Options of {@linkcode benchmarkDataDirs} and {@linkcode resolveBenchmarkFile}. */
export interface DataDirOptions {
  /**
   * Explicit data directory. When set, it is the only place searched.
   * @default undefined (search `<repo>/data/benchmarks`, then `<repo>/../shared/data`)
   */
  readonly dataDir?: string;
  /**
   * Repository root used for the default search path.
   * @default REPO_ROOT
   */
  readonly repoRoot?: string;
}

/**
 * Directories searched for benchmark files, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { benchmarkDataDirs } from "./data_dir.ts";
 * assert.deepEqual(benchmarkDataDirs({ repoRoot: "/r" }), ["/r/data/benchmarks", "/shared/data"]);
 * assert.deepEqual(benchmarkDataDirs({ dataDir: "/d", repoRoot: "/r" }), ["/d"]);
 * ```
 */
export function benchmarkDataDirs(options: DataDirOptions = {}): string[] {
  if (options.dataDir !== undefined) return [resolve(options.dataDir)];
  const root = options.repoRoot ?? REPO_ROOT;
  return [resolve(root, "data", "benchmarks"), resolve(root, "..", "shared", "data")];
}

/**
 * Absolute path of a benchmark file (`humaneval/HumanEval.jsonl.gz`, …): the first searched
 * directory that holds it. Throws an error naming every path tried when none does.
 */
export function resolveBenchmarkFile(relPath: string, options: DataDirOptions = {}): string {
  const tried = benchmarkDataDirs(options).map((dir) => join(dir, relPath));
  const found = tried.find((p) => existsSync(p));
  if (found !== undefined) return found;
  throw new Error(
    `benchmark file ${relPath} not found; looked at ${tried.join(", ")}. ` +
      `Run \`deno task fetch-benchmarks\` or pass an explicit data directory.`,
  );
}
