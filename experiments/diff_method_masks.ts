/**
 * Study: how many rejected tokens each diff method marks (DESIGN §3). On deterministic debugging
 * trajectories (bugs injected into small Python functions, fixed one per iteration), cut pairs
 * with `buildPairs` under each line-diff method and count the tokens of the rejected mask `m-`.
 * No training: it exercises the whole runner on a real, fast cell.
 *
 * ```sh
 * deno task experiment diff-method-masks --preset smoke
 * deno task experiment diff-method-masks --preset paper --synth.maxBugs=2
 * ```
 *
 * @module
 */
import { buildPairs } from "../lib/codeflow/mod.ts";
import {
  type DiffMethod,
  EMPTY_REJECTED_POLICIES,
  type EmptyRejectedPolicy,
  oneOf,
  SELECTION_RULES,
  type SelectionRule,
} from "../lib/core/mod.ts";
import type { CellContext, CellResult, Study, Variant } from "../lib/experiment/mod.ts";
import { mutatedTrajectories } from "./_mutated_trajectories.ts";
import { o200kOffsetTokenizer } from "./_o200k_offsets.ts";

/** A diff-method arm. */
export interface DiffMethodVariant extends Variant {
  readonly method: DiffMethod;
}

/** Scale knobs of the study. */
export type DiffMethodScale = {
  /** Trajectories (hence pairs) per seed. */
  readonly pairs: number;
};

/** Per-area defaults of the study (overridable as `--synth.maxBugs=2`, `--mask.emptyRejected=anchor`). */
export type DiffMethodBase = {
  readonly synth: {
    /** Most bugs injected into one function. */
    readonly maxBugs: number;
    /** Which failing version becomes `y-`: `random`, `first` or `last`. */
    readonly rule: SelectionRule;
  };
  readonly mask: {
    /** Policy when `D-` is empty: `keep`, `drop` or `anchor`. */
    readonly emptyRejected: EmptyRejectedPolicy;
  };
};

/**
 * One cell: the seed's trajectories, cut into pairs with the variant's diff method; metrics are
 * means over the kept pairs.
 */
async function diffMethodCell(
  ctx: CellContext<DiffMethodVariant, DiffMethodScale, DiffMethodBase>,
): Promise<CellResult> {
  const { base, seed } = ctx;
  const rule = oneOf("synth.rule", base.synth.rule, SELECTION_RULES);
  const emptyRejected = oneOf(
    "mask.emptyRejected",
    base.mask.emptyRejected,
    EMPTY_REJECTED_POLICIES,
  );
  const trajectories = mutatedTrajectories({
    count: ctx.config.scale.pairs,
    seed,
    maxBugs: base.synth.maxBugs,
  });
  const tokenizer = await o200kOffsetTokenizer();
  const built = await buildPairs(trajectories, {
    rule,
    seed,
    method: ctx.variant.method,
    emptyRejected,
    tokenizer,
  });
  let pairs = 0, marked = 0, fraction = 0, lines = 0, empty = 0;
  for (const [i, r] of built.entries()) {
    ctx.progress({ done: i + 1, total: built.length });
    if (r.kind !== "pair") continue;
    const total = tokenizer.encodeWithOffsets(r.pair.rejected).ids.length;
    const n = (r.pair.masks?.rejected ?? []).reduce((s, [a, b]) => s + b - a, 0);
    pairs++;
    marked += n;
    fraction += total === 0 ? 0 : n / total;
    lines += r.pair.diff.rejectedLines.length;
    if (r.pair.diff.rejectedLines.length === 0) empty++;
  }
  if (pairs === 0) {
    throw new Error(`seed ${seed}: no pair kept out of ${built.length} trajectories`);
  }
  return {
    metrics: {
      markedTokens: marked / pairs,
      markedFraction: fraction / pairs,
      rejectedLines: lines / pairs,
      emptyRejected: empty / pairs,
      pairs,
    },
  };
}

/** The study: LCS vs Ratcliff/Obershelp vs prefix-suffix, same pairs per seed. */
export const diffMethodMasks: Study<DiffMethodVariant, DiffMethodScale, DiffMethodBase> = {
  name: "diff-method-masks",
  description: "Rejected tokens marked by each line-diff method (DESIGN §3) on deterministic " +
    "mutated-function trajectories; o200k tokens; the same pairs for every method of a seed.",
  variants: [
    { id: "lcs", label: "LCS (Myers)", method: "lcs" },
    { id: "ratcliff", label: "Ratcliff/Obershelp", method: "ratcliff" },
    { id: "prefix-suffix", label: "Prefix-suffix", method: "prefix-suffix" },
  ],
  presets: {
    smoke: { seeds: [0, 1, 2], scale: { pairs: 24 } },
    paper: { seeds: [0, 1, 2, 3, 4], scale: { pairs: 1000 } },
  },
  base: {
    synth: { maxBugs: 3, rule: "random" },
    mask: { emptyRejected: "keep" },
  },
  metrics: [
    { key: "markedTokens", title: "marked rejected tokens / pair", digits: 2 },
    {
      key: "markedFraction",
      title: "marked share of rejected tokens (%)",
      digits: 1,
      scale: 100,
      range: [0, 100],
    },
    { key: "rejectedLines", title: "|D-| lines / pair", digits: 2 },
    { key: "emptyRejected", title: "empty D- (%)", digits: 1, scale: 100, range: [0, 100] },
  ],
  plots: [
    { kind: "bar", metric: "markedTokens" },
    { kind: "bar", metric: "markedFraction" },
  ],
  cell: diffMethodCell,
};
