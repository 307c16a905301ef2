/**
 * Shared types of the evaluation area: benchmark tasks, samples and their outcomes.
 *
 * @module
 */
import type { PlusOracle, Verdict } from "../core/mod.ts";

/**
 * A benchmark the loaders know.
 * - `humaneval`: OpenAI HumanEval (164 tasks, `check(candidate)` tests).
 * - `humaneval+`: EvalPlus HumanEval+ v0.1.10 (differential testing on base + plus inputs).
 * - `mbpp`: sanitized MBPP (427 tasks, assert tests).
 * - `mbpp-full`: the full MBPP (974 tasks, assert tests).
 * - `mbpp+`: EvalPlus MBPP+ v0.2.0 (378 tasks, differential testing on base + plus inputs).
 * - `bigcodebench-complete`, `bigcodebench-instruct`: BigCodeBench v0.1.0 (1,140 tasks, the Full
 *   set, `unittest` tests run with the Python libraries of `python/requirements-bcb.txt`), prompted
 *   as a function stub or as an instruction.
 * - `livecodebench`: LiveCodeBench `code_generation_lite` release files the user downloads into
 *   `livecodebench/` (stdin and functional problems, graded as `lcb_runner` grades them).
 */
export const BENCHMARK_NAMES = [
  "humaneval",
  "humaneval+",
  "mbpp",
  "mbpp-full",
  "mbpp+",
  "bigcodebench-complete",
  "bigcodebench-instruct",
  "livecodebench",
] as const;
/** One of {@linkcode BENCHMARK_NAMES}. */
export type BenchmarkName = typeof BENCHMARK_NAMES[number];

/**
 * How a model's completion becomes a program.
 * - `complete`: the prompt is a function stub (signature + docstring); the completion continues it.
 * - `instruct`: the prompt describes the task; the completion is a whole program.
 */
export type PromptStyle = "complete" | "instruct";

/** Where a record came from, for error messages. */
export interface SourceRef {
  readonly file: string;
  /** 1-based line of the record (for a one-line JSON array, the line of the element). */
  readonly line: number;
}

/**
 * EvalPlus differential-testing data of a task: the candidate's outputs on every input must match
 * the canonical solution's outputs (EvalPlus rules: exact, or `atol` for floats).
 *
 * Inputs are kept as raw JSON text (each an array of argument lists) because they hold integers
 * beyond 2^53 and `Infinity`/`NaN` tokens that JavaScript numbers cannot carry; Python parses them.
 */
export interface PlusInputs {
  /** JSON array of argument lists: the base inputs. */
  readonly baseInputJson: string;
  /** JSON array of argument lists: the extra EvalPlus inputs. */
  readonly plusInputJson: string;
  readonly baseCount: number;
  readonly plusCount: number;
  /** Absolute tolerance for float outputs (0 means "exact, but 1e-6 for float outputs"). */
  readonly atol: number;
  /**
   * Python expression over `inputs` (the parsed list of argument lists) that restores the argument
   * types JSON lost (tuples, sets, complex numbers); `undefined` when the JSON is already exact.
   */
  readonly decodeInputs?: string;
  /** EvalPlus's special oracle of this task, if it has one (see `MBPP_PLUS_ORACLES`). */
  readonly oracle?: PlusOracle;
}

/** One benchmark problem in the kit's common shape. */
export interface BenchmarkTask {
  readonly benchmark: BenchmarkName;
  /** Task id as in the source (`HumanEval/0`, `Mbpp/2`, or `2` for MBPP). */
  readonly taskId: string;
  /** What the model sees. */
  readonly prompt: string;
  /**
   * The user message of a chat model, when the benchmark prescribes one (BigCodeBench's
   * instruction); otherwise the kit's own wording around `prompt` (`chatInstruction`).
   */
  readonly chatPrompt?: string;
  readonly promptStyle: PromptStyle;
  /**
   * What the `completion` of a given samples file continues, when not the prompt
   * (BigCodeBench's instruct split: the `complete` split's stub, as bigcodebench reads it).
   */
  readonly completionPrefix?: string;
  /** Function under test. */
  readonly entryPoint: string;
  /**
   * Reference solution as stored: the body that continues the prompt for `complete` tasks, a whole
   * program for `instruct` tasks. {@linkcode canonicalProgram} gives the runnable program.
   */
  readonly canonicalSolution: string;
  /**
   * Python tests: a `def check(candidate)` function (`testStyle: "check"`), assert statements
   * (`testStyle: "asserts"`) or a `unittest` module with a `TestCases` class (`testStyle:
   * "unittest"`, BigCodeBench). For the "+" benchmarks these are the original base tests; the
   * evaluator uses {@linkcode BenchmarkTask.plus} instead.
   */
  readonly tests: string;
  readonly testStyle: "check" | "asserts" | "unittest";
  /**
   * Code run before the candidate, in its namespace (MBPP `test_imports`; BigCodeBench's
   * calibration: the task's imports and a stub of the function, which the candidate redefines).
   */
  readonly setup?: string;
  /** Code run after the candidate and before the tests (MBPP `test_setup_code`, which uses it). */
  readonly testSetup?: string;
  /**
   * The program is not run as the candidate: the tests get its text in this variable and run it
   * themselves (LiveCodeBench's stdin programs run once per test, each with its own input).
   */
  readonly programVariable?: string;
  /** The task's difficulty, where the benchmark grades one (LiveCodeBench: easy, medium, hard). */
  readonly difficulty?: string;
  /** Differential-testing inputs of the "+" benchmarks. */
  readonly plus?: PlusInputs;
  readonly source: SourceRef;
}

/**
 * The runnable reference program of a task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalProgram } from "./types.ts";
 * const task = { promptStyle: "complete", prompt: "def f():\n", canonicalSolution: "    return 1\n" } as const;
 * assert.equal(canonicalProgram(task), "def f():\n    return 1\n");
 * ```
 */
export function canonicalProgram(
  task: Pick<BenchmarkTask, "promptStyle" | "prompt" | "canonicalSolution">,
): string {
  switch (task.promptStyle) {
    case "complete":
      return task.prompt + task.canonicalSolution;
    case "instruct":
      return task.canonicalSolution;
    default: {
      const never: never = task.promptStyle;
      throw new Error(`unknown prompt style ${String(never)}`);
    }
  }
}

/** Outcome of one evaluated sample, as stored in the results JSONL. */
export interface SampleResult {
  readonly taskId: string;
  /** 0-based index of the sample among the `n` drawn for the task. */
  readonly sampleIndex: number;
  /** The model's raw completion. */
  readonly completion: string;
  /** The program that was run (prompt + sanitized completion). */
  readonly program: string;
  readonly verdict: Verdict;
  /** Exception class of the first failure, `undefined` on pass. */
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly passedTests: number;
  readonly totalTests: number;
  /** "+" benchmarks: whether the base inputs all passed (EvalPlus's base score). */
  readonly basePassed?: boolean;
  readonly wallMs: number;
}
