/**
 * Execute a notebook headlessly with real Jupyter (nbconvert) and report per-cell errors.
 *
 * @module
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NOTEBOOK_INSTALL_COMMANDS } from "./check_notebook_prereqs.ts";
import { _stripAnsi, parseNotebook } from "./parse_notebook.ts";
import type { CellError, ExecutedCell, ExecuteNotebookResult } from "./types.ts";

/** Options of {@link executeNotebook}. */
export interface ExecuteNotebookOptions {
  /** Folder for the executed copy; created when missing. Must differ from the notebook's. */
  readonly outDir: string;
  /**
   * Wall-clock limit for the whole run (kernel start included). On expiry the run's process
   * group gets SIGTERM, then SIGKILL after `killGraceMs`.
   * @default {300_000}
   */
  readonly timeoutMs?: number;
  /**
   * Limit per cell, passed to nbconvert (`ExecutePreprocessor.timeout`).
   * @default {timeoutMs}
   */
  readonly cellTimeoutMs?: number;
  /**
   * Kernel name (`jupyter kernelspec list`).
   * @default {"deno"}
   */
  readonly kernel?: string;
  /**
   * The Jupyter launcher; Debian's, because the pyenv `python3` on PATH lacks nbconvert.
   * @default {"/usr/bin/jupyter"}
   */
  readonly jupyterPath?: string;
  /**
   * File name of the executed copy inside `outDir`.
   * @default {the source's file name}
   */
  readonly outputName?: string;
  /**
   * Grace period between SIGTERM and SIGKILL when `timeoutMs` expires.
   * @default {5_000}
   */
  readonly killGraceMs?: number;
  /**
   * Extra environment variables of the run (nbconvert and its kernel), set over this process's
   * environment for this run only, so that concurrent runs can differ (for example one notebook
   * pointed at a local endpoint while others run offline).
   * @default {{}}
   */
  readonly env?: Readonly<Record<string, string>>;
}

const _STDERR_TAIL = 8192;

/** nbconvert config file that patches nbclient to keep late outputs (_late_outputs.py). */
const _LATE_OUTPUTS_CONFIG = fileURLToPath(new URL("./_late_outputs.py", import.meta.url));

/** Index of the code cell whose source holds every line of nbclient's timeout preview. */
function _cellFromPreview(stderr: string, cells: readonly ExecutedCell[]): number | null {
  const m = /Here is a preview of the cell contents:\n-+\n([\s\S]*?)\n-+\n/.exec(stderr);
  if (!m) return null;
  const lines = m[1].split("\n").filter((l) => l.trim() !== "" && l !== "...");
  const hits = cells.filter((c) =>
    c.cellType === "code" && lines.every((l) => c.source.includes(l))
  );
  return hits.length === 1 ? hits[0].index : null;
}

/**
 * The run-level error of a failed nbconvert: the last unindented `module.Class: message` line
 * of its stderr (the end of a Python traceback).
 */
function _runError(
  stderr: string,
  exitCode: number,
  timeoutMs: number,
  cells: readonly ExecutedCell[],
): CellError {
  const lines = stderr.split("\n");
  if (exitCode === 124) {
    return {
      cellIndex: null,
      ename: "NotebookTimeout",
      evalue: `the run exceeded timeoutMs = ${timeoutMs} ms and was killed`,
      traceback: lines.slice(-20),
    };
  }
  let at = -1;
  for (let i = lines.length - 1; i >= 0 && at < 0; i--) {
    if (/^([A-Za-z_]\w*\.)*[A-Za-z_]\w*: /.test(lines[i])) at = i;
  }
  if (at < 0) {
    return {
      cellIndex: null,
      ename: "NbconvertFailed",
      evalue: `nbconvert exited with code ${exitCode}: ${
        lines.filter((l) => l.trim()).at(-1) ?? ""
      }`,
      traceback: lines.slice(-20),
    };
  }
  const [qualified, ...rest] = lines[at].split(": ");
  return {
    cellIndex: _cellFromPreview(stderr, cells),
    ename: qualified.split(".").at(-1)!,
    evalue: [rest.join(": "), ...lines.slice(at + 1)].join("\n").trim(),
    traceback: lines.slice(Math.max(0, at - 20), at + 1),
  };
}

