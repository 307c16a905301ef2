/**
 * A program started by one of the sandbox's launchers, as the supervisor sees it: two output
 * streams, how it ended, and a way to signal it.
 *
 * @module
 */

/** How a launched program ended (exit code `128 + n` for a death by signal `n`). */
export interface _LaunchEnd {
  readonly code: number;
  /** Signal that killed the directly spawned process, when any. */
  readonly signal: string | null;
}

/** One running program. */
export interface _Launched {
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once the program and everything it started are gone. */
  readonly status: Promise<_LaunchEnd>;
  /** Signals the whole run; a no-op once it ended. */
  kill(signal: "SIGTERM" | "SIGKILL"): void;
  /** Called once the output is drained: kills whatever may still be left of the run. */
  finish(): void;
}

/**
 * Wraps a freshly spawned process: writes `input` to its stdin (then closes it) and signals
 * the process, or its process group when `group` is set.
 */
export function _launchedChild(
  child: Deno.ChildProcess,
  input: readonly Uint8Array[],
  group: boolean,
): _Launched {
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return { code: s.code, signal: s.signal };
  });
  const writer = child.stdin.getWriter();
  (async () => {
    for (const part of input) await writer.write(part);
    await writer.close();
  })().catch(() => {/* the program died before reading its input */});
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    status,
    kill(signal) {
      if (exited) return;
      try {
        if (group) Deno.kill(-child.pid, signal);
        else child.kill(signal);
      } catch { /* already gone */ }
    },
    finish() {
      // Escaped grandchildren (rlimits mode only) may still run in the group.
      if (!group) return;
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* group already gone */ }
    },
  };
}
