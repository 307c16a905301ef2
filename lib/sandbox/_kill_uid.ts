/**
 * Cleanup for the `rlimits` mode: processes that escaped the process group (setsid, double
 * fork) are found by their per-slot uid and killed.
 *
 * @module
 */

function _scan(uid: number): { pid: number; zombie: boolean }[] {
  const found: { pid: number; zombie: boolean }[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let status: string;
    try {
      status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
    } catch {
      continue; // exited meanwhile
    }
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
    found.push({ pid: Number(entry.name), zombie: /^State:\s+Z/m.test(status) });
  }
  return found;
}

/**
 * SIGKILLs every process whose real uid is `uid`, repeating until none is left running
 * (zombies await their reaper and run nothing) or `waitMs` passed.
 * @returns the number of processes still running when it gave up (0 on success).
 */
export async function _killUid(uid: number, waitMs: number): Promise<number> {
  const until = performance.now() + waitMs;
  for (;;) {
    const found = _scan(uid).filter((p) => !p.zombie);
    if (found.length === 0 || performance.now() > until) return found.length;
    for (const p of found) {
      try {
        Deno.kill(p.pid, "SIGKILL");
      } catch { /* exited meanwhile */ }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