/**
 * Executes a notebook with `jupyter nbconvert --to notebook --execute --allow-errors`
 * (kernel `deno` by default, `NO_COLOR=1`), writes the executed copy to `outDir` and parses
 * it. The source notebook is never modified. The kernel's working directory is the
 * notebook's folder, so relative imports in cells resolve from there.
 *
 * Every cell runs even after an error (`--allow-errors`), so `errors` lists each failing
 * cell with its 0-based index in `cells`. When nbconvert itself fails (a cell exceeded
 * `cellTimeoutMs`, the kernel died, the kernel is missing) no copy is written: `outputPath`
 * is `null` and `errors` holds one run-level error, with the cell index when nbclient's
 * message identifies the cell.
 *
 * @example
 * ```ts ignore
 * import { executeNotebook } from "./execute_notebook.ts";
 * const r = await executeNotebook("notebooks/00_quickstart.ipynb", { outDir: "runs/nb" });
 * if (!r.ok) console.error(r.errors);
 * ```
 */
export async function executeNotebook(
  path: string,
  options: ExecuteNotebookOptions,
): Promise<ExecuteNotebookResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const cellTimeoutMs = options.cellTimeoutMs ?? timeoutMs;
  const killGraceMs = options.killGraceMs ?? 5_000;
  const kernel = options.kernel ?? "deno";
  const jupyter = options.jupyterPath ?? "/usr/bin/jupyter";
  for (const [name, v] of [["timeoutMs", timeoutMs], ["cellTimeoutMs", cellTimeoutMs]] as const) {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`executeNotebook: expected ${name} > 0, found ${v}`);
    }
  }
  const sourcePath = resolve(path);
  const outDir = resolve(options.outDir);
  if (extname(sourcePath) !== ".ipynb") {
    throw new RangeError(`executeNotebook: expected an .ipynb file, found ${path}`);
  }
  const sourceText = await readFile(sourcePath, "utf8").catch((e: Error) => {
    throw new Error(`executeNotebook: cannot read notebook ${sourcePath}: ${e.message}`);
  });
  const source = parseNotebook(sourceText, sourcePath);
  const outputName = options.outputName ?? basename(sourcePath);
  if (!outputName.endsWith(".ipynb") || outputName.includes("/")) {
    throw new RangeError(
      `executeNotebook: expected outputName to be a file name ending in .ipynb, found ${outputName}`,
    );
  }
  const outputPath = join(outDir, outputName);
  if (outputPath === sourcePath || outDir === dirname(sourcePath)) {
    throw new RangeError(
      `executeNotebook: outDir must differ from the notebook's folder (the source is never ` +
        `overwritten), found outDir ${outDir}`,
    );
  }
  await mkdir(outDir, { recursive: true });
  const previous = await stat(outputPath).then((s) => s.mtimeMs, () => null);

  // coreutils `timeout` runs nbconvert in its own process group and signals the whole group,
  // so the kernel it spawned dies with it.
  const args = [
    `--kill-after=${killGraceMs / 1000}s`,
    `${timeoutMs / 1000}s`,
    jupyter,
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    "--allow-errors",
    // keeps outputs that Deno's kernel publishes after a cell's idle status (see the file)
    `--config=${_LATE_OUTPUTS_CONFIG}`,
    `--ExecutePreprocessor.kernel_name=${kernel}`,
    `--ExecutePreprocessor.timeout=${Math.ceil(cellTimeoutMs / 1000)}`,
    // nbclient waits only 4 s for a cell's outputs after its reply and then drops them silently;
    // on a loaded machine a displayed table can arrive later. Wait as long as a cell may run,
    // and fail loudly if even that passes.
    `--ExecutePreprocessor.iopub_timeout=${Math.ceil(cellTimeoutMs / 1000)}`,
    "--ExecutePreprocessor.raise_on_iopub_timeout=True",
    "--output-dir",
    outDir,
    "--output",
    outputName.slice(0, -".ipynb".length),
    sourcePath,
  ];
  const started = performance.now();
  // jupyter_client starts the kernel in a new session, outside `timeout`'s process group, and the
  // kernel inherits nbconvert's stdout/stderr. So: tag every process of this run through its
  // environment, wait for nbconvert's exit status rather than for the pipes to close, then kill
  // whatever still carries the tag (a kernel orphaned by a timeout).
  const runTag = `${_RUN_TAG_VAR}=${crypto.randomUUID()}`;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("timeout", {
      args,
      cwd: dirname(sourcePath),
      env: {
        ...options.env,
        NO_COLOR: "1",
        [_RUN_TAG_VAR]: runTag.slice(_RUN_TAG_VAR.length + 1),
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(
      `executeNotebook: could not start ${jupyter} via coreutils timeout (${
        (e as Error).message
      }); ` +
        `install with: ${NOTEBOOK_INSTALL_COMMANDS.join(" && ")}`,
    );
  }
  const stdoutText = _drain(child.stdout);
  const stderrText = _drain(child.stderr);
  const status = await child.status;
  await _killTagged(runTag);
  const out = {
    code: status.code,
    stderr: await _settle(stderrText.text, stderrText.cancel),
  };
  await _settle(stdoutText.text, stdoutText.cancel);
  const durationMs = performance.now() - started;
  const stderr = _stripAnsi(out.stderr);
  const stderrTail = stderr.slice(-_STDERR_TAIL);
  const written = await stat(outputPath).then((s) => s.mtimeMs, () => null);
  const fresh = written !== null && written !== previous;
  if (out.code === 0 && fresh) {
    const parsed = parseNotebook(await readFile(outputPath, "utf8"), outputPath);
    return {
      ok: parsed.errors.length === 0,
      sourcePath,
      outputPath,
      ...parsed,
      exitCode: 0,
      durationMs,
      stderrTail,
    };
  }
  return {
    ok: false,
    sourcePath,
    outputPath: null,
    cells: source.cells,
    errors: [_runError(stderr, out.code, timeoutMs, source.cells)],
    outputs: [],
    exitCode: out.code,
    durationMs,
    stderrTail,
  };
}

/** Environment variable that tags every process of one notebook run. */
const _RUN_TAG_VAR = "KIT_NOTEBOOK_RUN";

/** Read a stream to text in the background; `cancel` stops waiting for EOF. */
function _drain(stream: ReadableStream<Uint8Array>): { text: Promise<string>; cancel: () => void } {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let acc = "";
  const text = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        acc += decoder.decode(value, { stream: true });
      }
    } catch {
      // cancelled: keep what arrived
    }
    return acc;
  })();
  return { text, cancel: () => void reader.cancel().catch(() => {}) };
}

/** The drained text, or what arrived within 2 s when a leftover process holds the pipe open. */
async function _settle(text: Promise<string>, cancel: () => void): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((res) => timer = setTimeout(res, 2_000));
  const first = await Promise.race([text.then(() => "done" as const), late.then(() => "late")]);
  clearTimeout(timer);
  if (first === "late") cancel();
  return await text;
}

/** SIGKILL every process whose environment holds `tag` (Linux /proc); a no-op elsewhere. */
async function _killTagged(tag: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir("/proc"));
  } catch {
    return;
  }
  const needle = new TextEncoder().encode(`${tag}\0`);
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = await Deno.readFile(`/proc/${e.name}/environ`);
      if (_includes(env, needle)) Deno.kill(Number(e.name), "SIGKILL");
    } catch {
      // gone, or not ours to read
    }
  }
}

function _includes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
