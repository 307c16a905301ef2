/**
 * Contract of the sandbox that runs untrusted Python against its tests (DESIGN §5 "Sandbox").
 *
 * @module
 */
import type { Verdict } from "../core/mod.ts";

/** One program to run: candidate code plus test code, executed in one fresh interpreter. */
export interface SandboxJob {
  /** Candidate solution (untrusted). */
  readonly code: string;
  /**
   * Tests. Either top-level statements (`assert f(1) == 2` lines, each one a test), or a
   * HumanEval-style `def check(candidate): ...` body, called with `entryPoint`.
   */
  readonly tests: string;
  /** Function under test, for `check(candidate)`-style tests. */
  readonly entryPoint?: string;
  /** Optional code run before the candidate (MBPP `test_setup_code`, imports). */
  readonly setup?: string;
}

/** Outcome of one test (one assert statement or one `check` call). */
export interface TestOutcome {
  readonly index: number;
  /** Source of the test statement, trimmed. */
  readonly source: string;
  readonly passed: boolean;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** Structured result of a sandbox run. A `pass` is reported only when every test ran. */
export interface SandboxResult {
  readonly verdict: Verdict;
  /**
   * Every planned test, in order. A test that never reported (the run crashed, exited or timed
   * out first) has `passed: false` and `errorType: "NotRun"`.
   */
  readonly tests: readonly TestOutcome[];
  /**
   * Exception class of the first failure (`AssertionError`, `SyntaxError`, `TimeoutError`…), or
   * a sandbox condition: `OutputLimitExceeded`, `HarnessIncomplete` (no authenticated completion:
   * `os._exit`, a crash, a signal), `NoTests` (the tests contain no test statement).
   */
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** Last lines of the traceback of the first failure, for teacher feedback. */
  readonly traceback?: string;
  /** Captured (capped) stdout and stderr. */
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}
