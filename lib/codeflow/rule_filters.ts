/**
 * The rule filters of DESIGN §1.3 (the LLM judge lives in lib/synth).
 *
 * @module
 */
import type { PyAstService } from "./py_ast_service.ts";
import type { Pair, PairDiff, RuleFilterName } from "../core/mod.ts";

/** Verdict of each rule filter: `true` when the pair passed (is kept by) that filter. */
export type RuleFilterVerdicts = Readonly<Record<RuleFilterName, boolean>>;

/** Options of {@linkcode runRuleFilters}. */
export interface RuleFilterOptions {
  /**
   * `too-many-lines` drops a pair with more than this many `D-` lines.
   * @default 20
   */
  readonly maxRejectedLines?: number;
  /**
   * `too-long` drops a pair whose `y+` or `y-` has more than this many tokens.
   * @default 2048
   */
  readonly maxTokens?: number;
  /**
   * Token counter for `too-long`.
   * @default the o200k BPE count of `npm:gpt-tokenizer` (special-token text counted as plain text)
   */
  readonly countTokens?: (text: string) => number;
}

/** What the filters look at. */
export interface FilterInput {
  readonly chosen: string;
  readonly rejected: string;
  readonly diff: PairDiff;
}

let _o200k: ((text: string) => number) | undefined;

/**
 * The default token counter: `npm:gpt-tokenizer`'s o200k encoding, loaded on first use. Text
 * that looks like a special token (`<|endoftext|>`) is counted as ordinary text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { o200kTokenCounter } from "./rule_filters.ts";
 * const count = await o200kTokenCounter();
 * assert.equal(count("hello world"), 2);
 * ```
 */
export async function o200kTokenCounter(): Promise<(text: string) => number> {
  if (_o200k === undefined) {
    const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
    const plain = { disallowedSpecial: new Set<string>() };
    _o200k = (text: string) => countTokens(text, plain);
  }
  return _o200k;
}

/**
 * Run the rule filters on a batch (one round trip to the Python helper for the whole batch):
 * - `comment-only`: dropped when every `D-` line is a comment or blank line by Python's
 *   `tokenize` (a line inside a multi-line string is code). When `D-` is empty (a pure
 *   insertion) the inserted `D+` lines are judged instead, so a fix that only adds comments is
 *   dropped too; an empty diff on both sides is dropped.
 * - `too-many-lines`: dropped when `|D-| > maxRejectedLines`.
 * - `too-long`: dropped when `y+` or `y-` has more than `maxTokens` tokens.
 * - `same-ast`: dropped when `y+` and `y-` parse to the same Python AST (`ast.dump`); code that
 *   does not parse counts as a different AST unless the texts are equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "../diff/line_diff.ts";
 * import { PyAstService } from "./py_ast_service.ts";
 * import { runRuleFilters } from "./rule_filters.ts";
 * const py = new PyAstService();
 * await py.start();
 * const rejected = "def f(x):\n    # add one\n    return x\n";
 * const chosen = "def f(x):\n    # add 1\n    return x\n";
 * const [v] = await runRuleFilters(
 *   [{ chosen, rejected, diff: lineDiff(rejected, chosen, "lcs") }],
 *   py,
 *   { countTokens: (t) => t.length },
 * );
 * assert.deepEqual(v, {
 *   "comment-only": false,
 *   "too-many-lines": true,
 *   "too-long": true,
 *   "same-ast": false,
 * });
 * await py.close();
 * ```
 */
export async function runRuleFilters(
  inputs: readonly FilterInput[],
  py: PyAstService,
  options: RuleFilterOptions = {},
): Promise<RuleFilterVerdicts[]> {
  const maxLines = options.maxRejectedLines ?? 20;
  const maxTokens = options.maxTokens ?? 2048;
  const count = options.countTokens ?? await o200kTokenCounter();
  const judged = inputs.map((p) =>
    p.diff.rejectedLines.length > 0
      ? { text: p.rejected, lines: p.diff.rejectedLines }
      : { text: p.chosen, lines: p.diff.chosenLines }
  );
  const [codeLines, asts] = await Promise.all([
    py.codeLines(judged.map((j) => j.text)),
    py.sameAst(inputs.map((p) => [p.rejected, p.chosen] as const)),
  ]);
  return inputs.map((p, i) => {
    const code = new Set(codeLines[i].codeLines);
    return {
      "comment-only": judged[i].lines.some((line) => code.has(line)),
      "too-many-lines": p.diff.rejectedLines.length <= maxLines,
      "too-long": count(p.chosen) <= maxTokens && count(p.rejected) <= maxTokens,
      "same-ast": !asts[i].same,
    };
  });
}

/**
 * Whether a pair passed every filter that ran on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passesFilters } from "./rule_filters.ts";
 * assert.equal(passesFilters({ filters: { "too-long": true, "same-ast": false } }), false);
 * assert.equal(passesFilters({ filters: {} }), true);
 * ```
 */
export function passesFilters(pair: Pick<Pair, "filters">): boolean {
  return Object.values(pair.filters).every((v) => v === true);
}
