/**
 * Fail-closed verdict from the harness records and how the process ended.
 *
 * @module
 */
import type { Verdict } from "../core/mod.ts";
import type { Probe, TestOutcome } from "./types.ts";
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
  /** Which cap was hit, when `truncated`. */
  readonly overflow?: string;
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

/** The probes of a run: their sources, and the judge's result per probe value received. */
export interface _ProbeJudgements {
  readonly probes: readonly Probe[];
  /**
   * Per probe: `null` (its value satisfies its check), a message (it does not), or `undefined`
   * (never judged). Without checks every received value counts as `null`.
   */
  readonly results: readonly (string | null | undefined)[];
  /**
   * The run was stopped at its first failing probe: probes after it count as not run, whatever
   * arrived before the kill, so outcomes do not depend on timing.
   */
  readonly fastCheck: boolean;
}

const _NO_PROBES: _ProbeJudgements = { probes: [], results: [], fastCheck: false };

type _Records = {
  readonly records: _HarnessRecord[];
  readonly protocolError?: string;
};

function _parseAll(bodies: readonly string[]): _Records {
  let protocolError: string | undefined;
  const records: _HarnessRecord[] = [];
  for (const body of bodies) {
    try {
      records.push(_parseRecord(body));
    } catch (e) {
      protocolError ??= (e as Error).message;
    }
  }
  return { records, ...(protocolError ? { protocolError } : {}) };
}

/** The traceback of a probe, told as the test it stands for. */
function _probeTraceback(probe: Probe, index: number, text: string): string {
  const head = probe.where === undefined
    ? `  File "<probe ${index}>"`
    : `  File "<tests>", ${probe.where}`;
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`  File "<probe ${index}>"`));
  if (at >= 0) lines.splice(at, 2, head, `    ${probe.source ?? probe.expr}`);
  return lines.join("\n");
}

type _Failure = TestOutcome & { traceback?: string };

/** The outcome of one reported probe. */
function _probeOutcome(
  r: Extract<_HarnessRecord, { kind: "V" | "X" }>,
  probe: Probe,
  index: number,
  result: string | null | undefined,
): _Failure {
  const base = { index, source: probe.source ?? probe.expr, judged: "outside" as const };
  if (r.kind === "X") {
    return {
      ...base,
      passed: false,
      errorType: r.errorType,
      errorMessage: r.errorMessage,
      seconds: r.seconds,
      traceback: _probeTraceback(probe, r.index, r.traceback),
    };
  }
  const outcome = { ...base, value: r.value, seconds: r.seconds };
  if (result === null) return { ...outcome, passed: true };
  if (result === undefined) {
    return {
      ...outcome,
      passed: false,
      errorType: "NotJudged",
      errorMessage: "the judge never compared this value",
    };
  }
  const where = probe.where === undefined ? "" : `  File "<tests>", ${probe.where}\n`;
  return {
    ...outcome,
    passed: false,
    errorType: "AssertionError",
    errorMessage: result,
    traceback: `${where}    ${base.source}\nAssertionError: ${result}`,
  };
}

/** Outcomes of the probes, from their V/X records and the judge's results. */
function _probeOutcomes(
  records: readonly _HarnessRecord[],
  judged: _ProbeJudgements,
  offset: number,
  problem: (message: string) => void,
): { outcomes: TestOutcome[]; firstFail?: _Failure } {
  const byIndex = new Map<number, _Failure>();
  const count = judged.probes.length;
  for (const r of records) {
    if (r.kind !== "V" && r.kind !== "X") continue;
    if (r.index >= count || byIndex.has(r.index)) {
      problem(`unexpected record for probe ${r.index} of ${count}`);
      continue;
    }
    byIndex.set(
      r.index,
      _probeOutcome(r, judged.probes[r.index], offset + r.index, judged.results[r.index]),
    );
  }
  const failures = [...byIndex.entries()].filter(([, o]) =>
    !o.passed && o.errorType !== "NotJudged"
  );
  const cut = judged.fastCheck && failures.length > 0
    ? Math.min(...failures.map(([i]) => i))
    : Infinity;
  const outcomes = judged.probes.map((probe, i): TestOutcome => {
    const found = i <= cut ? byIndex.get(i) : undefined;
    if (!found) {
      return {
        index: offset + i,
        source: probe.source ?? probe.expr,
        passed: false,
        errorType: _NOT_RUN,
        judged: "outside",
      };
    }
    const { traceback: _tb, ...outcome } = found;
    return outcome;
  });
  const firstFail = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])
    .find((o) => !o.passed && o.errorType !== "NotJudged");
  return { outcomes, ...(firstFail ? { firstFail } : {}) };
}

