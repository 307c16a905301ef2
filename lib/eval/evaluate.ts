/**
 * Endpoint/model evaluation: generate → sanitize → run in the sandbox → pass@k and error counts.
 * Each sample is appended to the results file as soon as it is checked, so a killed run resumes.
 *
 * @module
 */
import type { BenchmarkRunner } from "./benchmark_runner.ts";
import type { CodeModel, GenerationOptions, TokenUsage } from "./code_model.ts";
import { type ErrorHistogram, errorHistogram } from "./error_histogram.ts";
import { passAtK } from "./pass_at_k.ts";
import type { ResultsFile } from "./results_file.ts";
import { buildProgram } from "./sanitize.ts";
import { givenProgram, type GivenSample } from "./samples_file.ts";
import type { BenchmarkTask, SampleResult } from "./types.ts";

/** Options of {@linkcode evaluateModel}. */
export interface EvaluateModelOptions {
  readonly tasks: readonly BenchmarkTask[];
  readonly model: CodeModel;
  readonly runner: BenchmarkRunner;
  /** Sampling settings; `n` samples are drawn per task. */
  readonly generation: GenerationOptions;
  /** k values reported, each <= n. @default [1] */
  readonly ks?: readonly number[];
  /** Where samples are recorded and resumed from. @default undefined (kept in memory only) */
  readonly results?: ResultsFile;
  /** Prompts per `generate` call. @default 16 */
  readonly batchSize?: number;
  /** Called after each checked sample with the samples done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called as the reference outputs of "+" tasks are computed (first run only; then cached). */
  readonly onPrepareProgress?: (done: number, total: number) => void;
}

/** Scores of an evaluation. */
export interface EvaluationSummary {
  /** Tasks scored (tasks with fewer than max(ks) samples are left out, see `incompleteTasks`). */
  readonly tasks: number;
  readonly incompleteTasks: number;
  readonly samples: number;
  /** `pass@k` for each requested k, e.g. `{ "pass@1": 0.5 }`. */
  readonly passAtK: Readonly<Record<string, number>>;
  /** "+" benchmarks: the same on the base inputs only (EvalPlus's "base tests" column). */
  readonly basePassAtK?: Readonly<Record<string, number>>;
  readonly errors: ErrorHistogram;
  readonly usage?: TokenUsage;
}

/**
 * Scores of recorded samples: mean unbiased pass@k over tasks (Chen et al. 2021, Eq. 1) and the
 * error histogram of the failures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeSamples } from "./evaluate.ts";
 * const s = (taskId: string, sampleIndex: number, verdict: "pass" | "fail") => ({
 *   taskId, sampleIndex, verdict, completion: "", program: "", passedTests: 0, totalTests: 1, wallMs: 1,
 *   ...(verdict === "fail" ? { errorType: "NameError" } : {}),
 * });
 * const summary = summarizeSamples([s("a", 0, "pass"), s("a", 1, "fail"), s("b", 0, "fail"), s("b", 1, "fail")], [1, 2]);
 * assert.deepEqual(summary.passAtK, { "pass@1": 0.25, "pass@2": 0.5 });
 * assert.deepEqual(summary.errors, [["NameError", 3]]);
 * ```
 */
export function summarizeSamples(
  samples: readonly SampleResult[],
  ks: readonly number[] = [1],
): EvaluationSummary {
  const byTask = new Map<string, SampleResult[]>();
  for (const s of samples) byTask.set(s.taskId, [...(byTask.get(s.taskId) ?? []), s]);
  const maxK = Math.max(...ks);
  const complete = [...byTask.values()].filter((list) => list.length >= maxK);
  const plus = samples.some((s) => s.basePassed !== undefined);
  const score = (passed: (s: SampleResult) => boolean) =>
    Object.fromEntries(ks.map((k) => {
      const sum = complete.reduce(
        (acc, list) => acc + passAtK(list.length, list.filter(passed).length, k),
        0,
      );
      return [`pass@${k}`, complete.length === 0 ? 0 : sum / complete.length];
    }));
  return {
    tasks: complete.length,
    incompleteTasks: byTask.size - complete.length,
    samples: samples.length,
    passAtK: score((s) => s.verdict === "pass"),
    ...(plus ? { basePassAtK: score((s) => s.basePassed === true) } : {}),
    errors: errorHistogram(samples),
  };
}

