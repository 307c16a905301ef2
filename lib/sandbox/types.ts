/**
 * Contract of the sandbox that runs untrusted Python against its tests (DESIGN §5 "Sandbox").
 *
 * @module
 */
import type { PlusOracle, Verdict } from "../core/mod.ts";

/**
 * An expression evaluated in the candidate's namespace after the candidate (and any in-process
 * tests) ran. Its value leaves the program in the restricted plain-value format (`_plain.py`:
 * plain data only, never pickle) and is judged outside the program against its {@link Check}.
 */
export interface Probe {
  /** A Python expression, e.g. `add(*_INPUTS[3])`. */
  readonly expr: string;
  /** Wall-clock limit of this probe (SIGALRM in the program; 0: none). @default 0 */
  readonly seconds?: number;
  /** The probe's source as a test (shown in {@link TestOutcome.source}). @default expr */
  readonly source?: string;
  /** Where the test stands in the tests, for tracebacks (`line 3, in <module>`). */
  readonly where?: string;
}

/**
 * What a probe's value must satisfy, judged by a process that never ran candidate code. `want`
 * is a plain-value text (`_plain.py`). `evalplus` is EvalPlus's comparison (exact, floats within
 * `atol`, or the task's special oracle; `input` holds the arguments, as plain-value text, for the
 * oracles that need them).
 */
export type Check =
  & (
    | { readonly kind: "equal" | "unequal"; readonly want: string }
    | { readonly kind: "truthy" | "falsy" }
    | { readonly kind: "identical"; readonly want: "True" | "False" | "None" }
    | {
      readonly kind: "close";
      readonly want: string;
      readonly relTol: number;
      readonly absTol: number;
    }
    | {
      readonly kind: "below";
      readonly want: string;
      readonly tol: number;
      readonly strict: boolean;
    }
    | {
      readonly kind: "evalplus";
      readonly want: string;
      readonly atol: number;
      readonly oracle?: PlusOracle;
      readonly input?: string;
    }
  )
  & {
    /** The assert's own message, reported instead of the judge's description (as Python does). */
    readonly message?: string;
  };

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
  /**
   * The tests are a `unittest` module (BigCodeBench): the name of its `TestCase` class. Every
   * top-level statement of `tests` is then setup, each `test*` method of the class is one test
   * (judged in-process), the class's suite runs once, and the program's Python-level output is
   * swallowed. @default undefined (the tests are statements or a `check` function)
   */
  readonly unittest?: string;
  /** Optional code run before the candidate (MBPP `test_setup_code`, imports). */
  readonly setup?: string;
  /** Probes, run after the tests; each one is one test, judged outside the program. */
  readonly probes?: readonly Probe[];
  /**
   * One check per probe. Without checks, probes only report their values (a reference
   * solution's run that computes expected outputs), and the run passes when every probe
   * returned a value.
   */
  readonly checks?: readonly Check[];
  /** Swallow the program's `sys.stdout`/`sys.stderr` writes while probes run. @default false */
  readonly quietProbes?: boolean;
  /** Stop the run at the first probe that fails its check (EvalPlus's fast check). @default true */
  readonly fastCheck?: boolean;
}

/** Outcome of one test (one assert statement or one `check` call). */
export interface TestOutcome {
  readonly index: number;
  /** Source of the test statement, trimmed. */
  readonly source: string;
  readonly passed: boolean;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /**
   * `outside`: a probe, judged by the judge process from the value the program returned.
   * `in-process`: a test statement run inside the program's interpreter, which a hostile program
   * that owns the interpreter can forge (the weaker guarantee of any in-process harness).
   */
  readonly judged: "outside" | "in-process";
  /** Probes: the value in plain-value text, when the probe returned one. */
  readonly value?: string;
  /** Probes: seconds the probe took in the program. */
  readonly seconds?: number;
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
