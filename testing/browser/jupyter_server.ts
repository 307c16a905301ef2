/**
 * A Jupyter server for the browser tests: JupyterLab 4 (PyPI, in the cached environment of
 * `python/requirements-browser.txt`) or the classic Notebook 6.4 (Debian's `jupyter-notebook`),
 * on a free 127.0.0.1 port with a random token, serving one folder.
 *
 * @module
 */
import { join } from "node:path";

/** The front ends the browser tests open. */
export const FRONT_ENDS = ["lab", "classic"] as const;
/** A front end: JupyterLab 4 or the classic Notebook 6.4. */
export type FrontEnd = typeof FRONT_ENDS[number];

/** Debian's classic Notebook (`apt-get install jupyter-notebook`). */
export const CLASSIC_NOTEBOOK = "/usr/bin/jupyter-notebook";

/** Options of {@linkcode startJupyter}. */
export interface StartJupyterOptions {
  readonly frontEnd: FrontEnd;
  /** Folder the server serves (its notebooks open relative to it). */
  readonly root: string;
  /** JupyterLab's environment python (for `lab`). */
  readonly labPython?: string;
  /** Extra environment of the server and so of its kernels. */
  readonly env?: Readonly<Record<string, string>>;
  /** The server's log goes here. */
  readonly logPath: string;
  /** @default {60000} */
  readonly startTimeoutMs?: number;
}

/** A running server; `close` stops it and its kernels. */
export interface JupyterServer extends AsyncDisposable {
  readonly frontEnd: FrontEnd;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly token: string;
  /** The address that opens `path` (relative to the root) in the front end, token included. */
  notebookUrl(path: string): string;
  close(): Promise<void>;
}

function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * JupyterLab user settings of the session, in a folder of the served root: no news or update
 * checks (they would reach the network and pop up over the notebook), and every cell kept in
 * the page (no windowing), so each output can be found and the screenshot shows all of them.
 */
async function _labSettings(root: string): Promise<Record<string, string>> {
  const settings = join(root, ".jupyterlab-settings");
  const write = async (plugin: string, value: unknown) => {
    const dir = join(settings, "@jupyterlab", plugin.split(":")[0]);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      join(dir, `${plugin.split(":")[1]}.jupyterlab-settings`),
      JSON.stringify(value),
    );
  };
  await write("apputils-extension:notification", { fetchNews: "false", checkForUpdates: false });
  await write("notebook-extension:tracker", { windowingMode: "none" });
  const workspaces = join(root, ".jupyterlab-workspaces");
  await Deno.mkdir(workspaces, { recursive: true });
  return {
    JUPYTERLAB_SETTINGS_DIR: settings,
    JUPYTERLAB_WORKSPACES_DIR: workspaces,
    JUPYTER_CONFIG_DIR: join(root, ".jupyter-config"),
  };
}

/** CI runs as root, which Jupyter refuses without `--allow-root`. */
function _root(): boolean {
  return Deno.uid() === 0;
}

function _command(o: StartJupyterOptions, port: number, token: string): [string, string[]] {
  switch (o.frontEnd) {
    case "lab": {
      if (o.labPython === undefined) throw new Error("startJupyter: lab needs labPython");
      return [o.labPython, [
        "-m",
        "jupyterlab",
        "--no-browser",
        `--ServerApp.port=${port}`,
        "--ServerApp.ip=127.0.0.1",
        `--IdentityProvider.token=${token}`,
        `--ServerApp.root_dir=${o.root}`,
        "--ServerApp.port_retries=0",
        ...(_root() ? ["--allow-root"] : []),
      ]];
    }
    case "classic":
      return [CLASSIC_NOTEBOOK, [
        "--no-browser",
        `--port=${port}`,
        "--ip=127.0.0.1",
        `--NotebookApp.token=${token}`,
        `--notebook-dir=${o.root}`,
        "--port-retries=0",
        // No signatures known: a notebook saved with outputs elsewhere opens untrusted.
        "--NotebookNotary.db_file=:memory:",
        ...(_root() ? ["--allow-root"] : []),
      ]];
    default: {
      const never: never = o.frontEnd;
      throw new Error(`startJupyter: unknown front end ${never}`);
    }
  }
}

/**
 * Starts the server and waits until `/api/status` answers; fails naming the log when it does
 * not within `startTimeoutMs`.
 */
export async function startJupyter(o: StartJupyterOptions): Promise<JupyterServer> {
  const port = _freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const [cmd, args] = _command(o, port, token);
  const child = new Deno.Command(cmd, {
    args,
    cwd: o.root,
    env: { ...o.env, ...(await _labSettings(o.root)), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The server logs to stderr; both streams go to one file, read while the tests run.
  const log = await Deno.open(o.logPath, { write: true, create: true, truncate: true });
  const logDone = Promise.all([child.stdout, child.stderr].map((s) =>
    s.pipeTo(
      new WritableStream({ write: (chunk) => log.write(chunk).then(() => {}) }),
    )
  )).finally(() => log.close());
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  let exited = false;
  child.status.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`jupyter ${o.frontEnd} exited at start; see ${o.logPath}`);
    const ok = await fetch(`${base}/api/status?token=${token}`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`jupyter ${o.frontEnd} did not answer on ${base}; see ${o.logPath}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const close = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
    }
    await logDone.catch(() => {});
  };
  return {
    frontEnd: o.frontEnd,
    base,
    token,
    notebookUrl: (path) =>
      o.frontEnd === "lab"
        ? `${base}/lab/tree/${path}?token=${token}`
        : `${base}/notebooks/${path}?token=${token}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
