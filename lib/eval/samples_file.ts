/**
 * Completions someone else produced, in EvalPlus's `samples.jsonl` format (bigcodebench reads the
 * same): one JSON object per line with `task_id` and either `solution` (the whole program) or
 * `completion` (the text that continues the task's prompt). Other fields are ignored.
 *
 * @module
 */
import { readLines } from "../core/mod.ts";
import { _Record } from "./_record.ts";
import type { BenchmarkTask, SourceRef } from "./types.ts";

/** One given sample, numbered among the samples of its task in file order. */
export interface GivenSample {
  readonly taskId: string;
  readonly sampleIndex: number;
  /** The text as given (`solution` or `completion`). */
  readonly text: string;
  readonly field: "solution" | "completion";
  readonly source: SourceRef;
}

/**
 * Read a samples file. Errors name the file, line and field: a line that is not an object, a
 * missing `task_id`, neither (or both) of `solution` and `completion`, a task the benchmark does
 * not have.
 */
export async function readSamplesFile(
  path: string,
  knownTasks: ReadonlySet<string>,
): Promise<GivenSample[]> {
  const out: GivenSample[] = [];
  const counts = new Map<string, number>();
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const rec = _Record.parse(text, { file: path, line: lineNo });
    const taskId = rec.id("task_id");
    if (!knownTasks.has(taskId)) {
      throw rec.error("task_id", `the benchmark has no task ${JSON.stringify(taskId)}`);
    }
    const has = (f: string) => rec.value[f] !== undefined;
    if (has("solution") === has("completion")) {
      throw rec.error("solution", "expected exactly one of `solution` and `completion`");
    }
    const field = has("solution") ? "solution" : "completion";
    const sampleIndex = counts.get(taskId) ?? 0;
    counts.set(taskId, sampleIndex + 1);
    out.push({ taskId, sampleIndex, text: rec.string(field), field, source: rec.source });
  }
  if (out.length === 0) throw new Error(`${path}: no samples`);
  return out;
}

/**
 * The program of a given sample, as EvalPlus and bigcodebench build it: a `solution` as it is; a
 * `completion` after the text it continues (`completionPrefix`, else the prompt of a `complete`
 * task, else nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { givenProgram } from "./samples_file.ts";
 * const task = { promptStyle: "complete", prompt: "def f():\n" } as const;
 * assert.equal(givenProgram(task, { field: "completion", text: "    return 1\n" }), "def f():\n    return 1\n");
 * assert.equal(givenProgram(task, { field: "solution", text: "def f(): return 2\n" }), "def f(): return 2\n");
 * ```
 */
export function givenProgram(
  task: Pick<BenchmarkTask, "promptStyle" | "prompt" | "completionPrefix">,
  sample: Pick<GivenSample, "field" | "text">,
): string {
  if (sample.field === "solution") return sample.text;
  const prefix = task.completionPrefix ?? (task.promptStyle === "complete" ? task.prompt : "");
  return prefix + sample.text;
}
