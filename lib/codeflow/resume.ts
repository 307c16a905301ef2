/**
 * Resume an append-only JSONL output after a kill.
 *
 * @module
 */
import { _readLines } from "./_lines.ts";
import { parseJsonlLine } from "./jsonl.ts";
import { FieldError } from "./record_error.ts";
import type { RecordValidator } from "./validate.ts";

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
 * Read the finished task ids of an append-only JSONL output before resuming a job. A missing file
 * means nothing is finished. A last line without its `"\n"` was torn by a kill (each record is
 * written as one `JSON + "\n"`): it is dropped and the file is truncated back to the end of the
 * last complete line, so the next append starts on a fresh line. Any other bad line, including a
 * complete last line, is an error (a {@linkcode RecordError}), since it is not what a kill leaves.
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
  let records = 0;
  let tornAt = -1;
  const check: RecordValidator<{ taskId: string }> = (value) => {
    if (validate !== undefined) validate(value);
    const id = (value as { taskId?: unknown } | null)?.taskId;
    if (typeof id !== "string") throw new FieldError("taskId", "string", id);
    return { taskId: id };
  };
  try {
    for await (const raw of _readLines(path)) {
      if (!raw.terminated) {
        tornAt = raw.byteStart;
        break;
      }
      if (raw.text.trim() === "") continue;
      const { taskId } = parseJsonlLine(raw.text, path, raw.lineNo, check);
      taskIds.add(taskId);
      records++;
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { taskIds, records: 0, truncatedBytes: 0 };
    throw e;
  }
  let truncatedBytes = 0;
  if (tornAt >= 0) {
    const size = (await Deno.stat(path)).size;
    truncatedBytes = size - tornAt;
    await Deno.truncate(path, tornAt);
  }
  return { taskIds, records, truncatedBytes };
}
