/**
 * Diff-augmentation: context lines around each `D-` hunk (DESIGN §2, "Diff-augmentation(k)").
 *
 * @module
 */
import type { Hunk } from "../core/mod.ts";
import { itemSeed, mulberry32 } from "../util/rng.ts";

/** Context size: a fixed number of lines, or 1 or 2 drawn once per pair. */
export type ContextSpec = number | "random1to2";

/**
 * Resolve a {@linkcode ContextSpec} to a number of lines, drawing from `rng` only for
 * `"random1to2"` (one draw: `1 + floor(2 * rng())`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveContextLines } from "./context.ts";
 * assert.equal(resolveContextLines(3, () => 0.9), 3);
 * assert.equal(resolveContextLines("random1to2", () => 0.49), 1);
 * assert.equal(resolveContextLines("random1to2", () => 0.5), 2);
 * ```
 */
export function resolveContextLines(spec: ContextSpec, rng: () => number): number {
  if (spec === "random1to2") return 1 + Math.floor(2 * rng());
  if (!Number.isInteger(spec) || spec < 0) {
    throw new RangeError(
      `context lines must be a non-negative integer or "random1to2", got ${spec}`,
    );
  }
  return spec;
}

/**
 * The context size of one pair under one seed: `"random1to2"` is drawn from
 * `mulberry32(itemSeed(seed, key))`, with `key` the pair's identity (for example its task id), so
 * the policy and the reference see the same mask and the draw does not depend on batch order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawContextLines } from "./context.ts";
 * const k = drawContextLines("random1to2", 7, "task-1");
 * assert.equal(drawContextLines("random1to2", 7, "task-1"), k);
 * assert.ok(k === 1 || k === 2);
 * ```
 */
export function drawContextLines(spec: ContextSpec, seed: number, key: string): number {
  return resolveContextLines(spec, mulberry32(itemSeed(seed, key)));
}

/**
 * Rejected line indexes covered by the `D-` hunks (hunks with at least one rejected line) widened
 * by `k` lines before and `k` after, clipped to `[0, rejectedLineCount)`. Pure insertions are not
 * `D-` hunks and add nothing. Sorted and unique.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandRejectedLines } from "./context.ts";
 * const hunks = [
 *   { rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 },
 *   { rejectedStart: 6, rejectedEnd: 6, chosenStart: 6, chosenEnd: 7 },
 *   { rejectedStart: 7, rejectedEnd: 8, chosenStart: 8, chosenEnd: 8 },
 * ];
 * assert.deepEqual(expandRejectedLines(hunks, 8, 2), [0, 1, 2, 3, 5, 6, 7]);
 * ```
 */
export function expandRejectedLines(
  hunks: readonly Hunk[],
  rejectedLineCount: number,
  k: number,
): number[] {
  return _expand(hunks.map((h) => [h.rejectedStart, h.rejectedEnd]), rejectedLineCount, k);
}

/**
 * Chosen-side twin of {@linkcode expandRejectedLines}, for the symmetric ablation: `D+` hunks
 * widened by `k` lines, clipped to `[0, chosenLineCount)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandChosenLines } from "./context.ts";
 * const hunks = [{ rejectedStart: 1, rejectedEnd: 1, chosenStart: 1, chosenEnd: 2 }];
 * assert.deepEqual(expandChosenLines(hunks, 3, 1), [0, 1, 2]);
 * ```
 */
export function expandChosenLines(
  hunks: readonly Hunk[],
  chosenLineCount: number,
  k: number,
): number[] {
  return _expand(hunks.map((h) => [h.chosenStart, h.chosenEnd]), chosenLineCount, k);
}

function _expand(ranges: [number, number][], count: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 0) {
    throw new RangeError(`context lines must be a non-negative integer, got ${k}`);
  }
  const covered = new Uint8Array(count);
  for (const [start, end] of ranges) {
    if (end <= start) continue;
    const lo = Math.max(0, start - k);
    const hi = Math.min(count, end + k);
    for (let x = lo; x < hi; x++) covered[x] = 1;
  }
  const out: number[] = [];
  for (let x = 0; x < count; x++) if (covered[x]) out.push(x);
  return out;
}
