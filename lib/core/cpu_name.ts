/**
 * The machine's CPU, for the first line of a benchmark's report (every number names its CPU).
 *
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * The CPU's model name (the first `model name` of /proc/cpuinfo), or the architecture.
 *
 * @example
 * ```ts
 * import { cpuName } from "./cpu_name.ts";
 * if (cpuName().length === 0) throw new Error("empty");
 * ```
 */
export function cpuName(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m !== null) return m[1].trim();
  } catch { /* no /proc here */ }
  return `${Deno.build.arch} CPU`;
}