/**
 * The summary of each difficulty level of the tasks that have one (LiveCodeBench's Table 10 of
 * the paper: pass@1 on easy, medium and hard problems).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeByDifficulty } from "./evaluate.ts";
 * const s = (taskId: string, verdict: "pass" | "fail") => ({
 *   taskId, sampleIndex: 0, verdict, completion: "", program: "", passedTests: 0, totalTests: 1, wallMs: 1,
 * });
 * const tasks = [{ taskId: "a", difficulty: "easy" }, { taskId: "b", difficulty: "hard" }, { taskId: "c", difficulty: "easy" }];
 * const by = summarizeByDifficulty([s("a", "pass"), s("b", "fail"), s("c", "fail")], tasks);
 * assert.deepEqual(Object.keys(by), ["easy", "hard"]);
 * assert.equal(by.easy.passAtK["pass@1"], 0.5);
 * ```
 */
export function summarizeByDifficulty(
  samples: readonly SampleResult[],
  tasks: readonly Pick<BenchmarkTask, "taskId" | "difficulty">[],
  ks: readonly number[] = [1],
): Record<string, EvaluationSummary> {
  const level = new Map(tasks.map((t) => [t.taskId, t.difficulty]));
  const groups = new Map<string, SampleResult[]>();
  for (const s of samples) {
    const d = level.get(s.taskId);
    if (d !== undefined) groups.set(d, [...(groups.get(d) ?? []), s]);
  }
  return Object.fromEntries([...groups].map(([d, list]) => [d, summarizeSamples(list, ks)]));
}

/** Options of {@linkcode evaluateSamples}. */
export interface EvaluateSamplesOptions {
  readonly tasks: readonly BenchmarkTask[];
  /** The given samples ({@linkcode readSamplesFile}); every one must belong to `tasks`. */
  readonly samples: readonly GivenSample[];
  readonly runner: BenchmarkRunner;
  /** k values reported, each <= the fewest samples of a task. @default [1] */
  readonly ks?: readonly number[];
  /** Where results are recorded and resumed from. @default undefined (memory only) */
  readonly results?: ResultsFile;
  readonly onProgress?: (done: number, total: number) => void;
  readonly onPrepareProgress?: (done: number, total: number) => void;
}

/**
 * Score completions someone else produced (EvalPlus's `samples.jsonl`): each program is checked in
 * the sandbox and recorded as it finishes, so a killed run resumes; the summary is the one of
 * {@linkcode evaluateModel}.
 *
 * @throws RangeError when a task has no sample, or fewer than the largest k.
 */
export async function evaluateSamples(
  options: EvaluateSamplesOptions,
): Promise<{ summary: EvaluationSummary; samples: SampleResult[] }> {
  const { tasks, runner, results } = options;
  const ks = options.ks ?? [1];
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const perTask = new Map<string, number>();
  for (const s of options.samples) perTask.set(s.taskId, (perTask.get(s.taskId) ?? 0) + 1);
  const missing = tasks.filter((t) => (perTask.get(t.taskId) ?? 0) < Math.max(...ks));
  if (missing.length > 0) {
    throw new RangeError(
      `${missing.length} task(s) have fewer than ${Math.max(...ks)} sample(s) (k=${ks}): ` +
        missing.slice(0, 5).map((t) => t.taskId).join(", ") +
        (missing.length > 5 ? ", …" : "") + "; score a subset with a task list",
    );
  }
  const todo = options.samples.filter((s) => !results?.has(s.taskId, s.sampleIndex));
  const total = options.samples.length;
  let done = total - todo.length;
  options.onProgress?.(done, total);
  await runner.prepare(
    [...new Set(todo.map((s) => s.taskId))].map((id) => byId.get(id)!),
    options.onPrepareProgress === undefined ? {} : { onProgress: options.onPrepareProgress },
  );
  const fresh = await Promise.all(todo.map(async (given) => {
    const task = byId.get(given.taskId)!;
    const program = givenProgram(task, given);
    const sample: SampleResult = {
      taskId: given.taskId,
      sampleIndex: given.sampleIndex,
      completion: given.text,
      program,
      ...(await runner.check(task, program)),
    };
    results?.append(sample);
    options.onProgress?.(++done, total);
    return sample;
  }));
  const samples = results === undefined ? fresh : results.all().filter((s) => byId.has(s.taskId));
  return { summary: summarizeSamples(samples, ks), samples };
}

