/**
 * Independent sampling, the data source of the pass-rate baselines (PLUM, CodeDPO,
 * Code-Optimise): `samples` attempts at a task, each written without seeing the others or any
 * sandbox feedback, all run against the task's tests. The record is a `sampling` trajectory:
 * `versions[k]` is sample `k`.
 *
 * @module
 */
import type { CodeVersion, Trajectory } from "../core/mod.ts";
import { DEFAULT_FEEDBACK_LIMITS, type FeedbackLimits, versionFromResult } from "./feedback.ts";
import { type CodeRunner, MALFORMED_ANSWER } from "./refine_task.ts";
import type { Sampler, Teacher, TeacherTask } from "./types.ts";

/** Options of {@linkcode sampleTask}. */
export interface SampleTaskOptions {
  readonly teacher: Teacher & Sampler;
  readonly runner: CodeRunner;
  readonly task: TeacherTask;
  /** Attempts per task, the first being the proposal's own code (`task.code`). */
  readonly samples: number;
  /** @default DEFAULT_FEEDBACK_LIMITS */
  readonly feedbackLimits?: FeedbackLimits;
}

/**
 * Sample a task `samples` times and run every sample. Sample 0 is `task.code`, the attempt the
 * teacher wrote with the task (a debugging trajectory starts from the same code); samples
 * `1 … samples-1` come from `teacher.sample`. A malformed answer is a version with verdict
 * `"error"` and errorType `"MalformedAnswer"` (no code), as in the refinement loop.
 */
export async function sampleTask(options: SampleTaskOptions): Promise<Trajectory> {
  const { teacher, runner, task, samples } = options;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`sampleTask: samples must be an integer >= 1, found ${samples}`);
  }
  const limits = options.feedbackLimits ?? DEFAULT_FEEDBACK_LIMITS;
  const one = async (k: number): Promise<CodeVersion> => {
    const answer = k === 0
      ? { ok: true as const, value: task.code }
      : await teacher.sample(task, k);
    if (!answer.ok) {
      return {
        iteration: k,
        code: "",
        verdict: "error",
        errorType: MALFORMED_ANSWER,
        errorMessage: answer.reason,
        passedTests: 0,
        totalTests: 0,
      };
    }
    const result = await runner.run({
      code: answer.value,
      tests: task.tests,
      entryPoint: task.entryPoint,
    });
    return versionFromResult(k, answer.value, result, limits);
  };
  // One after another: the tasks in flight keep the teacher busy, and a task's samples keep
  // their order whatever the endpoint's latency.
  const versions: CodeVersion[] = [];
  for (let k = 0; k < samples; k++) versions.push(await one(k));
  return {
    schema: "codeflow.trajectory/v1",
    taskId: task.taskId,
    teacher: teacher.id,
    source: "sampling",
    prompt: task.prompt,
    entryPoint: task.entryPoint,
    tests: task.tests,
    versions,
  };
}
