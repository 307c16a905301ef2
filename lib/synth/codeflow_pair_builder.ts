/**
 * The default {@linkcode PairBuilder}: lib/codeflow's `buildPairs` (selection, line diff, masks,
 * rule filters) behind the synthesis loop.
 *
 * @module
 */
import { buildPairs } from "../codeflow/build_pair.ts";
import { PyAstService } from "../codeflow/py_ast_service.ts";
import type { RuleFilterOptions } from "../codeflow/rule_filters.ts";
import type { PassFailOptions } from "../codeflow/pass_vs_fail.ts";
import {
  type DiffMethod,
  type EmptyRejectedPolicy,
  RULE_FILTER_NAMES,
  type SelectionRule,
} from "../core/mod.ts";
import type { OffsetTokenizer } from "../core/mod.ts";
import type { PairBuilder } from "./synthesize.ts";

/** Options of {@linkcode codeflowPairBuilder}. */
export interface CodeflowPairOptions {
  /** Rejected-version rule. @default "random" */
  readonly selection?: SelectionRule;
  /** Seed of the `random` rule. @default 0 */
  readonly seed?: number;
  /** Line-diff method. @default "lcs" */
  readonly diff?: DiffMethod;
  /** Policy for an empty `D-` (DESIGN §2). @default "keep" */
  readonly emptyRejected?: EmptyRejectedPolicy;
  /** Tokenizer of the stored token masks; without one, pairs carry no masks. @default undefined */
  readonly tokenizer?: OffsetTokenizer;
  /** Limits of the rule filters. @default {} (lib/codeflow's defaults: 20 lines, 2048 tokens) */
  readonly filters?: RuleFilterOptions;
  /** Python interpreter of the AST helper. @default "/usr/bin/python3" */
  readonly python?: string;
  /**
   * Ranking and least pass-rate gap of the `pass-vs-fail` selection (a synthesis run keeps one
   * pair per task; a cell may take more, see lib/pipeline's `data.sampling.pairsPerTask`).
   * @default {}
   */
  readonly passFail?: Omit<PassFailOptions, "seed" | "pairsPerTask">;
}

/**
 * Start the pair builder (it owns lib/codeflow's Python AST helper process: `close()` it). A
 * pair failing rule filters is dropped with the first failing filter of
 * lib/core's `RULE_FILTER_NAMES` as its reason (every verdict stays in `pair.filters`); a
 * trajectory `buildPairs` skips is dropped with its reason (`empty-rejected`, …).
 */
export async function codeflowPairBuilder(
  options: CodeflowPairOptions = {},
): Promise<{ readonly build: PairBuilder; close(): Promise<void> }> {
  const pyAst = new PyAstService(options.python === undefined ? {} : { python: options.python });
  await pyAst.start();
  const build: PairBuilder = async (t) => {
    const [r] = await buildPairs([t], {
      rule: options.selection ?? "random",
      seed: options.seed ?? 0,
      method: options.diff ?? "lcs",
      emptyRejected: options.emptyRejected ?? "keep",
      pyAst,
      ...(options.tokenizer === undefined ? {} : { tokenizer: options.tokenizer }),
      ...(options.filters === undefined ? {} : { filters: options.filters }),
      ...(options.passFail === undefined ? {} : { passFail: options.passFail }),
    });
    switch (r.kind) {
      case "skipped":
        return { kind: "drop", reason: r.reason };
      case "pair": {
        const failed = RULE_FILTER_NAMES.find((f) => r.pair.filters[f] !== true);
        return failed === undefined
          ? { kind: "pair", pair: r.pair }
          : { kind: "drop", reason: failed, pair: r.pair };
      }
      default: {
        const never: never = r;
        throw new Error(`unknown buildPairs result ${JSON.stringify(never)}`);
      }
    }
  };
  return { build, close: () => pyAst.close() };
}
