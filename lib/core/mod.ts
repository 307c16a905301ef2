/**
 * The ground floor of the kit: the shared record types and closed lists, data-file errors, the
 * one JSONL reader and appender, the one atomic write, the one closed-list check, and the git
 * info recorded next to results, and the interrupt watch of long jobs. It imports nothing else
 * of the kit.
 *
 * @module
 */
export * from "./closed_lists.ts";
export type * from "./records.ts";
export { FieldError, RecordError } from "./record_error.ts";
export { oneOf } from "./one_of.ts";
export { type RawLine, readLines, readTextChunks } from "./read_lines.ts";
export {
  appendJsonl,
  JsonlAppender,
  type JsonlEntry,
  parseJsonlLine,
  readJsonl,
  readJsonlFile,
  type RecordValidator,
  repairJsonl,
  type RepairOptions,
  type RepairState,
  toJsonl,
} from "./jsonl.ts";
export { atomicWrite, atomicWriteChunks, atomicWriteDir } from "./atomic_write.ts";
export { GIT_DIRTY_EXCLUDES, type GitInfo, gitInfo } from "./git_info.ts";
export { type HeldLock, lockFolder, type LockHolder, tryLock } from "./file_lock.ts";
export { JsonLinesProcess, type JsonLinesProcessOptions } from "./json_lines_process.ts";
export { Interrupted, InterruptWatch } from "./interrupt.ts";
export { pythonEnv } from "./python_env.ts";
export { cpuName } from "./cpu_name.ts";
