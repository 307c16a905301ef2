/**
 * Loader of OpenAI HumanEval (`humaneval/HumanEval.jsonl.gz`).
 *
 * @module
 */
import { readLines } from "../core/mod.ts";
import { _Record } from "./_record.ts";
import { type DataDirOptions, resolveBenchmarkFile } from "./data_dir.ts";
import type { BenchmarkTask } from "./types.ts";

/** Path of the HumanEval file inside a data directory. */
export const HUMANEVAL_FILE = "humaneval/HumanEval.jsonl.gz";

/**
 * Stream the HumanEval tasks of a JSONL(.gz) file (fields `task_id, prompt, entry_point,
 * canonical_solution, test`). Errors name the file, line and field.
 */
export async function* readHumanEval(path: string): AsyncGenerator<BenchmarkTask> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const rec = _Record.parse(text, { file: path, line: lineNo });
    yield {
      benchmark: "humaneval",
      taskId: rec.string("task_id"),
      prompt: rec.string("prompt"),
      promptStyle: "complete",
      entryPoint: rec.string("entry_point"),
      canonicalSolution: rec.string("canonical_solution"),
      tests: rec.string("test"),
      testStyle: "check",
      source: rec.source,
    };
  }
}

/** Load all 164 HumanEval tasks from the resolved data directory. */
export async function loadHumanEval(options: DataDirOptions = {}): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(readHumanEval(resolveBenchmarkFile(HUMANEVAL_FILE, options)));
}