/**
 * Decides the verdict. A run passes only when the plan arrived first, exactly one passing
 * record per planned in-process test and one judged-passing value per probe arrived, the
 * completion record arrived last, the process exited 0 by itself, and neither the wall-clock
 * limit nor an output cap was hit. Precedence: timeout, output cap, setup/candidate error,
 * failed test or probe, incomplete run.
 */
export function _decide(
  recordBodies: readonly string[],
  end: _ProcessEnd,
  probes: _ProbeJudgements = _NO_PROBES,
): _Decision {
  const parsed = _parseAll(recordBodies);
  let protocolError = parsed.protocolError;
  const problem = (message: string) => (protocolError ??= message);
  const records = parsed.records;
  const plan = records[0]?.kind === "P" ? records[0] : undefined;
  if (!plan && records.length > 0) problem("first harness record is not the plan");
  const sources = plan?.sources ?? [];
  const byIndex = new Map<number, TestOutcome>();
  let stageError: Extract<_HarnessRecord, { kind: "E" }> | undefined;
  let done = false;
  for (const [i, r] of records.entries()) {
    if (r.kind === "P" && i > 0) problem("plan record repeated");
    if (r.kind === "E") stageError ??= r;
    if (r.kind === "D") done = i === records.length - 1;
    if (r.kind !== "T") continue;
    if (r.index >= sources.length || byIndex.has(r.index)) {
      problem(`unexpected record for test ${r.index} of ${sources.length}`);
      continue;
    }
    byIndex.set(r.index, {
      index: r.index,
      source: sources[r.index],
      passed: r.passed,
      judged: "in-process",
      ...(r.passed ? {} : { errorType: r.errorType, errorMessage: r.errorMessage }),
    });
  }
  // Every planned test appears; one that never reported (crash, timeout, exit) did not pass.
  const inProcess: TestOutcome[] = sources.map((source, index) =>
    byIndex.get(index) ??
      { index, source, passed: false, errorType: _NOT_RUN, judged: "in-process" as const }
  );
  const probed = _probeOutcomes(records, probes, sources.length, problem);
  const tests = [...inProcess, ...probed.outcomes];
  const failedTest = records.find((r) => r.kind === "T" && !r.passed) as
    | Extract<_HarnessRecord, { kind: "T" }>
    | undefined;
  const firstFail = failedTest ?? probed.firstFail;
  const signalNumber = end.code > 128 ? end.code - 128 : undefined;

  const limit = _limitHit(end, signalNumber, tests);
  if (limit) return limit;
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
      ...(firstFail.traceback ? { traceback: firstFail.traceback } : {}),
    };
  }
  const problems: string[] = [];
  if (protocolError) problems.push(protocolError);
  const planned = sources.length + probes.probes.length;
  if (!plan) problems.push("no test plan was reported");
  else if (planned === 0) problems.push("the tests contain no test statement");
  const reported = byIndex.size + probed.outcomes.filter((o) => o.errorType !== _NOT_RUN).length;
  if (reported !== planned) problems.push(`${reported} of ${planned} tests reported`);
  if (probed.outcomes.some((o) => o.errorType === "NotJudged")) {
    problems.push("a probe value was never judged");
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
      errorType: plan && planned === 0 ? "NoTests" : "HarnessIncomplete",
      errorMessage: problems.join("; "),
    };
  }
  return { verdict: "pass", tests };
}

/** The verdict when the run hit its wall-clock, CPU or output limit. */
function _limitHit(
  end: _ProcessEnd,
  signalNumber: number | undefined,
  tests: TestOutcome[],
): _Decision | undefined {
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
      errorMessage: end.overflow ??
        `output exceeded ${end.maxOutputBytes} bytes; the run was killed`,
    };
  }
  return undefined;
}
