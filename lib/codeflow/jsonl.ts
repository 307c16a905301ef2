/**
 * Streamed, validated reading of the CodeFlow JSONL files (trajectories and pairs) through
 * lib/core's JSONL reader.
 *
 * @module
 */
import { type Pair, readJsonl, type Trajectory } from "../core/mod.ts";
import { validatePair, validateTrajectory } from "./validate.ts";

/**
 * Stream and validate the trajectories of a JSONL file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTrajectories } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"schema":"codeflow.trajectory/v1","taskId":""}\n');
 * await assert.rejects(
 *   async () => { for await (const _ of readTrajectories(path)); },
 *   { message: `${path}:1: field "taskId": expected non-empty string, found ""` },
 * );
 * await Deno.remove(path);
 * ```
 */
export async function* readTrajectories(path: string): AsyncGenerator<Trajectory> {
  for await (const { record } of readJsonl(path, validateTrajectory)) yield record;
}

/**
 * Stream and validate the pairs of a JSONL file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPairs } from "./jsonl.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, "");
 * const pairs = [];
 * for await (const p of readPairs(path)) pairs.push(p);
 * assert.equal(pairs.length, 0);
 * await Deno.remove(path);
 * ```
 */
export async function* readPairs(path: string): AsyncGenerator<Pair> {
  for await (const { record } of readJsonl(path, validatePair)) yield record;
}
