/**
 * Fail-closed verdict from the harness records and how the process ended.
 *
 * @module
 */
import type { Verdict } from "../core/mod.ts";
import type { TestOutcome } from "./types.ts";
import { type _HarnessRecord, _parseRecord } from "./_records.ts";

/** How the sandboxed process ended, as observed by the parent. */
export interface _ProcessEnd {
  /** Exit code (bwrap and unshare report `128 + n` for a child killed by signal `n`). */
  readonly code: number;
  /** Signal that killed the direct child, when any. */
  readonly signal: string | null;
  /** The parent hit the wall-clock limit and killed the sandbox. */
  readonly timedOut: boolean;
  /** Program output exceeded the cap (the parent killed the sandbox). */
  readonly truncated: boolean;
  readonly timeoutMs: number;
  readonly cpuSeconds: number;
  readonly maxOutputBytes: number;
}

/**
 * Verdict, per-test outcomes and first failure, before stdout/stderr/wallMs are attached.
 * `tests` lists every planned test; those that never reported have `errorType: "NotRun"`.
 */
export interface _Decision {
  readonly verdict: Verdict;
  readonly tests: readonly TestOutcome[];
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly traceback?: string;
}

const _SIGXCPU = 24;

/** `errorType` of a planned test that never reported. */
export const _NOT_RUN = "NotRun";

/**
 * Decides the verdict. A run passes only when the plan arrived first, exactly one passing
 * record per planned test arrived, the completion record arrived last, the process exited 0
 * by itself, and neither the wall-clock limit nor the output cap was hit. Precedence: timeout,
 * output cap, setup/candidate error, failed test, incomplete run.
 */
export function _decide(recordBodies: readonly string[], end: _ProcessEnd): _Decision {
  let protocolError: string | undefined;
  const records: _HarnessRecord[] = [];
  for (const body of recordBodies) {
    try {
      records.push(_parseRecord(body));
    } catch (e) {
      protocolError ??= (e as Error).message;
    }
  }
  const plan = records[0]?.kind === "P" ? records[0] : undefined;
  if (!plan && records.length > 0) protocolError ??= "first harness record is not the plan";
  const sources = plan?.sources ?? [];
  const byIndex = new Map<number, TestOutcome>();
  let stageError: Extract<_HarnessRecord, { kind: "E" }> | undefined;
  let done = false;
  for (const [i, r] of records.entries()) {
    if (r.kind === "P" && i > 0) protocolError ??= "plan record repeated";
    if (r.kind === "E") stageError ??= r;
    if (r.kind === "D") done = i === records.length - 1;
    if (r.kind !== "T") continue;
    if (r.index >= sources.length || byIndex.has(r.index)) {
      protocolError ??= `unexpected record for test ${r.index} of ${sources.length}`;
      continue;
    }
    byIndex.set(r.index, {
      index: r.index,
      source: sources[r.index],
      passed: r.passed,
      ...(r.passed ? {} : { errorType: r.errorType, errorMessage: r.errorMessage }),
    });
  }
  // Every planned test appears; one that never reported (crash, timeout, exit) did not pass.
  const tests: TestOutcome[] = sources.map((source, index) =>
    byIndex.get(index) ?? { index, source, passed: false, errorType: _NOT_RUN }
  );
  const firstFail = records.find((r) => r.kind === "T" && !r.passed) as
    | Extract<_HarnessRecord, { kind: "T" }>
    | undefined;
  const signalNumber = end.code > 128 ? end.code - 128 : undefined;

  if (end.timedOut) {
    return {
      verdict: "timeout",
      tests,
      errorType: "TimeoutError",
      errorMessage: `wall-clock limit of ${end.timeoutMs} ms exceeded`,
    };
  }
  if (end.signal === "SIGXCPU" || signalNumber === _SIGXCPU) {
    return {
      verdict: "timeout",
      tests,
      errorType: "TimeoutError",
      errorMessage: `CPU limit of ${end.cpuSeconds} s exceeded`,
    };
  }
  if (end.truncated) {
    return {
      verdict: "error",
      tests,
      errorType: "OutputLimitExceeded",
      errorMessage: `output exceeded ${end.maxOutputBytes} bytes; the run was killed`,
    };
  }
  if (stageError) {
    return {
      verdict: "error",
      tests,
      errorType: stageError.errorType,
      errorMessage: stageError.errorMessage,
      traceback: stageError.traceback,
    };
  }
  if (firstFail) {
    return {
      verdict: "fail",
      tests,
      errorType: firstFail.errorType,
      errorMessage: firstFail.errorMessage,
      traceback: firstFail.traceback,
    };
  }
  const problems: string[] = [];
  if (protocolError) problems.push(protocolError);
  if (!plan) problems.push("no test plan was reported");
  else if (plan.count === 0) problems.push("the tests contain no test statement");
  if (byIndex.size !== sources.length) {
    problems.push(`${byIndex.size} of ${sources.length} tests reported`);
  }
  if (!done) problems.push("no completion record");
  if (end.signal) problems.push(`killed by ${end.signal}`);
  else if (end.code !== 0) {
    problems.push(
      signalNumber !== undefined ? `killed by signal ${signalNumber}` : `exit code ${end.code}`,
    );
  }
  if (problems.length > 0) {
    return {
      verdict: "error",
      tests,
      errorType: plan?.count === 0 ? "NoTests" : "HarnessIncomplete",
      errorMessage: problems.join("; "),
    };
  }
  return { verdict: "pass", tests };
}
