/**
 * The MiniFlow evaluation benchmark (the held-out test split) and JSONL output of tasks.
 *
 * @module
 */
import { FieldError, readJsonl, type RecordValidator } from "../core/mod.ts";
import type { SplitFractions } from "./compositions.ts";
import { generateTasks } from "./generate_tasks.ts";
import type { BenchmarkTask, MiniflowSplit, MiniflowTask, SandboxRunner } from "./types.ts";

/** Options of {@link buildBenchmark}. */
export interface BenchmarkOptions {
  /** Benchmark seed. */
  readonly seed: number;
  /** Number of tasks (indexes `0..count-1`). */
  readonly count: number;
  readonly sandbox: SandboxRunner;
  /** Split to evaluate on. @default "test" */
  readonly split?: MiniflowSplit;
  /** Held-out fractions of compositions. @default DEFAULT_SPLIT_FRACTIONS */
  readonly fractions?: SplitFractions;
  /** Tasks packed into one sandbox run. @default 50 */
  readonly tasksPerRun?: number;
}

/** The evaluator's view of a task. */
export function toBenchmarkTask(task: MiniflowTask): BenchmarkTask {
  return {
    taskId: task.taskId,
    prompt: task.prompt,
    entryPoint: task.entryPoint,
    tests: task.tests,
  };
}

/** Generate the first `count` tasks of the test split in the evaluator's shape. */
export async function buildBenchmark(options: BenchmarkOptions): Promise<BenchmarkTask[]> {
  const tasks = await generateTasks({
    seed: options.seed,
    split: options.split ?? "test",
    indices: Array.from({ length: options.count }, (_, i) => i),
    sandbox: options.sandbox,
    fractions: options.fractions,
    tasksPerRun: options.tasksPerRun,
  });
  return tasks.map(toBenchmarkTask);
}

/**
 * Check one benchmark record (a {@link RecordValidator} for `readJsonl`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateBenchmarkTask } from "./benchmark.ts";
 * const task = { taskId: "miniflow/test/0", prompt: "def f(x):\n", entryPoint: "f", tests: "" };
 * assert.deepEqual(validateBenchmarkTask({ ...task, extra: 1 }), task);
 * assert.throws(() => validateBenchmarkTask({ ...task, tests: 3 }), /field "tests": expected string, found 3/);
 * ```
 */
export const validateBenchmarkTask: RecordValidator<BenchmarkTask> = (value) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FieldError("(record)", "object", value);
  }
  const record = value as Record<string, unknown>;
  for (const field of ["taskId", "prompt", "entryPoint", "tests"] as const) {
    if (typeof record[field] !== "string") throw new FieldError(field, "string", record[field]);
  }
  const { taskId, prompt, entryPoint, tests } = record as unknown as BenchmarkTask;
  return { taskId, prompt, entryPoint, tests };
};

/** Read a MiniFlow benchmark JSONL file; errors name the file, the line and the field. */
export async function readBenchmarkJsonl(path: string): Promise<BenchmarkTask[]> {
  const out: BenchmarkTask[] = [];
  for await (const entry of readJsonl(path, validateBenchmarkTask)) out.push(entry.record);
  return out;
}
