/**
 * Resumable per-sample results: one JSON line per evaluated sample, appended as it finishes.
 * Reopening skips the `(taskId, sampleIndex)` pairs already present; a truncated last line left by
 * a kill is dropped (and cut from the file) so the run redoes that sample.
 *
 * @module
 */
import { FieldError, JsonlAppender, repairJsonl } from "../core/mod.ts";
import type { SampleResult } from "./types.ts";

/** Key of a sample in a results file. */
function _key(taskId: string, sampleIndex: number): string {
  return `${taskId}\u0000${sampleIndex}`;
}

/** The key fields of a stored sample, or a {@linkcode FieldError} naming the one that is off. */
function _sampleKey(value: unknown): SampleResult {
  const r = value as Partial<SampleResult> | null;
  if (typeof r?.taskId !== "string") throw new FieldError("taskId", "string", r?.taskId);
  if (!Number.isInteger(r.sampleIndex)) {
    throw new FieldError("sampleIndex", "integer", r.sampleIndex);
  }
  return r as SampleResult;
}

/** An open, append-only results file. */
export class ResultsFile {
  #done = new Map<string, SampleResult>();
  #appender: JsonlAppender;

  private constructor(readonly path: string, existing: SampleResult[]) {
    for (const r of existing) this.#done.set(_key(r.taskId, r.sampleIndex), r);
    this.#appender = new JsonlAppender(path);
  }

  /** Open (or create) `path`, loading the samples already recorded there. */
  static async open(path: string): Promise<ResultsFile> {
    const existing: SampleResult[] = [];
    await repairJsonl<SampleResult>(path, {
      validate: _sampleKey,
      onRecord: (e) => existing.push(e.record),
    });
    return new ResultsFile(path, existing);
  }

  /** Whether sample `sampleIndex` of `taskId` is recorded. */
  has(taskId: string, sampleIndex: number): boolean {
    return this.#done.has(_key(taskId, sampleIndex));
  }

  /** Record one sample (one line, written at once). */
  append(result: SampleResult): void {
    this.#appender.append(result);
    this.#done.set(_key(result.taskId, result.sampleIndex), result);
  }

  /** Every recorded sample (a rerun of a pair keeps the last). */
  all(): SampleResult[] {
    return [...this.#done.values()];
  }

  /** Close the file. */
  close(): void {
    this.#appender.close();
  }
}
