/**
 * Greedy pass@1 of a {@linkcode CodeModel} on MiniFlow tasks, checked in the sandbox
 * (generate → build program → run the assert tests; fail closed).
 *
 * @module
 */
import type { Verdict } from "../core/mod.ts";
import type { CodeModel } from "../eval/code_model.ts";
import { buildProgram } from "../eval/sanitize.ts";
import type { BenchmarkTask, SandboxRunner } from "../miniflow/types.ts";

/** One checked completion. */
export interface MiniflowSample {
  readonly taskId: string;
  readonly completion: string;
  readonly verdict: Verdict;
  /** Exception class of the first failure; absent on pass. */
  readonly errorType?: string;
  readonly passedTests: number;
  readonly totalTests: number;
}

/** Scores of one evaluated task set. */
export interface MiniflowEvalSummary {
  /** Tasks evaluated (one greedy sample each). */
  readonly tasks: number;
  readonly passed: number;
  /** `passed / tasks` (greedy pass@1); 0 for an empty set. */
  readonly passAt1: number;
  /** Failures by exception class, most frequent first. */
  readonly errors: readonly (readonly [string, number])[];
}

/** Options of {@link evaluateMiniflow}. */
export interface EvaluateMiniflowOptions {
  readonly model: CodeModel;
  readonly tasks: readonly BenchmarkTask[];
  readonly sandbox: SandboxRunner;
  /** Generated tokens per completion at most. @default 160 */
  readonly maxTokens?: number;
  /** Prompts per `generate` call. @default 50 */
  readonly batchSize?: number;
  /** Called after each checked batch with the tasks done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Scores of checked samples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeMiniflow } from "./evaluate_miniflow.ts";
 * const s = (verdict: "pass" | "fail", errorType?: string) => ({
 *   taskId: "t", completion: "", verdict, passedTests: 0, totalTests: 5, ...(errorType ? { errorType } : {}),
 * });
 * const summary = summarizeMiniflow([s("pass"), s("fail", "AssertionError"), s("fail", "AssertionError"), s("fail", "NameError")]);
 * assert.equal(summary.passAt1, 0.25);
 * assert.deepEqual(summary.errors, [["AssertionError", 2], ["NameError", 1]]);
 * ```
 */
export function summarizeMiniflow(samples: readonly MiniflowSample[]): MiniflowEvalSummary {
  const passed = samples.filter((s) => s.verdict === "pass").length;
  const counts = new Map<string, number>();
  for (const s of samples) {
    if (s.verdict === "pass") continue;
    const key = s.errorType ?? s.verdict;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const errors = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    tasks: samples.length,
    passed,
    passAt1: samples.length === 0 ? 0 : passed / samples.length,
    errors,
  };
}

/**
 * One greedy completion per task, checked against the task's asserts in the sandbox. The program
 * is the prompt followed by the completion (lib/eval's `buildProgram`, "complete" style).
 */
export async function evaluateMiniflow(
  options: EvaluateMiniflowOptions,
): Promise<{ summary: MiniflowEvalSummary; samples: MiniflowSample[] }> {
  const { model, tasks, sandbox } = options;
  const maxTokens = options.maxTokens ?? 160;
  const batchSize = options.batchSize ?? 50;
  const samples: MiniflowSample[] = [];
  options.onProgress?.(0, tasks.length);
  for (let b = 0; b < tasks.length; b += batchSize) {
    const batch = tasks.slice(b, b + batchSize);
    const completions = await model.generate(
      batch.map((t) => ({ taskId: t.taskId, prompt: t.prompt, promptStyle: "complete" })),
      { n: 1, temperature: 0, topP: 1, maxTokens },
    );
    const results = await sandbox.runMany(batch.map((task, i) => ({
      code: buildProgram({ ...task, promptStyle: "complete" }, completions[i][0]),
      tests: task.tests,
    })));
    batch.forEach((task, i) => {
      const r = results[i];
      samples.push({
        taskId: task.taskId,
        completion: completions[i][0],
        verdict: r.verdict,
        ...(r.verdict === "pass" || r.errorType === undefined ? {} : { errorType: r.errorType }),
        passedTests: r.tests.filter((t) => t.passed).length,
        totalTests: r.tests.length,
      });
    });
    options.onProgress?.(samples.length, tasks.length);
  }
  return { summary: summarizeMiniflow(samples), samples };
}
