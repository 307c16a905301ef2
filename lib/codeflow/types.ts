/**
 * CodeFlow record types: one debugging trajectory, and the preference pair cut from it.
 *
 * These are plain JSON-serialisable data. Every JSONL file the kit writes holds one of these
 * per line, tagged by `schema`.
 *
 * @module
 */

/** How the rejected version is chosen among the failing ones (DESIGN §1.1). */
export type SelectionRule = "random" | "first" | "last";

/** Line-diff algorithm used to locate the critical lines (DESIGN §3). */
export type DiffMethod = "lcs" | "ratcliff" | "prefix-suffix";

/** What to do when the fix only adds lines, so `D-` is empty (DESIGN §2). */
export type EmptyRejectedPolicy = "keep" | "drop" | "anchor";

/**
 * Which case of the empty-`D-` policy applied to a pair (DESIGN §2):
 * - `non-empty`: `D-` had lines, no policy needed;
 * - `keep`: `D-` empty, rejected mask left empty (the rejected term is 0);
 * - `drop`: `D-` empty, pair removed;
 * - `anchor-insertion`: `D-` empty, the first token of the rejected line at the first insertion
 *   point (the rejected line the inserted chosen lines come before) is marked;
 * - `anchor-last-line`: as above, but the lines were inserted after the last rejected line, so the
 *   first token of the last rejected line is marked;
 * - `anchor-none`: `anchor` asked for, but nothing to anchor (no hunk, or empty rejected code).
 */
export type EmptyRejectedCase =
  | "non-empty"
  | "keep"
  | "drop"
  | "anchor-insertion"
  | "anchor-last-line"
  | "anchor-none";

/** Outcome of running code against its tests in the sandbox. */
export type Verdict = "pass" | "fail" | "timeout" | "error";

/** Which teacher produced a trajectory. MiniFlow output must never be mixed with LLM output. */
export type TeacherKind = "miniflow" | "openai";

/** Identity of the teacher that produced a record. */
export interface TeacherId {
  readonly kind: TeacherKind;
  /** Model name (`gpt-4o-mini`, `Qwen2.5-Coder-7B-Instruct`, or `miniflow-v1`). */
  readonly model: string;
  /** Endpoint base URL for `openai` teachers. */
  readonly baseUrl?: string;
}

/** One version of the code inside a trajectory, with its sandbox outcome. */
export interface CodeVersion {
  /** 0 for the first attempt, then one per refinement iteration (at most 5). */
  readonly iteration: number;
  readonly code: string;
  readonly verdict: Verdict;
  /** Python exception class of the first failure (`AssertionError`, `NameError`, …). */
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** Tests that passed out of all tests, as reported by the sandbox harness. */
  readonly passedTests: number;
  readonly totalTests: number;
}

/** A whole debugging trajectory (DESIGN §1.1). */
export interface Trajectory {
  readonly schema: "codeflow.trajectory/v1";
  readonly taskId: string;
  readonly teacher: TeacherId;
  /** Natural-language instruction or HumanEval-style prompt (signature + docstring). */
  readonly prompt: string;
  /** Name of the function under test. */
  readonly entryPoint: string;
  /** Python test code (assert statements or a `check(candidate)` function). */
  readonly tests: string;
  readonly versions: readonly CodeVersion[];
}

/** A contiguous changed region: `[start, end)` line ranges in rejected and chosen. */
export interface Hunk {
  readonly rejectedStart: number;
  readonly rejectedEnd: number;
  readonly chosenStart: number;
  readonly chosenEnd: number;
}

/** Half-open `[startToken, endToken)` span of completion tokens. */
export type TokenSpan = readonly [number, number];

/** Critical lines of a pair (DESIGN §1.2). Line indexes are 0-based. */
export interface PairDiff {
  readonly method: DiffMethod;
  /** `D+`: line indexes of the chosen code that are not in the common subsequence. */
  readonly chosenLines: readonly number[];
  /** `D-`: line indexes of the rejected code that are not in the common subsequence. */
  readonly rejectedLines: readonly number[];
  readonly hunks: readonly Hunk[];
}

/** Token masks stored with a pair as sorted spans (DESIGN §3, "Masks are data"). */
export interface PairMasks {
  /** Identifier of the tokenizer the spans index into. */
  readonly tokenizer: string;
  /** `D+` token spans of the chosen completion (used by the symmetric ablation). */
  readonly chosen: readonly TokenSpan[];
  /** `D-` token spans of the rejected completion (`m-` of Eq. 4-6). */
  readonly rejected: readonly TokenSpan[];
  /** Which empty-`D-` case produced `rejected` (absent in records written before it existed). */
  readonly emptyRejected?: EmptyRejectedCase;
}

/** Why a pair was dropped by a rule filter, or `null` when kept (DESIGN §1.3). */
export type FilterName = "comment-only" | "too-many-lines" | "too-long" | "same-ast" | "judge";

/** A preference pair (y+, y-) with its critical lines. */
export interface Pair {
  readonly schema: "codeflow.pair/v1";
  readonly taskId: string;
  readonly teacher: TeacherId;
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly chosenIteration: number;
  readonly rejectedIteration: number;
  readonly selection: { readonly rule: SelectionRule; readonly seed: number };
  readonly diff: PairDiff;
  readonly masks?: PairMasks;
  /** Every filter that ran, with `true` when the pair passed it. */
  readonly filters: Readonly<Partial<Record<FilterName, boolean>>>;
}
