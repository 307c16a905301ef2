/**
 * Loader of BigCodeBench v0.1.0 (`bigcodebench/BigCodeBench.jsonl.gz`, 1,140 tasks, the "Full"
 * set): the `complete` split (a function stub with its docstring) and the `instruct` split (a
 * task description), with `unittest` tests, as bigcodebench's own evaluator runs them.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { readLines } from "../core/mod.ts";
import { _Record } from "./_record.ts";
import type { BenchmarkTask } from "./types.ts";

/** Path of the BigCodeBench file inside a data directory. */
export const BIGCODEBENCH_FILE = "bigcodebench/BigCodeBench.jsonl.gz";

/** The two BigCodeBench splits: the same tasks, prompted as a stub or as an instruction. */
export const BIGCODEBENCH_SPLITS = ["complete", "instruct"] as const;
/** One of {@linkcode BIGCODEBENCH_SPLITS}. */
export type BigCodeBenchSplit = typeof BIGCODEBENCH_SPLITS[number];

/**
 * bigcodebench's instruction to chat models (its `generate.py` default), put before the task
 * (the `complete` split's stub inside a fence).
 */
export const BIGCODEBENCH_CHAT_PREFIX =
  "Please provide a self-contained Python script that solves the following problem in a " +
  "markdown code block:";

const _FENCE = "`".repeat(3);

/**
 * The user message a chat model gets for a task: bigcodebench's `make_raw_chat_prompt` without
 * the assistant prefill (an OpenAI-compatible chat endpoint cannot continue an assistant turn).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bigCodeBenchChatPrompt } from "./load_bigcodebench.ts";
 * const F = "`".repeat(3);
 * assert.equal(bigCodeBenchChatPrompt("instruct", " Do it. "), "Please provide a self-contained Python script that solves the following problem in a markdown code block:\nDo it.\n");
 * assert.ok(bigCodeBenchChatPrompt("complete", "def f():\n").endsWith(`${F}\ndef f():\n${F}\n`));
 * ```
 */
export function bigCodeBenchChatPrompt(split: BigCodeBenchSplit, prompt: string): string {
  return split === "complete"
    ? `${BIGCODEBENCH_CHAT_PREFIX}\n${_FENCE}\n${prompt.trim()}\n${_FENCE}\n`
    : `${BIGCODEBENCH_CHAT_PREFIX}\n${prompt.trim()}\n`;
}

/**
 * Stream the tasks of a BigCodeBench JSONL(.gz) file (fields `task_id, complete_prompt,
 * instruct_prompt, canonical_solution, code_prompt, test, entry_point`) as one split. Every
 * program gets bigcodebench's calibration as its setup (`code_prompt` plus `pass`: the task's
 * imports and a stub the program redefines), so a solution that leaves out the imports runs, as
 * under bigcodebench's evaluator (its default `--calibrated`). Errors name the file, line and
 * field.
 */
export async function* readBigCodeBench(
  path: string,
  split: BigCodeBenchSplit,
): AsyncGenerator<BenchmarkTask> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const rec = _Record.parse(text, { file: path, line: lineNo });
    const codePrompt = rec.string("code_prompt");
    const body = rec.string("canonical_solution");
    const tests = rec.string("test");
    const stub = rec.string("complete_prompt");
    const prompt = split === "complete" ? stub : rec.string("instruct_prompt");
    if (!/^class\s+TestCases\b/m.test(tests)) {
      throw rec.error("test", "expected a unittest module with a class TestCases");
    }
    yield {
      benchmark: `bigcodebench-${split}`,
      taskId: rec.string("task_id"),
      prompt,
      chatPrompt: bigCodeBenchChatPrompt(split, prompt),
      ...(split === "instruct" ? { completionPrefix: stub } : {}),
      promptStyle: split,
      entryPoint: rec.string("entry_point"),
      canonicalSolution: split === "complete" ? body : codePrompt + body,
      tests,
      testStyle: "unittest",
      setup: `${codePrompt}\n    pass\n`,
      source: rec.source,
    };
  }
}

/**
 * Task ids of a subset file (the 148-task "Hard" subset, or any list): one id per line, or a JSON
 * array of ids; `#` starts a comment line. Throws naming the file and line of an id the tasks do
 * not have.
 */
export function readTaskSubset(path: string, known: ReadonlySet<string>): Set<string> {
  const text = readFileSync(path, "utf-8");
  const ids: { id: string; where: string }[] = [];
  if (text.trimStart().startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
      throw new Error(`${path}: expected a JSON array of task ids`);
    }
    parsed.forEach((id, i) => ids.push({ id, where: `${path}: element ${i}` }));
  } else {
    text.split("\n").forEach((line, i) => {
      const id = line.trim();
      if (id !== "" && !id.startsWith("#")) ids.push({ id, where: `${path}:${i + 1}` });
    });
  }
  if (ids.length === 0) throw new Error(`${path}: no task ids`);
  for (const { id, where } of ids) {
    if (!known.has(id)) {
      throw new Error(`${where}: unknown task id ${JSON.stringify(id)}`);
    }
  }
  return new Set(ids.map((x) => x.id));
}
