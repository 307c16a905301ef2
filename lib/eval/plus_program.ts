/**
 * Sandbox jobs for EvalPlus-style differential testing. Both run the program on every input as
 * probes (lib/sandbox): the oracle job runs the reference solution and keeps the values it
 * returned (the expected outputs); the check job runs a candidate, whose values the sandbox's
 * judge compares with the expected ones by EvalPlus's rules. The candidate's process only ever
 * holds the inputs.
 *
 * @module
 */
import type { Check, Probe, SandboxJob, SandboxResult } from "../sandbox/mod.ts";
import type { PlusOracle } from "../core/mod.ts";
import type { BenchmarkTask, PlusInputs } from "./types.ts";

/** Python helpers spliced into every differential-testing job (see `_plus_inputs.py`). */
export const PLUS_INPUTS_SOURCE: string = Deno.readTextFileSync(
  new URL("./_plus_inputs.py", import.meta.url),
);

/** Expected outputs of one task, as the reference solution returned them. */
export interface ExpectedOutputs {
  readonly taskId: string;
  /** One per input (base then plus), in the plain-value format (lib/sandbox `_plain.py`). */
  readonly expected: readonly string[];
  /** Wall-clock seconds the reference took per input. */
  readonly seconds: readonly number[];
}

/** Per-input time limits of a check job. */
export interface PlusCheckOptions {
  /**
   * Per-input time limit = max(minSeconds, factor * reference seconds) (EvalPlus's rule).
   * @default 4
   */
  readonly timeFactor: number;
  /** @default 4 */
  readonly minSeconds: number;
}

/**
 * Defaults of {@linkcode PlusCheckOptions}: EvalPlus's current `DEFAULT_GT_TIME_LIMIT_FACTOR` and
 * `DEFAULT_MIN_TIME_LIMIT` (4 and 4 s; its release v0.3.1 used a 1 s minimum).
 */
export const DEFAULT_PLUS_CHECK_OPTIONS: PlusCheckOptions = Object.freeze({
  timeFactor: 4,
  minSeconds: 4,
});

/** The oracles whose judgement needs the input's arguments. */
const _ORACLES_WITH_INPUT: ReadonlySet<PlusOracle> = new Set([
  "poly-root",
  "surface-area",
  "digit-distance",
]);

/** A Python string literal holding `text` (JSON string escapes are valid Python escapes). */
function _pyStr(text: string): string {
  return JSON.stringify(text);
}

function _plus(task: BenchmarkTask): PlusInputs {
  if (task.plus === undefined) {
    throw new Error(`task ${task.taskId} of ${task.benchmark} has no EvalPlus inputs`);
  }
  return task.plus;
}

function _inputsSetup(plus: PlusInputs): string {
  return [
    PLUS_INPUTS_SOURCE,
    "def _plus_decode(inputs):",
    `    return ${plus.decodeInputs ?? "inputs"}`,
    `_PLUS_INPUTS = _plus_decode(_plus_json.loads(${_pyStr(plus.baseInputJson)}) + ` +
    `_plus_json.loads(${_pyStr(plus.plusInputJson)}))`,
    "",
  ].join("\n");
}

/** Number of inputs (base then plus) of a task. */
export function plusInputCount(plus: PlusInputs): number {
  return plus.baseCount + plus.plusCount;
}

function _probes(task: BenchmarkTask, seconds: (i: number) => number): Probe[] {
  const plus = _plus(task);
  return Array.from({ length: plusInputCount(plus) }, (_, i) => ({
    expr: `${task.entryPoint}(*_PLUS_INPUTS[${i}])`,
    seconds: seconds(i),
    source: `${i < plus.baseCount ? "base" : "plus"} input #${i}`,
  }));
}

/** The oracle job: the reference program on every input, returning its outputs. */
export function plusOracleJob(task: BenchmarkTask, program: string): SandboxJob {
  return {
    setup: _inputsSetup(_plus(task)),
    code: program,
    tests: "",
    probes: _probes(task, () => 0),
    quietProbes: true,
  };
}

/** The expected outputs in an oracle run's result; throws naming the task and input. */
export function oracleOutputs(task: BenchmarkTask, r: SandboxResult): ExpectedOutputs {
  const count = plusInputCount(_plus(task));
  const probes = r.tests.filter((t) => t.judged === "outside");
  if (probes.length !== count) {
    throw new Error(`oracle of ${task.taskId}: expected ${count} outputs, found ${probes.length}`);
  }
  const missing = probes.find((t) => t.value === undefined);
  if (missing) throw new Error(`oracle of ${task.taskId}: no output for ${missing.source}`);
  return {
    taskId: task.taskId,
    expected: probes.map((t) => t.value!),
    seconds: probes.map((t) => t.seconds ?? 0),
  };
}

/** The arguments of every input, as plain-value text, for the oracles that need them. */
function _inputTexts(plus: PlusInputs): string[] {
  const all = [...JSON.parse(plus.baseInputJson), ...JSON.parse(plus.plusInputJson)] as unknown[];
  return all.map((args) => JSON.stringify(args));
}

/** The judge's check of every input of `task`. */
export function plusChecks(task: BenchmarkTask, expected: ExpectedOutputs): Check[] {
  const plus = _plus(task);
  const oracle = plus.oracle;
  const inputs = oracle !== undefined && _ORACLES_WITH_INPUT.has(oracle)
    ? _inputTexts(plus)
    : undefined;
  return expected.expected.map((want, i) => ({
    kind: "evalplus",
    want,
    atol: plus.atol,
    ...(oracle === undefined ? {} : { oracle }),
    ...(inputs === undefined ? {} : { input: inputs[i] }),
  }));
}

/** The check job of `program` (a candidate) against the reference's expected outputs. */
export function plusCheckJob(
  task: BenchmarkTask,
  program: string,
  expected: ExpectedOutputs,
  options: PlusCheckOptions = DEFAULT_PLUS_CHECK_OPTIONS,
): SandboxJob {
  const plus = _plus(task);
  if (expected.expected.length !== plusInputCount(plus)) {
    throw new Error(
      `${task.taskId}: ${expected.expected.length} expected outputs for ` +
        `${plusInputCount(plus)} inputs`,
    );
  }
  const limit = (i: number) =>
    Number(Math.max(options.minSeconds, options.timeFactor * expected.seconds[i]).toFixed(3));
  return {
    setup: _inputsSetup(plus),
    code: program,
    tests: "",
    probes: _probes(task, limit),
    checks: plusChecks(task, expected),
    quietProbes: true,
    fastCheck: true,
  };
}
