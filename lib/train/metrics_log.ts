/**
 * `metrics.jsonl`: one JSON line per training step, truncated back to the checkpoint on resume.
 *
 * @module
 */
import { atomicWrite, readJsonlFile, repairJsonl, toJsonl } from "../core/mod.ts";
import type { StepRecord } from "./types.ts";

/**
 * Keeps only the records with `step <= lastStep` (a killed run may have logged steps after its
 * last checkpoint, and torn the last line); `lastStep = 0` empties the file. Rewrites atomically.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { readMetricsLog, truncateMetricsLog } from "./metrics_log.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, '{"step":1,"metrics":{}}\n{"step":2,"metrics":{}}\n{"step":3,');
 * await truncateMetricsLog(p, 1);
 * deepStrictEqual((await readMetricsLog(p)).map((r) => r.step), [1]);
 * ```
 */
export async function truncateMetricsLog(path: string, lastStep: number): Promise<void> {
  const kept: StepRecord[] = [];
  let dropped = 0;
  await repairJsonl<StepRecord>(path, {
    onRecord: ({ record }) => record.step <= lastStep ? kept.push(record) : dropped++,
  });
  if (dropped > 0) await atomicWrite(path, toJsonl(kept));
}

/**
 * Reads `metrics.jsonl` back.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { readMetricsLog } from "./metrics_log.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, '{"step":1,"metrics":{"loss":2}}\n');
 * deepStrictEqual((await readMetricsLog(p)).map((r) => r.metrics.loss), [2]);
 * ```
 */
export function readMetricsLog(path: string): Promise<StepRecord[]> {
  return readJsonlFile<StepRecord>(path);
}
