/**
 * Pure construction of a MiniFlow task before the sandbox runs: composition, constants,
 * reference program with mutation sites, description and inputs.
 *
 * @module
 */
import { Random } from "./_random.ts";
import {
  compositionsBySplit,
  DEFAULT_SPLIT_FRACTIONS,
  type SplitFractions,
} from "./compositions.ts";
import { FAMILIES, FAMILY_NAMES, familyInputs } from "./primitives.ts";
import { parseProgram, substitute } from "./program.ts";
import type { MiniflowSplit, MiniflowTaskSpec } from "./types.ts";

/** Options of {@link buildTaskSpec}. */
export interface TaskSpecOptions {
  /** Seed of the whole benchmark; each task draws from `itemSeed(seed, taskId)`. */
  readonly seed: number;
  readonly split: MiniflowSplit;
  /** Task number within the split (any non-negative integer). */
  readonly index: number;
  /** Held-out fractions of compositions. @default DEFAULT_SPLIT_FRACTIONS */
  readonly fractions?: SplitFractions;
  /** Generated inputs per task (5–10). @default 8 */
  readonly cases?: number;
}

const _cache = new Map<string, ReturnType<typeof compositionsBySplit>>();

function _compositions(split: MiniflowSplit, fractions: SplitFractions) {
  const key = `${split}:${fractions.validation}:${fractions.test}`;
  let found = _cache.get(key);
  if (found === undefined) {
    found = compositionsBySplit(split, fractions);
    _cache.set(key, found);
  }
  return found;
}

/** Task id of a split and index: `miniflow/<split>/<index>`. */
export function miniflowTaskId(split: MiniflowSplit, index: number): string {
  return `miniflow/${split}/${index}`;
}

/**
 * Build task `index` of `split`. The family cycles with the index (list, string, number,
 * dict); the composition is drawn from that family's compositions in the split, and the
 * constants and inputs from the task's own seeded stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildTaskSpec } from "./task_spec.ts";
 * const a = buildTaskSpec({ seed: 1, split: "test", index: 5 });
 * assert.equal(a.taskId, "miniflow/test/5");
 * assert.equal(a.family, "string");
 * assert.deepEqual(a, buildTaskSpec({ seed: 1, split: "test", index: 5 }));
 * ```
 */
export function buildTaskSpec(options: TaskSpecOptions): MiniflowTaskSpec {
  const { seed, split, index } = options;
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  const caseCount = options.cases ?? 8;
  if (!Number.isInteger(index) || index < 0) {
    throw new Error(`MiniFlow task index must be a non-negative integer, found ${index}`);
  }
  if (!(caseCount >= 5 && caseCount <= 10)) {
    throw new Error(`MiniFlow cases per task must be in 5..10, found ${caseCount}`);
  }
  const taskId = miniflowTaskId(split, index);
  const rng = Random.forItem(seed, taskId);
  const family = FAMILY_NAMES[index % FAMILY_NAMES.length];
  const pool = _compositions(split, fractions).get(family) ?? [];
  if (pool.length === 0) {
    throw new Error(
      `MiniFlow split "${split}" has no ${family} composition with ${JSON.stringify(fractions)}`,
    );
  }
  const composition = rng.pick(pool);
  const { arg, noun } = FAMILIES[family];
  const used = new Set([arg]);
  const locals: string[] = [];
  const lines: string[] = [];
  const phrases: string[] = [];
  let input = arg;
  let lastInput = arg;
  for (const step of composition.steps) {
    let out = step.out;
    for (let n = 2; used.has(out); n++) out = `${step.out}${n}`;
    used.add(out);
    locals.push(out);
    const params = { ...step.params?.(rng), in: input, out };
    phrases.push(step.phrase(params));
    for (const line of step.lines) lines.push(substitute(line, params));
    lastInput = input;
    input = out;
  }
  const last = composition.steps[composition.steps.length - 1];
  if (!last.returns) lines.push(`⟦del⟧return ⟦ret:${input}|${lastInput}⟧`);
  return {
    taskId,
    split,
    index,
    family,
    composition: composition.steps.map((s) => s.name),
    compositionKey: composition.key,
    entryPoint: locals.join("_"),
    argName: arg,
    description: `Given ${noun} \`${arg}\`, ${phrases.join(", then ")}, and return the result.`,
    program: parseProgram(lines, locals),
    inputs: familyInputs(family, composition.steps[0], rng, caseCount),
  };
}
