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

/** Read the commit of the repository at `dir`; `commit` is `"unknown"` outside a checkout. */
export function gitInfo(dir: string): GitInfo {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" });
  if (head.status !== 0) return { commit: "unknown", dirty: false };
  const st = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { commit: head.stdout.trim(), dirty: st.stdout.trim().length > 0 };
}
