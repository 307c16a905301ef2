/**
 * Cut a preference pair from a trajectory: selection, diff, masks and rule filters.
 *
 * @module
 */
import {
  chosenMaskSpans,
  type ContextSpec,
  drawContextLines,
  lineDiff,
  lineTexts,
  planRejectedLines,
  rejectedMaskSpans,
} from "../diff/mod.ts";
import { pairCompletions } from "./completion.ts";
import type { PyAstService } from "./py_ast_service.ts";
import { type RuleFilterOptions, runRuleFilters } from "./rule_filters.ts";
import { type PassFailOptions, passVsFailPairs, type VersionPair } from "./pass_vs_fail.ts";
import { selectVersions } from "./select_versions.ts";
import type {
  DiffMethod,
  EmptyRejectedCase,
  EmptyRejectedPolicy,
  OffsetTokenizer,
  Pair,
  PairCompletions,
  SelectionRule,
  TokenizedText,
  Trajectory,
} from "../core/mod.ts";

/** Options of {@linkcode buildPairs}. */
export interface BuildPairOptions {
  /**
   * Which failing version becomes `y-`.
   * @default "random"
   */
  readonly rule?: SelectionRule;
  /**
   * Seed of the `random` rule (combined with each task id).
   * @default 0
   */
  readonly seed?: number;
  /**
   * Line-diff method for `D+`/`D-`.
   * @default "lcs"
   */
  readonly method?: DiffMethod;
  /**
   * What to do when `D-` is empty. `drop` skips the pair; `anchor` changes the stored rejected
   * mask (so it needs `tokenizer` to have an effect); `keep` stores it empty.
   * @default "keep"
   */
  readonly emptyRejected?: EmptyRejectedPolicy;
  /**
   * When given, token masks of the completions (`D+` and `D-` spans, widened by `contextLines`)
   * are stored with each pair, and the result carries the completions' tokens.
   * @default undefined (no masks)
   */
  readonly tokenizer?: OffsetTokenizer;
  /**
   * Diff-augmentation of the stored masks: `k` lines of context around each hunk, or
   * `"random1to2"` (drawn once per pair from `seed` and the task id).
   * @default 0
   */
  readonly contextLines?: ContextSpec;
  /**
   * The Python helper for the rule filters. Without it no rule filter runs and
   * `Pair.filters` stays empty.
   * @default undefined
   */
  readonly pyAst?: PyAstService;
  /**
   * Limits of the rule filters.
   * @default {} (the defaults of `runRuleFilters`)
   */
  readonly filters?: RuleFilterOptions;
  /**
   * Options of the `pass-vs-fail` rule (ranking, least pass-rate gap, pairs per task; its seed is
   * `seed`). With `pairsPerTask` above 1 a trajectory may give several results.
   * @default {} (one pair per task, failing versions drawn at random)
   */
  readonly passFail?: Omit<PassFailOptions, "seed">;
}

/** The outcome for one trajectory (or one of its pairs, under `pass-vs-fail`). */
export type BuildPairResult =
  | {
    readonly kind: "pair";
    /** The pair, with its completions (and masks, given a tokenizer). */
    readonly pair: Pair & { readonly completion: PairCompletions };
    /** Which empty-`D-` case applied (count them to report how many pairs each affected). */
    readonly emptyRejected: EmptyRejectedCase;
    /** The completions' tokens, given a tokenizer (the masks' spans index them). */
    readonly tokens?: { readonly chosen: TokenizedText; readonly rejected: TokenizedText };
  }
  | {
    readonly kind: "skipped";
    readonly taskId: string;
    readonly reason: "never-passed" | "no-failing-version" | "empty-rejected";
  };

/**
 * Build the pairs of a batch of trajectories (the filters of the whole batch share one round trip
 * to the Python helper). Pairs that fail a filter are still returned, with their verdicts in
 * `pair.filters` (`true` = passed), so the funnel of DESIGN §1 can be counted; use
 * `passesFilters` to keep the survivors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildPairs } from "./build_pair.ts";
 * const v = (iteration: number, code: string, verdict: "pass" | "fail") =>
 *   ({ iteration, code, verdict, passedTests: 0, totalTests: 1 });
 * const [r] = await buildPairs([{
 *   schema: "codeflow.trajectory/v1", taskId: "t1", prompt: "p", entryPoint: "f", tests: "",
 *   teacher: { kind: "miniflow", model: "miniflow-v1" },
 *   versions: [v(0, "def f(x):\n    return x - 1\n", "fail"), v(1, "def f(x):\n    return x + 1\n", "pass")],
 * }]);
 * assert.equal(r.kind, "pair");
 * if (r.kind === "pair") assert.deepEqual(r.pair.diff.rejectedLines, [1]);
 * ```
 */
