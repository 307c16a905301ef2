/** Shared helpers of the sandbox tests. */

/** uid range reserved for the sandboxes of the tests, so leak scans see only their processes. */
export const TEST_UID_BASE = 1_700_000_000;

/** Width of the uid range one Sandbox config may use (see lib/sandbox/_uids.ts). */
export const UID_RANGE = 4096 * 4096;

/** Pids of live processes whose real uid lies in `[base, base + count)`. */
export function processesWithUid(base: number, count: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let status: string;
    try {
      status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
    } catch {
      continue; // exited meanwhile
    }
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    if (uid >= base && uid < base + count && state !== "Z") found.push(Number(entry.name));
  }
  return found;
}

/** True when `path` exists on the host. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A TCP server on 127.0.0.1 that counts the connections it accepts (network-escape tests). */
export function countingLoopbackServer(): {
  readonly port: number;
  /** Stops listening and returns how many connections arrived. */
  close(): Promise<number>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting;
      return connections;
    },
  };
}
