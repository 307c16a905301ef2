/**
 * The kit's closed lists of names, each written once `as const`; the types are derived from them.
 * Validators, CLIs and exhaustive switches all read these.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DIFF_METHODS, type DiffMethod } from "./closed_lists.ts";
 * const m: DiffMethod = "ratcliff";
 * assert.ok(DIFF_METHODS.includes(m));
 * assert.deepEqual([...DIFF_METHODS], ["lcs", "ratcliff", "prefix-suffix"]);
 * ```
 *
 * @module
 */

/**
 * How a pair's versions are chosen (DESIGN §1.1). `random`, `first` and `last` pick the rejected
 * version among the failing ones before a debugging trajectory's last passing version;
 * `pass-vs-fail` pairs a passing with a failing version in any order (the rule of the
 * sampling baselines PLUM, CodeDPO and Code-Optimise, for sets of independent samples; see
 * {@linkcode PASS_FAIL_RANKINGS}).
 */
export const SELECTION_RULES = ["random", "first", "last", "pass-vs-fail"] as const;
/** One of {@linkcode SELECTION_RULES}. */
export type SelectionRule = typeof SELECTION_RULES[number];

/**
 * Which failing samples the `pass-vs-fail` rule takes first: a seeded draw (`random`, PLUM and
 * Code-Optimise's DPO-PvF), those passing the fewest tests (`fewest-passed`: the widest pass-rate
 * gap, as CodeDPO ranks by score), or the most (`most-passed`: the hardest negatives).
 */
export const PASS_FAIL_RANKINGS = ["random", "fewest-passed", "most-passed"] as const;
/** One of {@linkcode PASS_FAIL_RANKINGS}. */
export type PassFailRanking = typeof PASS_FAIL_RANKINGS[number];

/**
 * Where a trajectory's versions come from: `debugging` (each version refines the one before it,
 * DESIGN §1.1) or `sampling` (independent attempts at the task, `iteration` = sample index).
 */
export const TRAJECTORY_SOURCES = ["debugging", "sampling"] as const;
/** One of {@linkcode TRAJECTORY_SOURCES}. */
export type TrajectorySource = typeof TRAJECTORY_SOURCES[number];

/** Line-diff algorithm used to locate the critical lines (DESIGN §3). */
export const DIFF_METHODS = ["lcs", "ratcliff", "prefix-suffix"] as const;
/** One of {@linkcode DIFF_METHODS}. */
export type DiffMethod = typeof DIFF_METHODS[number];

/** What to do when the fix only adds lines, so `D-` is empty (DESIGN §2). */
export const EMPTY_REJECTED_POLICIES = ["keep", "drop", "anchor"] as const;
/** One of {@linkcode EMPTY_REJECTED_POLICIES}. */
export type EmptyRejectedPolicy = typeof EMPTY_REJECTED_POLICIES[number];

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
export const EMPTY_REJECTED_CASES = [
  "non-empty",
  "keep",
  "drop",
  "anchor-insertion",
  "anchor-last-line",
  "anchor-none",
] as const;
/** One of {@linkcode EMPTY_REJECTED_CASES}. */
export type EmptyRejectedCase = typeof EMPTY_REJECTED_CASES[number];

/** Outcome of running code against its tests in the sandbox. */
export const VERDICTS = ["pass", "fail", "timeout", "error"] as const;
/** One of {@linkcode VERDICTS}. */
export type Verdict = typeof VERDICTS[number];

/**
 * Which teacher produced a trajectory: the offline MiniFlow teacher, an OpenAI-compatible
 * endpoint, or one of the kit's own models (`model`: samples only, tasks from MiniFlow). MiniFlow
 * output must never be mixed with LLM output.
 */
export const TEACHER_KINDS = ["miniflow", "openai", "model"] as const;
/** One of {@linkcode TEACHER_KINDS}. */
export type TeacherKind = typeof TEACHER_KINDS[number];

/** The rule filters of DESIGN §1.3 that run without an LLM. */
export const RULE_FILTER_NAMES = [
  "comment-only",
  "too-many-lines",
  "too-long",
  "same-ast",
] as const;
/** One of {@linkcode RULE_FILTER_NAMES}. */
export type RuleFilterName = typeof RULE_FILTER_NAMES[number];

/** Every filter a pair may record: the rule filters and the optional LLM judge (DESIGN §1.3). */
export const FILTER_NAMES = [...RULE_FILTER_NAMES, "judge"] as const;
/** One of {@linkcode FILTER_NAMES}. */
export type FilterName = typeof FILTER_NAMES[number];

/** Names of the scale presets every study and the pretraining declare. */
export const PRESET_NAMES = ["smoke", "paper"] as const;
/** One of {@linkcode PRESET_NAMES}. */
export type PresetName = typeof PRESET_NAMES[number];

/**
 * EvalPlus's special oracles (evalplus/eval/_special_oracle.py and unsafe_execute), by what they
 * accept: `set-equal` (the outputs as sets), `not-none` (only whether the output is None; False
 * counts as None), `poly-root` (HumanEval/32: any x with |poly(xs, x)| <= atol), `surface-area`
 * (Mbpp/581: also the slant-height reading), `digit-distance` (Mbpp/558: also zero-padded
 * digits), `or-zero` (Mbpp/295: also 0), `any-output` (Mbpp/164: EvalPlus accepts any output).
 */
export const PLUS_ORACLES = [
  "set-equal",
  "not-none",
  "poly-root",
  "surface-area",
  "digit-distance",
  "or-zero",
  "any-output",
] as const;
/** One of {@linkcode PLUS_ORACLES}. */
export type PlusOracle = typeof PLUS_ORACLES[number];

/** Isolation modes weaker than bubblewrap, allowed only by explicit request (`--unsafe-isolation`). */
export const UNSAFE_ISOLATIONS = ["unshare", "rlimits"] as const;
/** One of {@linkcode UNSAFE_ISOLATIONS}. */
export type UnsafeIsolation = typeof UNSAFE_ISOLATIONS[number];
