/**
 * A throwaway folder the browser tests serve: copies of some of the kit's notebooks (edited where
 * a test needs it) beside links to the kit's code, so the front end autosaves into the copies and
 * never into the checkout, and a `runs/` folder for the notebooks' runs.
 *
 * @module
 */
import { copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The kit's checkout. */
export const KIT_ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** What the notebooks import or resolve relative to `notebooks/`. */
const _LINKED = ["lib", "experiments", "deno.json", "deno.lock", "node_modules"] as const;

/** A notebook of the workspace: a copy of `notebooks/<from>.ipynb`, with its code edited. */
export interface WorkspaceNotebook {
  /** Name in the workspace (without `.ipynb`). */
  readonly name: string;
  /** The kit notebook it copies (without `.ipynb`). */
  readonly from: string;
  /** Exact replacements in its cells' code; each must occur. */
  readonly replace?: readonly (readonly [string, string])[];
}

/** A workspace: its root, its runs folder, and the environment its kernels need. */
export interface Workspace {
  readonly root: string;
  readonly runsDir: string;
  readonly env: Readonly<Record<string, string>>;
}

async function _copy(kit: string, root: string, nb: WorkspaceNotebook): Promise<void> {
  const from = join(kit, "notebooks", `${nb.from}.ipynb`);
  const to = join(root, "notebooks", `${nb.name}.ipynb`);
  if (nb.replace === undefined) return await copyFile(from, to);
  let text = await Deno.readTextFile(from);
  for (const [a, b] of nb.replace) {
    const [ja, jb] = [JSON.stringify(a).slice(1, -1), JSON.stringify(b).slice(1, -1)];
    if (!text.includes(ja)) throw new Error(`workspace: ${from} has no ${JSON.stringify(a)}`);
    text = text.replace(ja, jb);
  }
  await writeFile(to, text);
}

/**
 * Makes the workspace in a new temp folder, from the kit checkout `kit` (another checkout of the
 * kit, such as an older commit's worktree, for before/after screenshots). Kernels get
 * `KIT_RUNS_DIR` (its `runs/`) and `KIT_CHECKPOINT` (the checkout's committed base model).
 */
export async function makeWorkspace(
  notebooks: readonly WorkspaceNotebook[],
  kit: string = KIT_ROOT,
): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "kit-browser-" });
  await mkdir(join(root, "notebooks"));
  for (const name of _LINKED) await symlink(join(kit, name), join(root, name));
  for (const nb of notebooks) await _copy(kit, root, nb);
  const runsDir = join(root, "runs");
  return {
    root,
    runsDir,
    env: {
      KIT_RUNS_DIR: runsDir,
      KIT_CHECKPOINT: join(kit, "data", "checkpoints", "base"),
      NO_COLOR: "1",
    },
  };
}
