/**
 * A LiveCodeBench harness: the `code_generation_lite` release files users download (JSON Lines,
 * stdin/stdout and functional problems with public and private tests), their private tests decoded
 * without Python's pickle, programs graded as `lcb_runner` grades them, a contest-date window and
 * pass@1 by difficulty (the paper's Table 10).
 *
 * Private tests are stored as JSON or as base64 of zlib of a pickle of that JSON text. The pickle
 * is read by {@linkcode unpickleString}, which admits one plain string and refuses anything else:
 * nothing in the file can run code in the kit's process.
 *
 * @module
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { readLines } from "../core/mod.ts";
import { _Record } from "./_record.ts";
import { unpickleString } from "./restricted_pickle.ts";
import type { BenchmarkTask, SourceRef } from "./types.ts";

/** Folder of the release files inside a data directory (`test.jsonl`, `test2.jsonl`, …). */
export const LIVECODEBENCH_DIR = "livecodebench";

/** LiveCodeBench's difficulty levels. */
export const LCB_DIFFICULTIES = ["easy", "medium", "hard"] as const;
/** One of {@linkcode LCB_DIFFICULTIES}. */
export type LcbDifficulty = typeof LCB_DIFFICULTIES[number];

/** One test: its stdin (or one JSON argument per line) and the expected stdout (or JSON value). */
export interface LcbTest {
  readonly input: string;
  readonly output: string;
}

/** A LiveCodeBench problem as the kit keeps it. */
export interface LcbProblem {
  readonly questionId: string;
  readonly title: string;
  readonly content: string;
  readonly platform: string;
  /** `contest_date`, ISO 8601. */
  readonly contestDate: string;
  readonly difficulty: LcbDifficulty;
  readonly starterCode: string;
  /** `stdin`: a program reading stdin; `functional`: a method of the starter code. */
  readonly testType: "stdin" | "functional";
  /** The method functional tests call (`metadata.func_name`). */
  readonly funcName?: string;
  /** Public tests, then private ones. */
  readonly tests: readonly LcbTest[];
  readonly source: SourceRef;
}

const _FENCE = "`".repeat(3);

/** LiveCodeBench's generic prompt (`get_generic_question_template_answer`). */
export function lcbPrompt(p: Pick<LcbProblem, "content" | "starterCode">): string {
  const format = p.starterCode
    ? "You will use the following starter code to write the solution to the problem and " +
      `enclose your code within delimiters.\n${_FENCE}python\n${p.starterCode}\n${_FENCE}\n\n`
    : "Read the inputs from stdin solve the problem and write the answer to stdout (do not " +
      "directly test on the sample inputs). Enclose your code within delimiters as follows. " +
      "Ensure that when the python program runs, it reads the inputs, runs the algorithm and " +
      `writes output to STDOUT.\n${_FENCE}python\n# YOUR CODE HERE\n${_FENCE}\n\n`;
  return `### Question:\n${p.content}\n\n### Format: ${format}### Answer: (use the provided format with backticks)\n\n`;
}

/**
 * Decode a `private_test_cases` field: JSON, else base64 → zlib → a pickled string → JSON.
 * @throws Error naming the stage that failed (a refused pickle opcode names itself).
 */
export function decodePrivateTests(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch { /* the compressed form */ }
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return JSON.parse(unpickleString(new Uint8Array(inflateSync(bytes))));
}

/** A field holding JSON text, parsed; an error names the file, line and field. */
function _json(rec: _Record, field: string): unknown {
  const text = rec.string(field);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw rec.error(field, `invalid JSON: ${(e as Error).message}`);
  }
}

function _tests(rec: _Record, field: string, value: unknown): LcbTest[] {
  if (!Array.isArray(value)) throw rec.error(field, "expected a list of tests");
  return value.map((t, i) => {
    const test = t as Record<string, unknown>;
    if (typeof test?.input !== "string" || typeof test?.output !== "string") {
      throw rec.error(field, `test ${i}: expected string fields input and output`);
    }
    return { input: test.input, output: test.output };
  });
}