export async function buildPairs(
  trajectories: readonly Trajectory[],
  options: BuildPairOptions = {},
): Promise<BuildPairResult[]> {
  const rule = options.rule ?? "random";
  const seed = options.seed ?? 0;
  const results: (BuildPairResult | _Unfiltered)[] = [];
  for (const t of trajectories) {
    const selection = _select(t, rule, seed, options.passFail);
    if ("reason" in selection) {
      results.push({ kind: "skipped", taskId: t.taskId, reason: selection.reason });
      continue;
    }
    for (const { chosen, rejected } of selection) {
      const cut = _cut(t, chosen, rejected, { ...options, rule, seed });
      results.push(cut ?? { kind: "skipped", taskId: t.taskId, reason: "empty-rejected" });
    }
  }
  const unfiltered = results.filter((r): r is _Unfiltered => "unfiltered" in r);
  const verdicts = options.pyAst === undefined
    ? unfiltered.map(() => ({}))
    : await runRuleFilters(unfiltered.map((r) => r.pair), options.pyAst, options.filters);
  let next = 0;
  return results.map((r): BuildPairResult => {
    if (!("unfiltered" in r)) return r;
    const { unfiltered: _, pair, ...rest } = r;
    return { kind: "pair", pair: { ...pair, filters: verdicts[next++] }, ...rest };
  });
}

/** The version pairs of one trajectory under `rule`, or why it gives none. */
function _select(
  t: Trajectory,
  rule: SelectionRule,
  seed: number,
  passFail: BuildPairOptions["passFail"],
): readonly VersionPair[] | { readonly reason: "never-passed" | "no-failing-version" } {
  if (rule === "pass-vs-fail") {
    const pairs = passVsFailPairs(t.taskId, t.versions, { ...passFail, seed });
    if (pairs.length > 0) return pairs;
    const passed = t.versions.some((v) => v.verdict === "pass");
    return { reason: passed ? "no-failing-version" : "never-passed" };
  }
  const selection = selectVersions(t, { rule, seed });
  return selection.kind === "none" ? selection : [selection];
}

/** A cut pair before the rule filters ran. */
interface _Unfiltered {
  readonly unfiltered: true;
  readonly pair: Omit<Pair, "filters"> & { readonly completion: PairCompletions };
  readonly emptyRejected: EmptyRejectedCase;
  readonly tokens?: { readonly chosen: TokenizedText; readonly rejected: TokenizedText };
}

type _Version = Trajectory["versions"][number];

/**
 * The pair of one trajectory's chosen and rejected versions: the full-code diff, the completions
 * and their diff, the empty-`D-` case (on the completions, where the masks live), and the masks.
 * `null` when the policy drops the pair.
 */
function _cut(
  t: Trajectory,
  chosen: _Version,
  rejected: _Version,
  o: BuildPairOptions & { rule: SelectionRule; seed: number },
): _Unfiltered | null {
  const diff = lineDiff(rejected.code, chosen.code, o.method ?? "lcs");
  const completion = pairCompletions({
    taskId: t.taskId,
    prompt: t.prompt,
    chosen: chosen.code,
    rejected: rejected.code,
    diff,
  });
  const policy = o.emptyRejected ?? "keep";
  const rejectedLineCount = lineTexts(completion.rejected).length;
  const emptyCase = planRejectedLines(completion.diff, rejectedLineCount, policy).case;
  if (emptyCase === "drop") return null;
  const pair = {
    schema: "codeflow.pair/v1" as const,
    taskId: t.taskId,
    teacher: t.teacher,
    prompt: t.prompt,
    chosen: chosen.code,
    rejected: rejected.code,
    chosenIteration: chosen.iteration,
    rejectedIteration: rejected.iteration,
    selection: { rule: o.rule, seed: o.seed },
    diff,
    completion,
  };
  if (o.tokenizer === undefined) return { unfiltered: true, pair, emptyRejected: emptyCase };
  const tokens = {
    chosen: o.tokenizer.encodeWithOffsets(completion.chosen),
    rejected: o.tokenizer.encodeWithOffsets(completion.rejected),
  };
  const k = drawContextLines(o.contextLines ?? 0, o.seed, t.taskId);
  const rejectedMask = rejectedMaskSpans(completion.rejected, completion.diff, tokens.rejected, {
    contextLines: k,
    emptyRejected: policy,
  });
  const masks = {
    tokenizer: o.tokenizer.id,
    chosen: chosenMaskSpans(completion.chosen, completion.diff, tokens.chosen, { contextLines: k }),
    rejected: rejectedMask.spans,
    emptyRejected: rejectedMask.case,
    contextLines: k,
  };
  return { unfiltered: true, pair: { ...pair, masks }, emptyRejected: emptyCase, tokens };
}