/**
 * Evaluate `model` on `tasks`: draw the missing samples (resuming from `results`), check them in
 * the sandbox, record them, and summarise. Generation of the next batch overlaps the checks of the
 * previous one.
 */
export async function evaluateModel(
  options: EvaluateModelOptions,
): Promise<{ summary: EvaluationSummary; samples: SampleResult[] }> {
  const { tasks, model, runner, generation, results } = options;
  const ks = options.ks ?? [1];
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > generation.n) {
      throw new RangeError(`k must be an integer in [1, n=${generation.n}], found ${k}`);
    }
  }
  const batchSize = options.batchSize ?? 16;
  const todo = tasks
    .map((task) => ({
      task,
      indexes: Array.from({ length: generation.n }, (_, i) => i).filter((i) =>
        !results?.has(task.taskId, i)
      ),
    }))
    .filter((t) => t.indexes.length > 0);
  const total = tasks.length * generation.n;
  let done = total - todo.reduce((a, t) => a + t.indexes.length, 0);
  options.onProgress?.(done, total);
  await runner.prepare(
    todo.map((t) => t.task),
    options.onPrepareProgress === undefined ? {} : { onProgress: options.onPrepareProgress },
  );

  const fresh: SampleResult[] = [];
  let inFlight: Promise<void>[] = [];
  for (let b = 0; b < todo.length; b += batchSize) {
    const batch = todo.slice(b, b + batchSize);
    // Draw as many samples as the task with the most missing ones needs, then keep what is missing.
    const n = Math.max(...batch.map((t) => t.indexes.length));
    const completions = await model.generate(
      batch.map(({ task }) => ({
        taskId: task.taskId,
        prompt: task.prompt,
        promptStyle: task.promptStyle,
        ...(task.chatPrompt === undefined ? {} : { chatPrompt: task.chatPrompt }),
      })),
      { ...generation, n },
    );
    const checks = batch.flatMap(({ task, indexes }, i) =>
      indexes.map(async (sampleIndex, j) => {
        const completion = completions[i][j] ?? "";
        const program = buildProgram(task, completion);
        const r = await runner.check(task, program);
        const sample: SampleResult = {
          taskId: task.taskId,
          sampleIndex,
          completion,
          program,
          ...r,
        };
        results?.append(sample);
        fresh.push(sample);
        options.onProgress?.(++done, total);
      })
    );
    const settled = Promise.all(checks).then(() => {});
    settled.catch(() => {}); // observed below; avoids an early unhandled-rejection exit
    inFlight.push(settled);
    if (inFlight.length >= 2) {
      await inFlight[0];
      inFlight = inFlight.slice(1);
    }
  }
  await Promise.all(inFlight);

  const ids = new Set(tasks.map((t) => t.taskId));
  const samples = results === undefined
    ? fresh
    : results.all().filter((s) => ids.has(s.taskId) && s.sampleIndex < generation.n);
  const summary = summarizeSamples(samples, ks);
  const usage = model.usage?.();
  return { summary: usage === undefined ? summary : { ...summary, usage }, samples };
}