function _problem(rec: _Record): LcbProblem {
  const difficulty = rec.string("difficulty");
  if (!(LCB_DIFFICULTIES as readonly string[]).includes(difficulty)) {
    throw rec.error("difficulty", `expected one of ${LCB_DIFFICULTIES.join(", ")}`);
  }
  const publicRaw = _json(rec, "public_test_cases") as { testtype?: string }[];
  const publicTests = _tests(rec, "public_test_cases", publicRaw);
  let privateRaw: unknown;
  try {
    privateRaw = decodePrivateTests(rec.string("private_test_cases"));
  } catch (e) {
    throw rec.error("private_test_cases", (e as Error).message);
  }
  const metadata = (_json(rec, "metadata") ?? {}) as { func_name?: string };
  const testType = publicRaw[0]?.testtype === "functional" ? "functional" : "stdin";
  if (testType === "functional" && typeof metadata.func_name !== "string") {
    throw rec.error("metadata", "a functional problem needs func_name");
  }
  return {
    questionId: rec.string("question_id"),
    title: rec.string("question_title"),
    content: rec.string("question_content"),
    platform: rec.string("platform"),
    contestDate: rec.string("contest_date"),
    difficulty: difficulty as LcbDifficulty,
    starterCode: rec.string("starter_code"),
    testType,
    ...(testType === "functional" ? { funcName: metadata.func_name } : {}),
    tests: [...publicTests, ..._tests(rec, "private_test_cases", privateRaw)],
    source: rec.source,
  };
}

/** A contest-date window, inclusive, `YYYY-MM-DD` (the paper's v5 window: 2023-05-01 to 2025-01-31). */
export interface LcbWindow {
  readonly from?: string;
  readonly to?: string;
}

/**
 * The problems of a release file, or of every `*.jsonl` file of a folder (in name order), within
 * the date window. Errors name the file, line and field.
 */
export async function readLiveCodeBench(
  path: string,
  window: LcbWindow = {},
): Promise<LcbProblem[]> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(path, f))
    : [path];
  const out: LcbProblem[] = [];
  for (const file of files) {
    for await (const { lineNo, text } of readLines(file)) {
      if (text.trim() === "") continue;
      const p = _problem(_Record.parse(text, { file, line: lineNo }));
      const day = p.contestDate.slice(0, 10);
      if (
        (window.from === undefined || day >= window.from) &&
        (window.to === undefined || day <= window.to)
      ) {
        out.push(p);
      }
    }
  }
  return out;
}

const _HARNESS = Deno.readTextFileSync(new URL("./_lcb_harness.py", import.meta.url));

/** The modules of LiveCodeBench's `import_string`, each star-imported and imported. */
const _LCB_MODULES = [
  "string",
  "re",
  "datetime",
  "collections",
  "heapq",
  "bisect",
  "copy",
  "math",
  "random",
  "statistics",
  "itertools",
  "functools",
  "operator",
  "io",
  "sys",
  "json",
] as const;

/** LiveCodeBench's `import_string`: what every graded program starts with. */
const _IMPORTS =
  [..._LCB_MODULES, "builtins", "typing"].map((m) => `from ${m} import *\n`).join("") +
  _LCB_MODULES.map((m) => `import ${m}\n`).join("") + "sys.setrecursionlimit(50000)\n";

/** A Python string literal of `text` (JSON's escapes are Python's). */
function _py(text: string): string {
  return JSON.stringify(text);
}

/**
 * A problem as a benchmark task (`livecodebench`, instruct style): each test is one assert of the
 * program's graded outcome, so the sandbox reports one outcome per test. A stdin program is not
 * run as the candidate: the tests get its text (`programVariable`) and run it once per input.
 */
export function lcbTask(p: LcbProblem): BenchmarkTask {
  const tests =
    p.tests.map((t) =>
      p.testType === "stdin"
        ? `assert _lcb_stdin(_LCB_SOURCE, ${_py(t.input)}, ${_py(t.output)})`
        : `assert _lcb_call(${_py(p.funcName!)}, ${_py(t.input)}, ${_py(t.output)})`
    ).join("\n") + "\n";
  return {
    benchmark: "livecodebench",
    taskId: p.questionId,
    prompt: lcbPrompt(p),
    promptStyle: "instruct",
    entryPoint: p.funcName ?? "main",
    canonicalSolution: "",
    tests,
    testStyle: "asserts",
    setup: _IMPORTS + _HARNESS,
    ...(p.testType === "stdin" ? { programVariable: "_LCB_SOURCE" } : {}),
    difficulty: p.difficulty,
    source: p.source,
  };
}

/** The tasks of a release file or folder, within the date window. */
export async function* readLiveCodeBenchTasks(
  path: string,
  window: LcbWindow = {},
): AsyncGenerator<BenchmarkTask> {
  for (const p of await readLiveCodeBench(path, window)) yield lcbTask(p);
}
