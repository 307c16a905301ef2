/**
 * The preference dataset of a cell: pairs cut from debugging trajectories (selection rule, line
 * diff, empty-`D-` policy, rule filters), completions tokenised with the model's tokenizer, and
 * token masks from lib/diff (context lines `k`, drawn once per pair per seed for
 * `"random1to2"`).
 *
 * @module
 */
import { buildPairs, type PyAstService } from "../codeflow/mod.ts";
import {
  type DiffMethod,
  EMPTY_REJECTED_CASES,
  type EmptyRejectedCase,
  type EmptyRejectedPolicy,
  type PairDiff,
  RULE_FILTER_NAMES,
  type RuleFilterName,
  type SelectionRule,
  type TokenSpan,
  type Trajectory,
} from "../core/mod.ts";
import {
  chosenMaskSpans,
  type ContextSpec,
  drawContextLines,
  rejectedMaskSpans,
  splitLines,
} from "../diff/mod.ts";
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
  /** Trajectories whose last version passes. */
  readonly passing: number;
  /** Passing trajectories with at least one failing version (one pair candidate each). */
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

/** Options of {@linkcode buildPreferenceDataset}. */
export interface PreferenceDatasetOptions {
  readonly trajectories: readonly Trajectory[];
  /** The base model's tokenizer (ids and offsets). */
  readonly tokenizer: ModelTokenizer;
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
}

/** What {@linkcode buildPreferenceDataset} returns; `examples[i]` is `records[i]` tokenised. */
export interface PreferenceDataset {
  readonly examples: PreferenceExample[];
  readonly records: PreferenceRecord[];
  readonly counts: PreferenceDatasetCounts;
}

/**
 * The completion of `code` after `prompt` and the number of prompt lines to shift the diff by:
 * `code` minus the prompt when it starts with a prompt that ends a line (MiniFlow's `prompt +
 * body`), else the whole code (an instruction prompt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionOf } from "./preference_dataset.ts";
 * assert.deepEqual(completionOf("def f(x):\n", "def f(x):\n    return x\n"), {
 *   completion: "    return x\n",
 *   lineOffset: 1,
 * });
 * assert.deepEqual(completionOf("Write f.", "def f(x):\n"), { completion: "def f(x):\n", lineOffset: 0 });
 * ```
 */
export function completionOf(
  prompt: string,
  code: string,
): { completion: string; lineOffset: number } {
  if (prompt.endsWith("\n") && code.startsWith(prompt)) {
    return { completion: code.slice(prompt.length), lineOffset: splitLines(prompt).length };
  }
  return { completion: code, lineOffset: 0 };
}

/**
 * A full-code diff as a diff of the completions: every line index minus `offset` (the prompt's
 * lines). A hunk inside the prompt is an error naming the task: the prompt must not change
 * between versions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shiftDiff } from "./preference_dataset.ts";
 * const diff = { method: "lcs" as const, chosenLines: [3], rejectedLines: [3],
 *   hunks: [{ rejectedStart: 3, rejectedEnd: 4, chosenStart: 3, chosenEnd: 4 }] };
 * assert.deepEqual(shiftDiff(diff, 2, "t").hunks, [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }]);
 * assert.throws(() => shiftDiff(diff, 4, "t"), /t: the diff changes prompt line 3/);
 * ```
 */
export function shiftDiff(diff: PairDiff, offset: number, taskId: string): PairDiff {
  if (offset === 0) return diff;
  for (const h of diff.hunks) {
    const inPrompt = (start: number, end: number) => end > start && start < offset;
    if (inPrompt(h.rejectedStart, h.rejectedEnd) || inPrompt(h.chosenStart, h.chosenEnd)) {
      throw new Error(
        `${taskId}: the diff changes prompt line ${
          Math.min(h.rejectedStart, h.chosenStart)
        } (the prompt has ${offset} lines); chosen and rejected must share the prompt`,
      );
    }
  }
  const s = (x: number) => Math.max(0, x - offset);
  return {
    method: diff.method,
    chosenLines: diff.chosenLines.map(s),
    rejectedLines: diff.rejectedLines.map(s),
    hunks: diff.hunks.map((h) => ({
      rejectedStart: s(h.rejectedStart),
      rejectedEnd: s(h.rejectedEnd),
      chosenStart: s(h.chosenStart),
      chosenEnd: s(h.chosenEnd),
    })),
  };
}

