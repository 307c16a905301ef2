/**
 * The preference dataset of a cell: pairs cut from debugging trajectories by lib/codeflow
 * (selection rule, line diff, empty-`D-` policy, rule filters, and the completions' token masks
 * with the model's tokenizer, context lines `k` drawn once per pair per seed for
 * `"random1to2"`), counted stage by stage and stored as data.
 *
 * @module
 */
import {
  type BuildPairResult,
  buildPairs,
  type PassFailOptions,
  type PyAstService,
} from "../codeflow/mod.ts";
import {
  type DiffMethod,
  EMPTY_REJECTED_CASES,
  type EmptyRejectedCase,
  type EmptyRejectedPolicy,
  type OffsetTokenizer,
  type PairDiff,
  type PairMasks,
  RULE_FILTER_NAMES,
  type RuleFilterName,
  type SelectionRule,
  type TokenSpan,
  type Trajectory,
} from "../core/mod.ts";
import type { ContextSpec } from "../diff/mod.ts";
import type { ModelTokenizer } from "../model/types.ts";
import type { PreferenceExample } from "../train/mod.ts";

/** One pair of the dataset as stored in the cell folder (`pairs.jsonl`): masks are data. */
export interface PreferenceRecord {
  readonly schema: "pipeline.preference-pair/v1";
  readonly taskId: string;
  /** The model's prompt (the task prompt; BOS is added at tokenisation). */
  readonly prompt: string;
  /** `y+` completion: the code after the prompt. */
  readonly chosen: string;
  /** `y-` completion. */
  readonly rejected: string;
  readonly chosenIteration: number;
  readonly rejectedIteration: number;
  /** `D+`/`D-` with line indexes of the completions. */
  readonly diff: PairDiff;
  /** Context lines used for this pair (resolved from `"random1to2"`). */
  readonly contextLines: number;
  readonly emptyRejected: EmptyRejectedCase;
  readonly masks: {
    readonly tokenizer: string;
    /** `D+` token spans of the chosen completion (with the context lines). */
    readonly chosen: readonly TokenSpan[];
    /** `m-`: token spans of the rejected completion. */
    readonly rejected: readonly TokenSpan[];
  };
}

/** How many trajectories and pairs each stage kept or dropped. */
export interface PreferenceDatasetCounts {
  readonly trajectories: number;
  /**
   * Teacher calls behind the trajectories: one per version (iteration 0 comes with the task's
   * proposal), so sampling and debugging sources compare at their real budget.
   */
  readonly teacherCalls: number;
  /** Trajectories with a passing version. */
  readonly passing: number;
  /**
   * Pair candidates: one per passing trajectory with a failing version (up to `pairsPerTask` per
   * task under `pass-vs-fail`).
   */
  readonly candidates: number;
  /** Candidates by empty-`D-` case; the cases add up to `candidates`. */
  readonly emptyRejected: Readonly<Record<EmptyRejectedCase, number>>;
  /** Candidates failing at least one rule filter (the `drop` cases excluded). */
  readonly filtered: number;
  /** Failures per rule filter (a pair may fail several). */
  readonly filterFailures: Readonly<Record<RuleFilterName, number>>;
  /** Pairs in the dataset: `candidates - emptyRejected.drop - filtered`. */
  readonly kept: number;
}

/** How a model reads a pair: its tokenizer (ids and offsets) and its prompt ids. */
export interface PairTokenization {
  /** Ids and offsets of completions (the masks) and of full codes (the `too-long` filter). */
  readonly tokenizer: OffsetTokenizer;
  /** The prompt's ids as the model reads it (BOS, a chat template). */
  readonly promptIds: (prompt: string) => readonly number[];
}

/**
 * The kit's own models read a pair with their tokenizer, the prompt after BOS (as the
 * evaluator's prompts are).
 */
export function kitTokenization(tokenizer: ModelTokenizer): PairTokenization {
  return { tokenizer, promptIds: (prompt) => [tokenizer.bosId, ...tokenizer.encode(prompt)] };
}

/** Options of {@linkcode buildPreferenceDataset}. */
export interface PreferenceDatasetOptions extends PairTokenization {
  readonly trajectories: readonly Trajectory[];
  /** The Python helper of the rule filters (started by the caller). */
  readonly pyAst: PyAstService;
  /** Seed of the `random` selection rule and of `"random1to2"`. */
  readonly seed: number;
  /** @default {"random"} */
  readonly rule?: SelectionRule;
  /** @default {"lcs"} */
  readonly method?: DiffMethod;
  /** @default {0} */
  readonly contextLines?: ContextSpec;
  /** @default {"keep"} */
  readonly emptyRejected?: EmptyRejectedPolicy;
  /** Rule filter `too-many-lines`. @default {20} */
  readonly maxRejectedLines?: number;
  /** Rule filter `too-long`, in tokens of `tokenizer`. @default {2048} */
  readonly maxTokens?: number;
  /** Options of the `pass-vs-fail` rule (used only under it). @default {} */
  readonly passFail?: Omit<PassFailOptions, "seed">;
}

