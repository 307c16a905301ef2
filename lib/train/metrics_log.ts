/**
 * `metrics.jsonl`: one JSON line per training step, truncated back to the checkpoint on resume.
 *
 * @module
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { StepRecord } from "./types.ts";

/**
 * Keeps only the records with `step <= lastStep` (a killed run may have logged steps after its
 * last checkpoint); `lastStep = 0` empties the file. Rewrites atomically.
 */
export async function truncateMetricsLog(path: string, lastStep: number): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return;
    throw err;
  }
  const kept: string[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let record: StepRecord;
    try {
      record = JSON.parse(line);
    } catch {
      // A kill can tear the last line; anything after the checkpoint is recomputed anyway.
      if (i === text.split("\n").length - 1 || i === text.split("\n").length - 2) continue;
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
    if (record.step <= lastStep) kept.push(line);
  }
  const tmp = `${path}.tmp-${Deno.pid}`;
  await writeFile(tmp, kept.map((l) => l + "\n").join(""));
  await rename(tmp, path);
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
export async function readMetricsLog(path: string): Promise<StepRecord[]> {
  const text = await readFile(path, "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    try {
      return JSON.parse(l) as StepRecord;
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
  });
}