/**
 * Cut, filter, tokenise and mask the pairs of `trajectories` (one candidate per passing
 * trajectory with a failing version). `examples` hold the model's token ids: the prompt starts
 * with BOS (as the evaluator's prompts do), completions have no EOS (`preparePair` adds it).
 */
export async function buildPreferenceDataset(
  options: PreferenceDatasetOptions,
): Promise<PreferenceDataset> {
  const { tokenizer, seed } = options;
  const rule = options.rule ?? "random";
  const spec = options.contextLines ?? 0;
  const policy = options.emptyRejected ?? "keep";
  const built = await buildPairs(options.trajectories, {
    rule,
    seed,
    method: options.method ?? "lcs",
    emptyRejected: policy,
    pyAst: options.pyAst,
    filters: {
      maxRejectedLines: options.maxRejectedLines ?? 20,
      maxTokens: options.maxTokens ?? 2048,
      countTokens: (text) => tokenizer.encode(text).length,
    },
  });
  const emptyRejected = Object.fromEntries(EMPTY_REJECTED_CASES.map((c) => [c, 0])) as Record<
    EmptyRejectedCase,
    number
  >;
  const filterFailures = Object.fromEntries(RULE_FILTER_NAMES.map((f) => [f, 0])) as Record<
    RuleFilterName,
    number
  >;
  let passing = 0, candidates = 0, filtered = 0;
  const examples: PreferenceExample[] = [];
  const records: PreferenceRecord[] = [];
  for (const r of built) {
    if (r.kind === "skipped") {
      if (r.reason !== "never-passed") passing++;
      if (r.reason === "empty-rejected") {
        candidates++;
        emptyRejected.drop++;
      }
      continue;
    }
    passing++;
    candidates++;
    emptyRejected[r.emptyRejected]++;
    const failed = RULE_FILTER_NAMES.filter((f) => r.pair.filters[f] !== true);
    for (const f of failed) filterFailures[f]++;
    if (failed.length > 0) {
      filtered++;
      continue;
    }
    const { pair } = r;
    const chosen = completionOf(pair.prompt, pair.chosen);
    const rejected = completionOf(pair.prompt, pair.rejected);
    if (chosen.lineOffset !== rejected.lineOffset) {
      throw new Error(
        `${pair.taskId}: only one of chosen and rejected starts with the prompt; expected both ` +
          "or neither",
      );
    }
    const diff = shiftDiff(pair.diff, chosen.lineOffset, pair.taskId);
    const k = drawContextLines(spec, seed, pair.taskId);
    const chosenTok = tokenizer.encodeWithOffsets(chosen.completion);
    const rejectedTok = tokenizer.encodeWithOffsets(rejected.completion);
    const rejectedMask = rejectedMaskSpans(rejected.completion, diff, rejectedTok, {
      contextLines: k,
      emptyRejected: policy,
    });
    if (rejectedMask.case !== r.emptyRejected) {
      throw new Error(
        `${pair.taskId}: empty-D- case ${rejectedMask.case} of the completion differs from ` +
          `${r.emptyRejected} of the full code`,
      );
    }
    const chosenSpans = chosenMaskSpans(chosen.completion, diff, chosenTok, { contextLines: k });
    records.push({
      schema: "pipeline.preference-pair/v1",
      taskId: pair.taskId,
      prompt: pair.prompt,
      chosen: chosen.completion,
      rejected: rejected.completion,
      chosenIteration: pair.chosenIteration,
      rejectedIteration: pair.rejectedIteration,
      diff,
      contextLines: k,
      emptyRejected: rejectedMask.case,
      masks: { tokenizer: tokenizer.id, chosen: chosenSpans, rejected: rejectedMask.spans },
    });
    examples.push({
      id: pair.taskId,
      promptIds: [tokenizer.bosId, ...tokenizer.encode(pair.prompt)],
      chosenIds: chosenTok.ids,
      rejectedIds: rejectedTok.ids,
      chosenSpans,
      rejectedSpans: rejectedMask.spans,
    });
  }
  return {
    examples,
    records,
    counts: {
      trajectories: options.trajectories.length,
      passing,
      candidates,
      emptyRejected,
      filtered,
      filterFailures,
      kept: examples.length,
    },
  };
}
