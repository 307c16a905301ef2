/**
 * Export pairs to the public reference format and to TRL-style JSONL.
 *
 * @module
 */
import { atomicWriteChunks } from "../core/mod.ts";
import { passesFilters } from "./rule_filters.ts";
import type { Pair, TokenSpan } from "../core/mod.ts";

/** One record of the public reference format (a JSON list of these). */
export interface ReferenceRecord {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
}

/**
 * One TRL-style JSONL record: TRL's `prompt`/`chosen`/`rejected` columns plus the masks as
 * completion-token spans and the critical lines, so a masked DPO trainer can read it directly.
 */
export interface TrlRecord {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  /** `m-` spans over the rejected completion's tokens; `null` when the pair has no masks. */
  readonly rejected_mask_spans: readonly TokenSpan[] | null;
  /** `D+` spans over the chosen completion's tokens (symmetric ablation); `null` without masks. */
  readonly chosen_mask_spans: readonly TokenSpan[] | null;
  readonly mask_tokenizer: string | null;
  readonly rejected_lines: readonly number[];
  readonly chosen_lines: readonly number[];
  readonly diff_method: string;
  readonly task_id: string;
  readonly teacher: string;
}

/** Options of the exporters. */
export interface ExportOptions {
  /**
   * Export only pairs that passed every filter that ran on them.
   * @default true
   */
  readonly onlyPassing?: boolean;
}

/**
 * The reference record of a pair.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toReferenceRecord } from "./export_pairs.ts";
 * assert.deepEqual(toReferenceRecord({ prompt: "p", chosen: "c", rejected: "r" }), {
 *   prompt: "p", chosen: "c", rejected: "r",
 * });
 * ```
 */
export function toReferenceRecord(
  pair: Pick<Pair, "prompt" | "chosen" | "rejected">,
): ReferenceRecord {
  return { prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected };
}

/**
 * The TRL-style record of a pair.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toTrlRecord } from "./export_pairs.ts";
 * const r = toTrlRecord({
 *   schema: "codeflow.pair/v1", taskId: "t", prompt: "p", chosen: "c\n", rejected: "r\n",
 *   teacher: { kind: "miniflow", model: "miniflow-v1" }, chosenIteration: 1, rejectedIteration: 0,
 *   selection: { rule: "random", seed: 0 }, filters: {},
 *   diff: { method: "lcs", chosenLines: [0], rejectedLines: [0], hunks: [] },
 *   masks: { tokenizer: "tok", chosen: [[0, 2]], rejected: [[0, 1]] },
 * });
 * assert.deepEqual(r.rejected_mask_spans, [[0, 1]]);
 * assert.equal(r.teacher, "miniflow:miniflow-v1");
 * ```
 */
export function toTrlRecord(pair: Pair): TrlRecord {
  // TRL trains on prompt + completion: a pair whose code starts with its prompt (MiniFlow,
  // HumanEval-style stubs) exports the completions, whose tokens the masks index.
  const c = pair.completion ?? { chosen: pair.chosen, rejected: pair.rejected, diff: pair.diff };
  return {
    prompt: pair.prompt,
    chosen: c.chosen,
    rejected: c.rejected,
    rejected_mask_spans: pair.masks?.rejected ?? null,
    chosen_mask_spans: pair.masks?.chosen ?? null,
    mask_tokenizer: pair.masks?.tokenizer ?? null,
    rejected_lines: c.diff.rejectedLines,
    chosen_lines: c.diff.chosenLines,
    diff_method: pair.diff.method,
    task_id: pair.taskId,
    teacher: `${pair.teacher.kind}:${pair.teacher.model}`,
  };
}

/**
 * Write pairs as the public reference format: one JSON list of `{prompt, chosen, rejected}`,
 * streamed (one record per line inside the list). Returns the number of records written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeReferenceJson } from "./export_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * assert.equal(await writeReferenceJson(path, []), 0);
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), []);
 * await Deno.remove(path);
 * ```
 */
export async function writeReferenceJson(
  path: string,
  pairs: Iterable<Pair> | AsyncIterable<Pair>,
  options: ExportOptions = {},
): Promise<number> {
  let count = 0;
  async function* chunks(): AsyncGenerator<string> {
    yield "[";
    for await (const pair of _exported(pairs, options)) {
      yield (count++ === 0 ? "\n" : ",\n") + JSON.stringify(toReferenceRecord(pair));
    }
    yield count === 0 ? "]\n" : "\n]\n";
  }
  await atomicWriteChunks(path, chunks());
  return count;
}

/**
 * Write pairs as TRL-style JSONL ({@linkcode TrlRecord} per line), replacing the file. Returns
 * the number of records written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeTrlJsonl } from "./export_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * assert.equal(await writeTrlJsonl(path, []), 0);
 * assert.equal(await Deno.readTextFile(path), "");
 * await Deno.remove(path);
 * ```
 */
export async function writeTrlJsonl(
  path: string,
  pairs: Iterable<Pair> | AsyncIterable<Pair>,
  options: ExportOptions = {},
): Promise<number> {
  let count = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const pair of _exported(pairs, options)) {
      count++;
      yield JSON.stringify(toTrlRecord(pair)) + "\n";
    }
  }
  await atomicWriteChunks(path, lines());
  return count;
}

/** The pairs an export writes: those that passed every filter that ran, unless told otherwise. */
async function* _exported(
  pairs: Iterable<Pair> | AsyncIterable<Pair>,
  options: ExportOptions,
): AsyncGenerator<Pair> {
  const onlyPassing = options.onlyPassing ?? true;
  for await (const pair of pairs) if (!onlyPassing || passesFilters(pair)) yield pair;
}
