/**
 * Cut a preference pair from a trajectory: selection, diff, masks and rule filters.
 *
 * @module
 */
import { planRejectedLines } from "../diff/empty_rejected.ts";
import { lineDiff } from "../diff/line_diff.ts";
import { lineTexts } from "../diff/lines.ts";
import { chosenMaskSpans, rejectedMaskSpans } from "../diff/pair_masks.ts";
import type { OffsetTokenizer } from "../core/mod.ts";
import type { PyAstService } from "./py_ast_service.ts";
import { type RuleFilterOptions, runRuleFilters } from "./rule_filters.ts";
import { selectVersions } from "./select_versions.ts";
import type {
  DiffMethod,
  EmptyRejectedCase,
  EmptyRejectedPolicy,
  Pair,
  PairMasks,
  SelectionRule,
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
   * When given, token masks (`D+` and `D-` spans, no context lines) are stored with each pair.
   * @default undefined (no masks)
   */
  readonly tokenizer?: OffsetTokenizer;
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
}

/** The outcome for one trajectory. */
export type BuildPairResult =
  | {
    readonly kind: "pair";
    readonly pair: Pair;
    /** Which empty-`D-` case applied (count them to report how many pairs each affected). */
    readonly emptyRejected: EmptyRejectedCase;
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
  const method = options.method ?? "lcs";
  const policy = options.emptyRejected ?? "keep";
  const results: (BuildPairResult | Omit<Pair, "filters">)[] = [];
  const cases: EmptyRejectedCase[] = [];
  for (const t of trajectories) {
    const selection = selectVersions(t, { rule, seed });
    if (selection.kind === "none") {
      results.push({ kind: "skipped", taskId: t.taskId, reason: selection.reason });
      cases.push("non-empty");
      continue;
    }
    const { chosen, rejected } = selection;
    const diff = lineDiff(rejected.code, chosen.code, method);
    const emptyCase = planRejectedLines(diff, lineTexts(rejected.code).length, policy).case;
    if (emptyCase === "drop") {
      results.push({ kind: "skipped", taskId: t.taskId, reason: "empty-rejected" });
      cases.push("drop");
      continue;
    }
    let masks: PairMasks | undefined;
    if (options.tokenizer !== undefined) {
      const tok = options.tokenizer;
      const rejectedMask = rejectedMaskSpans(
        rejected.code,
        diff,
        tok.encodeWithOffsets(rejected.code),
        { emptyRejected: policy },
      );
      masks = {
        tokenizer: tok.id,
        chosen: chosenMaskSpans(chosen.code, diff, tok.encodeWithOffsets(chosen.code)),
        rejected: rejectedMask.spans,
        emptyRejected: rejectedMask.case,
      };
    }
    cases.push(emptyCase);
    results.push({
      schema: "codeflow.pair/v1",
      taskId: t.taskId,
      teacher: t.teacher,
      prompt: t.prompt,
      chosen: chosen.code,
      rejected: rejected.code,
      chosenIteration: chosen.iteration,
      rejectedIteration: rejected.iteration,
      selection: { rule, seed },
      diff,
      ...(masks === undefined ? {} : { masks }),
    });
  }
  const unfiltered = results.filter((r): r is Omit<Pair, "filters"> => !("kind" in r));
  const verdicts = options.pyAst === undefined
    ? unfiltered.map(() => ({}))
    : await runRuleFilters(unfiltered, options.pyAst, options.filters);
  let next = 0;
  return results.map((r, i): BuildPairResult => {
    if ("kind" in r) return r;
    const pair: Pair = { ...r, filters: verdicts[next++] };
    return { kind: "pair", pair, emptyRejected: cases[i] };
  });
}
