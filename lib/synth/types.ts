/**
 * The teacher contract of the refinement loop (DESIGN §1.1, §5 "Teachers").
 * The loop is teacher-agnostic: `openai` and `miniflow` both implement {@link Teacher}.
 *
 * @module
 */
import type { CodeVersion, TeacherId } from "../core/mod.ts";

/** A task as written by a teacher: instruction, tests, and the first attempt at the code. */
export interface TeacherTask {
  readonly taskId: string;
  /** Instruction or HumanEval-style prompt (signature + docstring). */
  readonly prompt: string;
  readonly entryPoint: string;
  /** Python test code (assert statements). */
  readonly tests: string;
  /** Iteration-0 code. */
  readonly code: string;
}

/** Sandbox feedback handed back to the teacher after a failing run. */
export interface Feedback {
  readonly verdict: "fail" | "timeout" | "error";
  /** Source of the first failing test, when one failed. */
  readonly failingTest?: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** Last lines of the traceback. */
  readonly tracebackTail?: string;
}

/** A teacher's answer. Malformed model output is `ok: false` with a reason, never a throw. */
export type TeacherAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** A source of tasks and of code fixes. */
export interface Teacher {
  readonly id: TeacherId;
  /** Write task number `index` (deterministic for a given teacher seed where possible). */
  proposeTask(index: number): Promise<TeacherAnswer<TeacherTask>>;
  /** Rewrite the latest code given the sandbox feedback on it. */
  refine(
    task: TeacherTask,
    history: readonly CodeVersion[],
    feedback: Feedback,
  ): Promise<TeacherAnswer<string>>;
}

/**
 * Optional capability of a teacher: independent attempts at a task it proposed (the data source
 * of the pass-rate baselines). Sample `k` (>= 1) sees only the task, never another sample or any
 * sandbox feedback, and is the same for the same teacher seed where the teacher allows.
 */
export interface Sampler {
  sample(task: TeacherTask, k: number): Promise<TeacherAnswer<string>>;
}

/**
 * Optional capability of a teacher: the task id that `proposeTask(index)` will return, known
 * without proposing. A resumed run uses it to skip finished tasks without a model call; without
 * it the loop proposes the task first and then skips it when its id is already finished.
 */
export interface TaskIdentity {
  taskIdFor(index: number): string;
}

/** The two versions a pair judge compares. */
export interface JudgeInput {
  /** Task the pair comes from (shown to the judge as context; lets logs be keyed by task). */
  readonly taskId?: string;
  readonly prompt: string;
  readonly rejected: string;
  readonly chosen: string;
}

/**
 * The LLM pair judge (DESIGN §1.3): `true` when the difference between `rejected` and `chosen` is
 * a logical one, not formatting, comments or names.
 */
export interface PairJudge {
  readonly id: TeacherId;
  judgePair(input: JudgeInput): Promise<TeacherAnswer<boolean>>;
}

/** Test-quality scores on 1–5: accuracy, effectiveness, reasonableness. */
export interface TestQuality {
  readonly accuracy: number;
  readonly effectiveness: number;
  readonly reasonableness: number;
}

/** The optional LLM judge of a task's tests. */
export interface TestJudge {
  judgeTests(task: TeacherTask): Promise<TeacherAnswer<TestQuality>>;
}

/**
 * Optional capability of a teacher: prepare many task indexes in one batch (MiniFlow generates
 * and verifies tasks in few sandbox runs). A synthesis run calls it once per chunk of indexes,
 * ahead of `proposeTask`.
 */
export interface BatchPreparer {
  prepare(indices: readonly number[]): Promise<unknown>;
}
