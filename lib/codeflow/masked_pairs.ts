/**
 * The pairs a model is trained on, from either file the kit writes: the pairs of
 * `deno task synth` (`codeflow.pair/v1`, masks decided here when they carry none) or a cell's
 * stored pairs (`pipeline.preference-pair/v1`). Either way each becomes a {@linkcode MaskedPair}:
 * completions, their line diff, the context lines and the empty-`D-` case, from which any
 * tokenizer's masks are cut.
 *
 * @module
 */
import {
  type EmptyRejectedPolicy,
  FieldError,
  type MaskedPair,
  type Pair,
  readJsonl,
  type RecordValidator,
} from "../core/mod.ts";
import {
  type ContextSpec,
  drawContextLines,
  policyOfCase,
  rejectedMaskSpans,
} from "../diff/mod.ts";
import { codePointTokens } from "./export_v2.ts";
import { validateMaskedPair, validatePair } from "./validate.ts";

/** The file formats {@linkcode readMaskedPairs} reads, by their `schema` field, written once. */
export const MASKED_PAIR_SCHEMAS = ["codeflow.pair/v1", "pipeline.preference-pair/v1"] as const;

/** Options of {@linkcode readMaskedPairs}, for pairs that carry no masks of their own. */
export interface MaskedPairOptions {
  /** Context lines `k` around each `D-` hunk. @default {0} */
  readonly contextLines?: ContextSpec;
  /** @default {"keep"} */
  readonly emptyRejected?: EmptyRejectedPolicy;
  /** Seed of `"random1to2"` (drawn once per pair from the task id). @default {0} */
  readonly seed?: number;
}

/** What {@linkcode readMaskedPairs} returns. */
export interface MaskedPairs {
  readonly pairs: MaskedPair[];
  /** Pairs the `drop` policy removed (an empty `D-`). */
  readonly dropped: number;
}

/**
 * A synthesised pair's {@linkcode MaskedPair}, or `null` when its empty-`D-` policy drops it. A
 * pair with masks keeps its own context lines and case, as `deno task export` does.
 */
export function maskedPairOf(pair: Pair, options: MaskedPairOptions = {}): MaskedPair | null {
  const c = pair.completion ?? { chosen: pair.chosen, rejected: pair.rejected, diff: pair.diff };
  const k = pair.masks?.contextLines ??
    drawContextLines(options.contextLines ?? 0, options.seed ?? 0, pair.taskId);
  const recorded = pair.masks?.emptyRejected;
  const policy = (recorded && policyOfCase(recorded)) ?? options.emptyRejected ?? "keep";
  const { case: emptyRejected } = rejectedMaskSpans(
    c.rejected,
    c.diff,
    codePointTokens(c.rejected),
    {
      contextLines: k,
      emptyRejected: policy,
    },
  );
  if (emptyRejected === "drop") return null;
  const { taskId, prompt } = pair;
  return {
    taskId,
    prompt,
    chosen: c.chosen,
    rejected: c.rejected,
    diff: c.diff,
    contextLines: k,
    emptyRejected,
  };
}

/** A line of either schema, checked. */
type _Line = { readonly kind: "synth"; readonly pair: Pair } | {
  readonly kind: "stored";
  readonly pair: MaskedPair;
};

const _validate: RecordValidator<_Line> = (value) => {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema === "codeflow.pair/v1") return { kind: "synth", pair: validatePair(value) };
  if (schema === "pipeline.preference-pair/v1") {
    return { kind: "stored", pair: validateMaskedPair(value) };
  }
  throw new FieldError("schema", `one of ${MASKED_PAIR_SCHEMAS.join(", ")}`, schema);
};

/**
 * Reads a pairs file of either schema (lines may mix them). A bad line fails naming the file,
 * the line and the field.
 */
export async function readMaskedPairs(
  path: string,
  options: MaskedPairOptions = {},
): Promise<MaskedPairs> {
  const pairs: MaskedPair[] = [];
  let dropped = 0;
  for await (const { record } of readJsonl(path, _validate)) {
    const p = record.kind === "synth" ? maskedPairOf(record.pair, options) : record.pair;
    if (p === null) dropped++;
    else pairs.push(p);
  }
  return { pairs, dropped };
}
