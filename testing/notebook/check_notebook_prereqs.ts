/**
 * Check that headless notebook execution can work: Debian's Jupyter and the Deno kernel.
 *
 * @module
 */
import { existsSync } from "node:fs";

/** Exact commands that install what notebook execution needs (Debian, as root). */
export const NOTEBOOK_INSTALL_COMMANDS: readonly string[] = [
  "apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client",
  "deno jupyter --install",
];

/** Options of {@link checkNotebookPrereqs}. */
export interface NotebookPrereqOptions {
  /**
   * The Jupyter launcher.
   * @default {"/usr/bin/jupyter"}
   */
  readonly jupyterPath?: string;
  /**
   * Kernel that must be registered.
   * @default {"deno"}
   */
  readonly kernel?: string;
}

/** Result of {@link checkNotebookPrereqs}. */
export interface NotebookPrereqReport {
  readonly ok: boolean;
  /** `jupyterPath` exists and `jupyter nbconvert --version` runs. */
  readonly jupyter: boolean;
  /** The kernel is listed by `jupyter kernelspec list --json`. */
  readonly kernel: boolean;
  /** Missing pieces, each with the exact command that installs it; empty when `ok`. */
  readonly problems: readonly string[];
}

async function _run(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } catch {
    return { code: -1, stdout: "" };
  }
}

/**
 * Reports whether `/usr/bin/jupyter` (with nbconvert) and the `deno` kernelspec exist, and
 * for each missing piece the exact install command.
 *
 * @example
 * ```ts ignore
 * import { checkNotebookPrereqs } from "./check_notebook_prereqs.ts";
 * const r = await checkNotebookPrereqs();
 * if (!r.ok) throw new Error(r.problems.join("\n"));
 * ```
 */
export async function checkNotebookPrereqs(
  options: NotebookPrereqOptions = {},
): Promise<NotebookPrereqReport> {
  const jupyterPath = options.jupyterPath ?? "/usr/bin/jupyter";
  const kernelName = options.kernel ?? "deno";
  const problems: string[] = [];
  const exists = existsSync(jupyterPath);
  // Both probes start Python (about a second each), so they run concurrently.
  const [version, list] = exists
    ? await Promise.all([
      _run(jupyterPath, ["nbconvert", "--version"]),
      _run(jupyterPath, ["kernelspec", "list", "--json"]),
    ])
    : [{ code: -1, stdout: "" }, { code: -1, stdout: "" }];
  const jupyter = exists && version.code === 0;
  if (!jupyter) {
    problems.push(
      `${jupyterPath} with nbconvert not found; install with: ${NOTEBOOK_INSTALL_COMMANDS[0]}`,
    );
  }
  let kernel = false;
  if (list.code === 0) {
    try {
      const specs = (JSON.parse(list.stdout) as { kernelspecs?: Record<string, unknown> })
        .kernelspecs ?? {};
      kernel = kernelName in specs;
    } catch {
      kernel = false;
    }
  }
  if (!kernel) {
    const install = kernelName === "deno"
      ? NOTEBOOK_INSTALL_COMMANDS[1]
      : `register the "${kernelName}" kernelspec`;
    problems.push(`Jupyter kernel "${kernelName}" not registered; install with: ${install}`);
  }
  return { ok: problems.length === 0, jupyter, kernel, problems };
}
