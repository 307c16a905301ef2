/**
 * Sandbox jobs for EvalPlus-style differential testing: one job runs the reference solution on
 * every input and prints its encoded outputs (the oracle); one job checks a candidate against them.
 *
 * Inputs and expected outputs travel in the job's `setup` (run before the candidate), so the test
 * statements stay one short line per chunk of inputs: `_ep_check(entry, start, end)`.
 *
 * @module
 */
import type { SandboxJob } from "../sandbox/types.ts";
import type { BenchmarkTask, PlusInputs } from "./types.ts";

/** Python helpers spliced into every differential-testing job (see `_plus_harness.py`). */
export const PLUS_HARNESS_SOURCE: string = Deno.readTextFileSync(
  new URL("./_plus_harness.py", import.meta.url),
);

/** Encoded expected outputs of one task, as the oracle printed them. */
export interface ExpectedOutputs {
  readonly taskId: string;
  /** One per input (base then plus): `=repr`, `#sha256 digest` or `?1`/`?0` (is not None). */
  readonly expected: readonly string[];
  /** Wall-clock seconds the reference took per input. */
  readonly seconds: readonly number[];
}

/** Limits of a check job. */
export interface PlusCheckOptions {
  /**
   * Per-input time limit = max(minSeconds, factor * reference seconds) (EvalPlus's rule).
   * @default 4
   */
  readonly timeFactor: number;
  /** @default 1 */
  readonly minSeconds: number;
  /** Inputs per test statement after the base inputs (which form the first test). @default 200 */
  readonly chunkSize: number;
}

/** Defaults of {@linkcode PlusCheckOptions} (EvalPlus: factor 4, at least 1 s per input). */
export const DEFAULT_PLUS_CHECK_OPTIONS: PlusCheckOptions = Object.freeze({
  timeFactor: 4,
  minSeconds: 1,
  chunkSize: 200,
});

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
    PLUS_HARNESS_SOURCE,
    "def _ep_decode(inputs):",
    `    return ${plus.decodeInputs ?? "inputs"}`,
    `_EP_INPUTS = _ep_decode(_ep_json.loads(${_pyStr(plus.baseInputJson)}) + ` +
    `_ep_json.loads(${_pyStr(plus.plusInputJson)}))`,
    "",
  ].join("\n");
}

/**
 * The oracle job: run the reference program on every input, printing
 * `marker + {"expected": [...], "seconds": [...]} + marker` on stdout.
 * Outputs whose size exceeds `smallBudget` units are stored as digests.
 */
export function plusOracleJob(
  task: BenchmarkTask,
  program: string,
  options: { readonly marker: string; readonly smallBudget: number },
): SandboxJob {
  _plus(task);
  return {
    setup: _inputsSetup(_plus(task)),
    code: program,
    tests: `_ep_oracle(${task.entryPoint}, _EP_INPUTS, ${options.smallBudget}, ${
      _pyStr(options.marker)
    }, ${task.plus?.unorderedOutput ? "True" : "False"})\n`,
  };
}

/** Parse the oracle's stdout into {@linkcode ExpectedOutputs}; throws naming the task. */
export function parseOracleOutput(
  task: BenchmarkTask,
  stdout: string,
  marker: string,
): ExpectedOutputs {
  const a = stdout.indexOf(marker);
  const b = stdout.indexOf(marker, a + marker.length);
  if (a < 0 || b < 0) throw new Error(`oracle of ${task.taskId}: no result in its output`);
  const parsed = JSON.parse(stdout.slice(a + marker.length, b)) as ExpectedOutputs;
  const plus = _plus(task);
  const count = plus.baseCount + plus.plusCount;
  if (parsed.expected.length !== count || parsed.seconds.length !== count) {
    throw new Error(
      `oracle of ${task.taskId}: expected ${count} outputs, found ${parsed.expected.length}`,
    );
  }
  return { taskId: task.taskId, expected: parsed.expected, seconds: parsed.seconds };
}

/** Number of test statements of a check job: the base inputs, then chunks of plus inputs. */
export function plusTestCount(plus: PlusInputs, chunkSize: number): number {
  return (plus.baseCount > 0 ? 1 : 0) + Math.ceil(plus.plusCount / chunkSize);
}

/** The check job of `program` (a candidate) against the oracle's expected outputs. */
export function plusCheckJob(
  task: BenchmarkTask,
  program: string,
  expected: ExpectedOutputs,
  options: PlusCheckOptions = DEFAULT_PLUS_CHECK_OPTIONS,
): SandboxJob {
  const plus = _plus(task);
  const limits = expected.seconds.map((s) =>
    Math.max(options.minSeconds, options.timeFactor * s).toFixed(3)
  );
  const setup = _inputsSetup(plus) + [
    `_EP_EXPECTED = _ep_json.loads(${_pyStr(JSON.stringify(expected.expected))})`,
    `_EP_LIMITS = [${limits.join(", ")}]`,
    `_EP_ATOL = ${plus.atol}`,
    `_EP_UNORDERED = ${plus.unorderedOutput ? "True" : "False"}`,
    "",
  ].join("\n");
  const ranges: [number, number][] = [];
  if (plus.baseCount > 0) ranges.push([0, plus.baseCount]);
  const total = plus.baseCount + plus.plusCount;
  for (let s = plus.baseCount; s < total; s += options.chunkSize) {
    ranges.push([s, Math.min(total, s + options.chunkSize)]);
  }
  const tests = ranges.map(([s, e]) => `_ep_check(${task.entryPoint}, ${s}, ${e})\n`).join("");
  return { setup, code: program, tests };
}
