/**
 * The kit's shared record types: a debugging trajectory, the preference pair cut from it, its
 * line diff and token spans, and the tokenizer contract the masks need. Plain JSON-serialisable
 * data; every JSONL file the kit writes holds one of these per line, tagged by `schema`.
 *
 * @module
 */
import type {
  DiffMethod,
  EmptyRejectedCase,
  FilterName,
  SelectionRule,
  TeacherKind,
  TrajectorySource,
  Verdict,
} from "./closed_lists.ts";

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
  /**
   * 0 for the first attempt, then one per refinement iteration (at most 5); in a `sampling`
   * trajectory, the sample's index.
   */
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

/**
 * A whole debugging trajectory (DESIGN §1.1), or, with `source: "sampling"`, a task's set of
 * independent samples.
 */
export interface Trajectory {
  readonly schema: "codeflow.trajectory/v1";
  readonly taskId: string;
  readonly teacher: TeacherId;
  /** Where the versions come from; absent means `debugging`. */
  readonly source?: TrajectorySource;
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

/**
 * The completions of a pair: the code after the prompt (what a model is trained on), with the
 * line diff in the completions' line numbers. When the code does not start with the prompt (an
 * instruction prompt), the completions are the whole code and `promptLines` is 0.
 */
export interface PairCompletions {
  /** Lines of the prompt the full code starts with; the diff below is shifted by them. */
  readonly promptLines: number;
  /** `y+` after the prompt. */
  readonly chosen: string;
  /** `y-` after the prompt. */
  readonly rejected: string;
  /** `D+`/`D-` with line indexes of the completions. */
  readonly diff: PairDiff;
}

/**
 * Token masks stored with a pair as sorted spans (DESIGN §3, "Masks are data"). In records with
 * {@linkcode Pair.completion} the spans index the tokens of the completions; in older records
 * (no `completion`), the tokens of the full `chosen` and `rejected` code.
 */
export interface PairMasks {
  /** Identifier of the tokenizer the spans index into. */
  readonly tokenizer: string;
  /** `D+` token spans of the chosen completion (used by the symmetric ablation). */
  readonly chosen: readonly TokenSpan[];
  /** `D-` token spans of the rejected completion (`m-` of Eq. 4-6). */
  readonly rejected: readonly TokenSpan[];
  /** Which empty-`D-` case produced `rejected` (absent in records written before it existed). */
  readonly emptyRejected?: EmptyRejectedCase;
  /** Diff-augmentation context lines `k` around each hunk (resolved per pair); absent means 0. */
  readonly contextLines?: number;
}

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
  /** `D+`/`D-` with line indexes of the full `chosen` and `rejected` code. */
  readonly diff: PairDiff;
  /** The completions and their diff (absent in records written before it existed). */
  readonly completion?: PairCompletions;
  readonly masks?: PairMasks;
  /** Every filter that ran, with `true` when the pair passed it. */
  readonly filters: Readonly<Partial<Record<FilterName, boolean>>>;
}

/**
 * What a pair's token masks are computed from, for any tokenizer: the completions (the code after
 * the prompt), their line diff, the context lines `k` and the empty-`D-` case already decided.
 * A cell's stored pairs (`pipeline.preference-pair/v1`) are such records.
 */
export interface MaskedPair {
  readonly taskId: string;
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  /** `D+`/`D-` with line indexes of the completions. */
  readonly diff: PairDiff;
  readonly contextLines: number;
  readonly emptyRejected: EmptyRejectedCase;
}

/** Tokens of a text with their `[start, end)` character ranges (UTF-16 code units). */
export interface TokenizedText {
  readonly ids: readonly number[];
  /** `offsets[i] = [s_i, e_i)`: characters of the text covered by token `i`. */
  readonly offsets: readonly (readonly [number, number])[];
}

/**
 * The tokenizer seen by the mask code: text in, tokens with exact character offsets out. Any
 * tokenizer (the kit's BPE, a Hugging Face tokenizer's offsets) can stand behind it.
 */
export interface OffsetTokenizer {
  /** Stable identifier stored with masks (for example `bpe-o200k-compact-v1:<hash>`). */
  readonly id: string;
  encodeWithOffsets(text: string): TokenizedText;
}
