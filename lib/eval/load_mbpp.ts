/**
 * Loaders of MBPP: the full set (`mbpp/mbpp.jsonl`) and the sanitized subset
 * (`mbpp/sanitized-mbpp.json`, one JSON array).
 *
 * The prompt shown to a model follows EvalPlus: the task text and the first test inside a
 * docstring, so the model learns the function name and signature.
 *
 * @module
 */
import { readLines, readTextChunks } from "../core/mod.ts";
import { _streamArrayElements } from "./_json_scan.ts";
import { _Record } from "./_record.ts";
import { type DataDirOptions, resolveBenchmarkFile } from "./data_dir.ts";
import type { BenchmarkTask } from "./types.ts";

/** Path of the full MBPP file inside a data directory. */
export const MBPP_FULL_FILE = "mbpp/mbpp.jsonl";
/** Path of the sanitized MBPP file inside a data directory. */
export const MBPP_SANITIZED_FILE = "mbpp/sanitized-mbpp.json";

/** Normalise the CRLF line ends of the MBPP code strings. */
function _lf(s: string): string {
  return s.replace(/\r\n?/g, "\n");
}

/**
 * EvalPlus-style MBPP prompt: the instruction and one example test in a docstring.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mbppPrompt } from "./load_mbpp.ts";
 * assert.equal(mbppPrompt("Add one.", "assert f(1) == 2"), '"""\nAdd one.\nassert f(1) == 2\n"""\n');
 * ```
 */
export function mbppPrompt(text: string, firstTest: string): string {
  return `"""\n${text.trim()}\n${firstTest.trim()}\n"""\n`;
}

/**
 * The function under test of an MBPP task: the first top-level `def` of the reference code that
 * the first test calls. `undefined` when none is called.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mbppEntryPoint } from "./load_mbpp.ts";
 * const code = "def helper(x):\n    return x\ndef main(x):\n    return helper(x)\n";
 * assert.equal(mbppEntryPoint(code, "assert main(1) == 1"), "main");
 * ```
 */
export function mbppEntryPoint(code: string, firstTest: string): string | undefined {
  for (const m of code.matchAll(/^def\s+(\w+)\s*\(/gm)) {
    if (new RegExp(`(?<![\\w.])${m[1]}\\s*\\(`).test(firstTest)) return m[1];
  }
  return undefined;
}

function _entryPoint(rec: _Record, code: string, tests: string[]): string {
  if (tests.length === 0) throw rec.error("test_list", "expected at least one test, found none");
  const entry = mbppEntryPoint(code, tests[0]);
  if (entry === undefined) {
    throw rec.error(
      "code",
      `no top-level function of the code is called by the first test ${JSON.stringify(tests[0])}`,
    );
  }
  return entry;
}

/**
 * Stream the full MBPP tasks (fields `text, code, task_id, test_setup_code, test_list,
 * challenge_test_list`). The challenge tests are not used (as in the MBPP paper's main results).
 */
export async function* readMbppFull(path: string): AsyncGenerator<BenchmarkTask> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const rec = _Record.parse(text, { file: path, line: lineNo });
    const code = _lf(rec.string("code"));
    const tests = rec.strings("test_list").map(_lf);
    const testSetup = _lf(rec.string("test_setup_code"));
    yield {
      benchmark: "mbpp-full",
      taskId: rec.id("task_id"),
      prompt: mbppPrompt(rec.string("text"), tests[0] ?? ""),
      promptStyle: "instruct",
      entryPoint: _entryPoint(rec, code, tests),
      canonicalSolution: code,
      tests: tests.join("\n") + "\n",
      testStyle: "asserts",
      ...(testSetup.trim() === "" ? {} : { testSetup }),
      source: rec.source,
    };
  }
}

/**
 * Stream the sanitized MBPP tasks (a JSON array of objects with `source_file, task_id, prompt, code,
 * test_imports, test_list`), one element in memory at a time.
 */
export async function* readMbppSanitized(path: string): AsyncGenerator<BenchmarkTask> {
  try {
    for await (const el of _streamArrayElements(readTextChunks(path))) {
      const rec = _Record.parse(el.text, { file: path, line: el.lineNo });
      const code = _lf(rec.string("code"));
      const tests = rec.strings("test_list").map(_lf);
      const imports = rec.strings("test_imports");
      yield {
        benchmark: "mbpp",
        taskId: rec.id("task_id"),
        prompt: mbppPrompt(rec.string("prompt"), tests[0] ?? ""),
        promptStyle: "instruct",
        entryPoint: _entryPoint(rec, code, tests),
        canonicalSolution: code,
        tests: tests.join("\n") + "\n",
        testStyle: "asserts",
        ...(imports.length === 0 ? {} : { setup: imports.join("\n") + "\n" }),
        source: rec.source,
      };
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw new Error(`${path}: ${e.message}`);
    throw e;
  }
}

/** Load the full MBPP (974 tasks) from the resolved data directory. */
export async function loadMbppFull(options: DataDirOptions = {}): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(readMbppFull(resolveBenchmarkFile(MBPP_FULL_FILE, options)));
}

/** Load the sanitized MBPP (427 tasks) from the resolved data directory. */
export async function loadMbppSanitized(options: DataDirOptions = {}): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(
    readMbppSanitized(resolveBenchmarkFile(MBPP_SANITIZED_FILE, options)),
  );
}
