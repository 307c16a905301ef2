/**
 * The teacher contract of the refinement loop (DESIGN §1.1, §5 "Teachers").
 * The loop is teacher-agnostic: `openai` and `miniflow` both implement {@link Teacher}.
 *
 * @module
 */
import type { CodeVersion, TeacherId } from "../codeflow/types.ts";

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
