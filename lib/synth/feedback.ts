/**
 * Sandbox result → teacher feedback and trajectory version.
 *
 * @module
 */
import type { CodeVersion } from "../core/mod.ts";
import type { SandboxResult } from "../sandbox/types.ts";
import type { Feedback } from "./types.ts";

/** Limits of {@linkcode feedbackFromResult} and {@linkcode versionFromResult}. */
export interface FeedbackLimits {
  /** Traceback lines kept in `tracebackTail`. @default 8 */
  readonly tracebackLines: number;
  /** Characters kept of an error message. @default 500 */
  readonly maxMessageChars: number;
}

/** Defaults of {@linkcode FeedbackLimits}. */
export const DEFAULT_FEEDBACK_LIMITS: FeedbackLimits = Object.freeze({
  tracebackLines: 8,
  maxMessageChars: 500,
});

function _cap(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= max ? text : text.slice(0, max) + "…";
}

/**
 * Feedback on a failing run: the first failing test, the error type and message, and the last
 * lines of the traceback. Throws on a passing result, which has no feedback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { feedbackFromResult } from "./feedback.ts";
 * const fb = feedbackFromResult({
 *   verdict: "fail", stdout: "", stderr: "", wallMs: 3,
 *   tests: [
 *     { index: 0, source: "assert f(1) == 2", passed: true, judged: "outside" },
 *     { index: 1, source: "assert f(2) == 3", passed: false, errorType: "AssertionError", judged: "outside" },
 *   ],
 *   errorType: "AssertionError", traceback: "a\nb\nc",
 * }, { tracebackLines: 2, maxMessageChars: 500 });
 * assert.deepEqual(fb, {
 *   verdict: "fail", failingTest: "assert f(2) == 3", errorType: "AssertionError",
 *   tracebackTail: "b\nc",
 * });
 * ```
 */
export function feedbackFromResult(
  result: SandboxResult,
  limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS,
): Feedback {
  if (result.verdict === "pass") {
    throw new Error("feedbackFromResult: a passing result has no feedback (verdict 'pass')");
  }
  const failing = result.tests.find((t) => !t.passed);
  const errorType = result.errorType ?? failing?.errorType;
  const errorMessage = _cap(result.errorMessage ?? failing?.errorMessage, limits.maxMessageChars);
  const tail = result.traceback === undefined || result.traceback.trim() === ""
    ? undefined
    : result.traceback.replace(/\s+$/, "").split("\n").slice(-limits.tracebackLines).join("\n");
  return {
    verdict: result.verdict,
    ...(failing ? { failingTest: failing.source } : {}),
    ...(errorType ? { errorType } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(tail ? { tracebackTail: tail } : {}),
  };
}

/**
 * The trajectory version of one sandbox run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionFromResult } from "./feedback.ts";
 * const v = versionFromResult(2, "x = 1\n", {
 *   verdict: "pass", stdout: "", stderr: "", wallMs: 3,
 *   tests: [{ index: 0, source: "assert x == 1", passed: true, judged: "outside" }],
 * });
 * assert.deepEqual(v, { iteration: 2, code: "x = 1\n", verdict: "pass", passedTests: 1, totalTests: 1 });
 * ```
 */
export function versionFromResult(
  iteration: number,
  code: string,
  result: SandboxResult,
  limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS,
): CodeVersion {
  const failing = result.tests.find((t) => !t.passed);
  const errorType = result.verdict === "pass" ? undefined : result.errorType ?? failing?.errorType;
  const errorMessage = result.verdict === "pass"
    ? undefined
    : _cap(result.errorMessage ?? failing?.errorMessage, limits.maxMessageChars);
  return {
    iteration,
    code,
    verdict: result.verdict,
    ...(errorType ? { errorType } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    passedTests: result.tests.filter((t) => t.passed).length,
    totalTests: result.tests.length,
  };
}
