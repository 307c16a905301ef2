/**
 * The git commit a result was produced at, recorded next to every experiment result.
 *
 * @module
 */
import { spawnSync } from "node:child_process";

/** Commit hash and whether the work tree had uncommitted changes. */
export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

/**
 * Paths left out of the dirty check: notebooks. A front end autosaves them (outputs, execution
 * counts) while they run, and what a notebook sets (preset, overrides) is recorded in the run's
 * own `config.json`, so an edited notebook does not make the code a result came from unknown.
 */
export const GIT_DIRTY_EXCLUDES: readonly string[] = [":(top,exclude,glob)**/*.ipynb"];

/**
 * Read the commit of the repository at `dir`; `commit` is `"unknown"` outside a checkout.
 * `dirty` is whether a tracked file other than {@link GIT_DIRTY_EXCLUDES} differs from it.
 */
export function gitInfo(dir: string): GitInfo {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" });
  if (head.status !== 0) return { commit: "unknown", dirty: false };
  const st = spawnSync(
    "git",
    ["status", "--porcelain", "--untracked-files=no", "--", ":/", ...GIT_DIRTY_EXCLUDES],
    { cwd: dir, encoding: "utf8" },
  );
  return { commit: head.stdout.trim(), dirty: st.stdout.trim().length > 0 };
}