/** What {@linkcode buildPreferenceDataset} returns; `examples[i]` is `records[i]` tokenised. */
export interface PreferenceDataset {
  readonly examples: PreferenceExample[];
  readonly records: PreferenceRecord[];
  readonly counts: PreferenceDatasetCounts;
}

/**
 * Cut, filter, tokenise and mask the pairs of `trajectories` (one candidate per passing
 * trajectory with a failing version) through lib/codeflow's `buildPairs`, which computes each
 * pair's completion-relative diff and masks once. `examples` hold the model's token ids: the prompt as
 * `promptIds` gives it, completions without EOS (`preparePair` adds it).
 */
export async function buildPreferenceDataset(
  options: PreferenceDatasetOptions,
): Promise<PreferenceDataset> {
  const { tokenizer, seed } = options;
  const built = await buildPairs(options.trajectories, {
    rule: options.rule ?? "random",
    seed,
    method: options.method ?? "lcs",
    emptyRejected: options.emptyRejected ?? "keep",
    tokenizer,
    contextLines: options.contextLines ?? 0,
    pyAst: options.pyAst,
    filters: {
      maxRejectedLines: options.maxRejectedLines ?? 20,
      maxTokens: options.maxTokens ?? 2048,
      countTokens: (text) => tokenizer.encodeWithOffsets(text).ids.length,
    },
    passFail: options.passFail ?? {},
  });
  const counts = _countStages(options.trajectories, built);
  const kept = built.filter((r): r is _Kept =>
    r.kind === "pair" && RULE_FILTER_NAMES.every((f) => r.pair.filters[f] === true)
  );
  return {
    records: kept.map(_record),
    examples: kept.map((r) => ({
      id: r.pair.taskId,
      promptIds: [...options.promptIds(r.pair.prompt)],
      chosenIds: r.tokens.chosen.ids,
      rejectedIds: r.tokens.rejected.ids,
      chosenSpans: r.pair.masks.chosen,
      rejectedSpans: r.pair.masks.rejected,
    })),
    counts: { ...counts, kept: kept.length },
  };
}

/** A pair that passed every rule filter, cut with a tokenizer (so with masks and tokens). */
type _Kept = BuildPairResult & {
  readonly kind: "pair";
  readonly pair: { readonly masks: PairMasks };
  readonly tokens: NonNullable<Extract<BuildPairResult, { kind: "pair" }>["tokens"]>;
};

/** The stored record of a kept pair: its completions, their diff, and the masks as data. */
function _record(r: _Kept): PreferenceRecord {
  const { pair } = r;
  return {
    schema: "pipeline.preference-pair/v1",
    taskId: pair.taskId,
    prompt: pair.prompt,
    chosen: pair.completion.chosen,
    rejected: pair.completion.rejected,
    chosenIteration: pair.chosenIteration,
    rejectedIteration: pair.rejectedIteration,
    diff: pair.completion.diff,
    contextLines: pair.masks.contextLines ?? 0,
    emptyRejected: r.emptyRejected,
    masks: {
      tokenizer: pair.masks.tokenizer,
      chosen: pair.masks.chosen,
      rejected: pair.masks.rejected,
    },
  };
}

/** How many trajectories and pairs each stage kept or dropped (all but `kept`). */
function _countStages(
  trajectories: readonly Trajectory[],
  built: readonly BuildPairResult[],
): Omit<PreferenceDatasetCounts, "kept"> {
  const emptyRejected = Object.fromEntries(EMPTY_REJECTED_CASES.map((c) => [c, 0])) as Record<
    EmptyRejectedCase,
    number
  >;
  const filterFailures = Object.fromEntries(RULE_FILTER_NAMES.map((f) => [f, 0])) as Record<
    RuleFilterName,
    number
  >;
  // Under `pass-vs-fail` one trajectory may give several results: passing counts tasks.
  const passing = new Set<string>();
  let candidates = 0, filtered = 0;
  for (const r of built) {
    if (r.kind === "skipped") {
      if (r.reason !== "never-passed") passing.add(r.taskId);
      if (r.reason === "empty-rejected") {
        candidates++;
        emptyRejected.drop++;
      }
      continue;
    }
    passing.add(r.pair.taskId);
    candidates++;
    emptyRejected[r.emptyRejected]++;
    const failed = RULE_FILTER_NAMES.filter((f) => r.pair.filters[f] !== true);
    for (const f of failed) filterFailures[f]++;
    if (failed.length > 0) filtered++;
  }
  return {
    trajectories: trajectories.length,
    teacherCalls: trajectories.reduce((n, t) => n + t.versions.length, 0),
    passing: passing.size,
    candidates,
    emptyRejected,
    filtered,
    filterFailures,
  };
}
