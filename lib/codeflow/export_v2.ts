/**
 * Export format v2 (`schema/target-dpo-pairs.v2.schema.json`): pairs for any tokenizer. The masks
 * travel as character spans of each completion, in Unicode code points (Python's string indexing),
 * so a trainer with another tokenizer (integrations/trl) maps them to its own tokens through its
 * offsets; the kit has already decided every variant flag (diff-augmentation context widened, the
 * empty-`D-` policy applied, the hybrid split drawn by seed).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { EmptyRejectedCase, EmptyRejectedPolicy, Pair, TokenizedText } from "../core/mod.ts";
import { chosenMaskSpans, policyOfCase, rejectedMaskSpans } from "../diff/mod.ts";
import { mulberry32 } from "../util/rng.ts";

/** The `schema` field of a v2 record. */
export const EXPORT_V2_SCHEMA = "target-dpo.pairs/v2";

/** One line of a v2 export. */
export interface ExportV2Record {
  readonly schema: typeof EXPORT_V2_SCHEMA;
  readonly task_id: string;
  readonly teacher: string;
  readonly diff_method: string;
  /** The prompt as text, or as chat messages (then the completions are the assistant's turn). */
  readonly prompt:
    | string
    | readonly { readonly role: "system" | "user"; readonly content: string }[];
  readonly chosen: string;
  readonly rejected: string;
  readonly chosen_sha256: string;
  readonly rejected_sha256: string;
  /** `D+` and `D-`: 0-based line indexes of the completions. */
  readonly chosen_lines: readonly number[];
  readonly rejected_lines: readonly number[];
  /** `[start, end)` code-point spans of the `D+` mask in `chosen` (symmetric ablation). */
  readonly chosen_spans: readonly (readonly [number, number])[];
  /** `[start, end)` code-point spans of `m-` in `rejected`. */
  readonly rejected_spans: readonly (readonly [number, number])[];
  /** Context lines `k` already added around each hunk in the spans. */
  readonly context_lines: number;
  /** The empty-`D-` case the policy produced (`keep`: no rejected spans). */
  readonly empty_rejected: EmptyRejectedCase;
  /** `false` for the pairs the hybrid split trains with plain DPO (no masks). */
  readonly target_masks: boolean;
}

/** Options of {@linkcode toExportV2Record}. */
export interface ExportV2Options {
  /** Context lines when the pair carries none. @default 0 */
  readonly contextLines?: number;
  /** Empty-`D-` policy when the pair carries no case. @default "keep" */
  readonly emptyRejected?: EmptyRejectedPolicy;
  /** Write the prompt as one user message instead of text. @default false */
  readonly chat?: boolean;
  /** The hybrid split's choice for this pair. @default true */
  readonly targetMasks?: boolean;
}

/** `text` cut into one token per code point (ids are positions): masks in code-point spans. */
export function codePointTokens(text: string): TokenizedText {
  const offsets: [number, number][] = [];
  let at = 0;
  for (const ch of text) {
    offsets.push([at, at + ch.length]);
    at += ch.length;
  }
  return { ids: offsets.map((_, i) => i), offsets };
}

const _sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The v2 record of a pair, or `null` when its empty-`D-` policy drops it. The spans are the
 * kit's masks computed on code points, so a token overlaps a span exactly when it overlaps a
 * masked line (line break included) or the anchor character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toExportV2Record } from "./export_v2.ts";
 * const r = toExportV2Record({
 *   schema: "codeflow.pair/v1", taskId: "t", prompt: "p", chosen: "a\nB\n", rejected: "a\nb😀\n",
 *   teacher: { kind: "miniflow", model: "miniflow-v1" }, chosenIteration: 1, rejectedIteration: 0,
 *   selection: { rule: "random", seed: 0 }, filters: {},
 *   diff: { method: "lcs", chosenLines: [1], rejectedLines: [1], hunks: [
 *     { rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }] },
 * });
 * assert.deepEqual(r?.rejected_spans, [[2, 5]]); // "b😀\n": 3 code points
 * assert.equal(r?.empty_rejected, "non-empty");
 * ```
 */
export function toExportV2Record(pair: Pair, options: ExportV2Options = {}): ExportV2Record | null {
  const c = pair.completion ?? { chosen: pair.chosen, rejected: pair.rejected, diff: pair.diff };
  const k = pair.masks?.contextLines ?? options.contextLines ?? 0;
  const recorded = pair.masks?.emptyRejected;
  const policy = (recorded && policyOfCase(recorded)) ?? options.emptyRejected ?? "keep";
  const rejected = rejectedMaskSpans(c.rejected, c.diff, codePointTokens(c.rejected), {
    contextLines: k,
    emptyRejected: policy,
  });
  if (rejected.case === "drop") return null;
  return {
    schema: EXPORT_V2_SCHEMA,
    task_id: pair.taskId,
    teacher: `${pair.teacher.kind}:${pair.teacher.model}`,
    diff_method: c.diff.method,
    prompt: options.chat ? [{ role: "user", content: pair.prompt }] : pair.prompt,
    chosen: c.chosen,
    rejected: c.rejected,
    chosen_sha256: _sha256(c.chosen),
    rejected_sha256: _sha256(c.rejected),
    chosen_lines: c.diff.chosenLines,
    rejected_lines: c.diff.rejectedLines,
    chosen_spans: chosenMaskSpans(c.chosen, c.diff, codePointTokens(c.chosen), { contextLines: k }),
    rejected_spans: rejected.spans,
    context_lines: k,
    empty_rejected: rejected.case,
    target_masks: options.targetMasks ?? true,
  };
}

/**
 * The hybrid split: for `n` pairs, which use the Target-DPO masks (`true`) and which plain DPO,
 * half each (the extra one of an odd count takes the masks), by a shuffle seeded with `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hybridSplit } from "./export_v2.ts";
 * const split = hybridSplit(5, 1);
 * assert.equal(split.filter((x) => x).length, 3);
 * assert.deepEqual(hybridSplit(5, 1), split);
 * ```
 */
export function hybridSplit(n: number, seed: number): boolean[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = new Array<boolean>(n).fill(true);
  for (const i of order.slice(0, Math.floor(n / 2))) out[i] = false;
  return out;
}
