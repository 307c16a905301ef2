/**
 * bigcodebench's own evaluator as a peer of the kit's BigCodeBench runner (`peer.py`), in the
 * environment of `python/requirements-bcb.txt`, started inside bubblewrap: bigcodebench runs the
 * programs in its own processes without isolation, so the whole peer gets a read-only root, a
 * fresh `/tmp`, no network and no capabilities.
 *
 * @module
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { bcbEnvironment } from "../../lib/eval/mod.ts";

export { mutant, MUTANT_KINDS, type MutantKind } from "./mutants.ts";

const _MARK = "\x1epeer ";
/** Where the peer sees its script and the tasks file inside its bubblewrap view. */
const _SCRIPT = "/tmp/bcb-peer/peer.py";

/** One sample for the peer. */
export interface PeerSample {
  readonly id: string;
  readonly taskId: string;
  /** The whole program (bigcodebench's `solution`). */
  readonly solution: string;
}

/** The peer's verdict of one sample. */
export interface PeerResult {
  readonly id: string;
  readonly status: "pass" | "fail" | "timeout";
  /** Failing test names (`ALL` when the program or the tests could not run). */
  readonly failed: readonly string[];
  /** The end of each failing test's traceback, by name. */
  readonly traces: Readonly<Record<string, string>>;
}

/**
 * Score `samples` with bigcodebench's evaluator over the tasks of `dataFile`, with `workers`
 * processes. Resolves with one result per sample, in the samples' order.
 */
export async function runBcbPeer(
  samples: readonly PeerSample[],
  dataFile: string,
  workers: number,
): Promise<PeerResult[]> {
  const env = await bcbEnvironment();
  const script = fileURLToPath(new URL("./peer.py", import.meta.url));
  const data = `/tmp/bcb-peer/data/${basename(dataFile)}`;
  const child = new Deno.Command("bwrap", {
    args: [
      ...["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"],
      ...["--tmpfs", "/tmp", "--tmpfs", "/dev/shm", "--tmpfs", "/var/tmp"],
      // The script and the tasks inside the fresh /tmp: a checkout may itself lie under /tmp.
      ...["--ro-bind", script, _SCRIPT, "--ro-bind", dataFile, data],
      ...["--unshare-net", "--unshare-pid", "--unshare-ipc", "--cap-drop", "ALL"],
      ...["--die-with-parent", "--new-session", "--chdir", "/tmp", "--"],
      env.python,
      _SCRIPT,
      String(workers),
    ],
    clearEnv: true,
    env: {
      // The environment's own `python` first, as in bigcodebench's image (tasks start scripts).
      PATH: `${env.prefix}/bin:/usr/bin:/bin`,
      HOME: "/tmp",
      LANG: "C.UTF-8",
      BIGCODEBENCH_OVERRIDE_PATH: data,
      MPLBACKEND: "Agg",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const input =
    samples.map((s) => JSON.stringify({ id: s.id, task_id: s.taskId, solution: s.solution })).join(
      "\n",
    ) + "\n";
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `bigcodebench peer failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).slice(-2000)
      }`,
    );
  }
  const results = text.split("\n").filter((l) => l.startsWith(_MARK))
    .map((l) => JSON.parse(l.slice(_MARK.length)) as PeerResult);
  const byId = new Map(results.map((r) => [r.id, r]));
  return samples.map((s) => {
    const r = byId.get(s.id);
    if (r === undefined) throw new Error(`bigcodebench peer: no result for sample ${s.id}`);
    return r;
  });
}
