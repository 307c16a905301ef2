/**
 * The teacher-agnostic refinement loop (DESIGN §1.1): run → feedback → refine, at most
 * `maxRefinements` times.
 *
 * @module
 */
import type { CodeVersion, Trajectory } from "../core/mod.ts";
import type { SandboxJob, SandboxResult } from "../sandbox/types.ts";
import { DEFAULT_FEEDBACK_LIMITS, feedbackFromResult, versionFromResult } from "./feedback.ts";
import type { FeedbackLimits } from "./feedback.ts";
import type { Feedback, Teacher, TeacherTask } from "./types.ts";

/** What the loop needs of a sandbox: `Sandbox` from lib/sandbox satisfies it. */
export interface CodeRunner {
  run(job: SandboxJob): Promise<SandboxResult>;
}

/** The `errorType` of a version whose teacher answer could not be parsed. */
export const MALFORMED_ANSWER = "MalformedAnswer";

/** Options of {@linkcode refineTask}. */
export interface RefineTaskOptions {
  readonly teacher: Teacher;
  readonly runner: CodeRunner;
  readonly task: TeacherTask;
  /** Refinement iterations after iteration 0 (DESIGN §1.1: at most 5). @default 5 */
  readonly maxRefinements?: number;
  /** Feedback limits. @default DEFAULT_FEEDBACK_LIMITS */
  readonly feedbackLimits?: FeedbackLimits;
}

/**
 * Run a proposed task through the refinement loop and return its whole trajectory. Iteration 0
 * runs `task.code`; while the latest version fails and fewer than `maxRefinements` refinements
 * were made, the teacher gets the feedback of the latest sandbox run and rewrites the latest
 * code. A malformed teacher answer becomes a version with verdict `"error"` and errorType
 * `"MalformedAnswer"` (empty code, the reason as message) and spends its iteration; the next
 * refinement gets the same sandbox feedback again. The trajectory passes iff its last version
 * passes.
 */
export async function refineTask(options: RefineTaskOptions): Promise<Trajectory> {
  const { teacher, runner, task } = options;
  const maxRefinements = options.maxRefinements ?? 5;
  const limits = options.feedbackLimits ?? DEFAULT_FEEDBACK_LIMITS;
  const run = (code: string) =>
    runner.run({ code, tests: task.tests, entryPoint: task.entryPoint });

  const versions: CodeVersion[] = [];
  let result = await run(task.code);
  versions.push(versionFromResult(0, task.code, result, limits));
  let feedback: Feedback | undefined = result.verdict === "pass"
    ? undefined
    : feedbackFromResult(result, limits);
  for (let it = 1; it <= maxRefinements && feedback !== undefined; it++) {
    const answer = await teacher.refine(task, versions, feedback);
    if (!answer.ok) {
      versions.push({
        iteration: it,
        code: "",
        verdict: "error",
        errorType: MALFORMED_ANSWER,
        errorMessage: answer.reason,
        passedTests: 0,
        totalTests: versions[versions.length - 1].totalTests,
      });
      continue;
    }
    result = await run(answer.value);
    versions.push(versionFromResult(it, answer.value, result, limits));
    feedback = result.verdict === "pass" ? undefined : feedbackFromResult(result, limits);
  }
  return {
    schema: "codeflow.trajectory/v1",
    taskId: task.taskId,
    teacher: teacher.id,
    prompt: task.prompt,
    entryPoint: task.entryPoint,
    tests: task.tests,
    versions,
  };
}

/**
 * `true` when the trajectory's last version passes (a debugging trajectory stops there), or, for
 * a `sampling` trajectory, when any sample passes.
 */
export function trajectoryPassed(trajectory: Trajectory): boolean {
  if (trajectory.source === "sampling") {
    return trajectory.versions.some((v) => v.verdict === "pass");
  }
  const last = trajectory.versions[trajectory.versions.length - 1];
  return last !== undefined && last.verdict === "pass";
}

/**
 * Iteration of the trajectory's first passing version (for a debugging trajectory, its last), or
 * `-1` when it never passes.
 */
export function firstPassIteration(trajectory: Trajectory): number {
  return trajectory.versions.find((v) => v.verdict === "pass")?.iteration ?? -1;
}
