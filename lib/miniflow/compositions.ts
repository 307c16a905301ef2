/**
 * Compositions of primitives and their split assignment: a composition belongs to exactly one
 * split, decided by a stable hash of its key, so held-out splits never share a composition
 * with training.
 *
 * @module
 */
import { hashString } from "../util/rng.ts";
import { FAMILIES, FAMILY_NAMES, type Primitive, PRIMITIVES } from "./primitives.ts";
import type { MiniflowFamily, MiniflowSplit, ValueType } from "./types.ts";

/** A composition: a family and its ordered primitives. */
export interface Composition {
  readonly family: MiniflowFamily;
  readonly steps: readonly Primitive[];
  /** `steps.map(name).join("+")`. */
  readonly key: string;
}

/** Fractions of compositions held out for validation and test (the rest is train). */
export interface SplitFractions {
  /** @default 0.1 */
  readonly validation: number;
  /** @default 0.1 */
  readonly test: number;
}

/** Default held-out fractions. */
export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { validation: 0.1, test: 0.1 };

/** Most body lines of a reference solution (DESIGN §5: 3–12 lines). */
export const MAX_BODY_LINES = 12;

const _SCALARS: ReadonlySet<ValueType> = new Set(["int", "str"]);

function _accepts(step: Primitive, type: ValueType): boolean {
  return step.input === type || (step.input === "any" && (type === "ints" || type === "words"));
}

function _bodyLines(steps: readonly Primitive[]): number {
  const last = steps[steps.length - 1];
  return steps.reduce((n, s) => n + s.lines.length, 0) + (last.returns ? 0 : 1);
}

/**
 * Split of a composition key: `hashString(key) / 2^32` below `1 - validation - test` is train,
 * then validation, then test. Independent of the seed, so splits are stable across runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitOf } from "./compositions.ts";
 * assert.equal(splitOf("keep_even+square+sum"), splitOf("keep_even+square+sum"));
 * assert.equal(splitOf("x", { validation: 0, test: 1 }), "test");
 * ```
 */
export function splitOf(
  key: string,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): MiniflowSplit {
  const u = hashString(`miniflow-split:${key}`) / 4294967296;
  if (u < 1 - fractions.validation - fractions.test) return "train";
  return u < 1 - fractions.test ? "validation" : "test";
}

/**
 * Every valid composition of 2–3 primitives, in a fixed order: types chain from the family's
 * argument type, scalar-producing and returning steps come last, no two steps share a group,
 * and the reference body has at most {@link MAX_BODY_LINES} lines.
 */
export function allCompositions(): Composition[] {
  const out: Composition[] = [];
  for (const family of FAMILY_NAMES) {
    const extend = (steps: Primitive[], type: ValueType) => {
      if (steps.length >= 2) {
        out.push({ family, steps, key: steps.map((s) => s.name).join("+") });
      }
      if (steps.length === 3) return;
      if (steps.length > 0 && (_SCALARS.has(type) || steps[steps.length - 1].returns)) return;
      for (const step of PRIMITIVES) {
        if (!_accepts(step, type)) continue;
        const group = step.group ?? step.name;
        if (steps.some((s) => (s.group ?? s.name) === group)) continue;
        const next = [...steps, step];
        if (_bodyLines(next) > MAX_BODY_LINES) continue;
        extend(next, step.output === "any" ? type : step.output);
      }
    };
    extend([], FAMILIES[family].type);
  }
  return out;
}

/** Compositions of one split, grouped by family (each family's list in a fixed order). */
export function compositionsBySplit(
  split: MiniflowSplit,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): ReadonlyMap<MiniflowFamily, readonly Composition[]> {
  const byFamily = new Map<MiniflowFamily, Composition[]>(FAMILY_NAMES.map((f) => [f, []]));
  for (const c of allCompositions()) {
    if (splitOf(c.key, fractions) === split) byFamily.get(c.family)!.push(c);
  }
  return byFamily;
}
