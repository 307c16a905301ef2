/**
 * Resume an append-only JSONL output of per-task records after a kill.
 *
 * @module
 */
import { FieldError, type RecordValidator, repairJsonl } from "../core/mod.ts";

/** What {@linkcode resumeJsonl} found. */
export interface ResumeState {
  /** `taskId` of every complete record. */
  readonly taskIds: ReadonlySet<string>;
  /** Number of complete records. */
  readonly records: number;
  /** Bytes cut off the end (a torn last line); 0 when the file was clean or missing. */
  readonly truncatedBytes: number;
}

/**
 * The finished task ids of an append-only JSONL output, after lib/core's `repairJsonl` cut a torn
 * last line off. Every record must carry a string `taskId`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resumeJsonl } from "./resume.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"taskId":"a"}\n{"taskId":"b"}\n{"taskId":"c","x":[1,');
 * const state = await resumeJsonl(path);
 * assert.deepEqual([...state.taskIds], ["a", "b"]);
 * assert.equal(state.truncatedBytes, 21);
 * assert.equal(await Deno.readTextFile(path), '{"taskId":"a"}\n{"taskId":"b"}\n');
 * await Deno.remove(path);
 * ```
 */
export async function resumeJsonl(
  path: string,
  validate?: RecordValidator<unknown>,
): Promise<ResumeState> {
  const taskIds = new Set<string>();
  const check: RecordValidator<{ taskId: string }> = (value) => {
    if (validate !== undefined) validate(value);
    const id = (value as { taskId?: unknown } | null)?.taskId;
    if (typeof id !== "string") throw new FieldError("taskId", "string", id);
    return { taskId: id };
  };
  const state = await repairJsonl(path, {
    validate: check,
    onRecord: (e) => taskIds.add(e.record.taskId),
  });
  return { taskIds, ...state };
}
