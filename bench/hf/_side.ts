/**
 * What the kit-vs-torch benches of this folder share: running one side in its own process and
 * reading the JSON line it prints last, and a process's peak resident memory.
 *
 * @module
 */

/** What every side prints: its name, its speed and its peak memory (and what it measured). */
export interface SideResult {
  readonly side: string;
  readonly tokensPerSecond: number;
  readonly peakRssMiB: number;
}

/** Runs `cmd args` (stderr shown) and parses the last line of its stdout as JSON. */
export async function runSide<T extends SideResult>(
  cmd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const out = await new Deno.Command(cmd, {
    args: [...args],
    env,
    stdout: "piped",
    stderr: "inherit",
  })
    .output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${out.code})`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/** This process's peak resident memory (`VmHWM` of /proc/self/status), MiB. */
export function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export { cpuName } from "../../lib/core/mod.ts";
