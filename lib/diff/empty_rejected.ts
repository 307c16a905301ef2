/**
 * The empty-`D-` policy (DESIGN §2): what the rejected mask covers when the fix only adds lines.
 *
 * @module
 */
import type { EmptyRejectedCase, EmptyRejectedPolicy, PairDiff } from "../core/mod.ts";

/** The rejected-side mask of a pair at line level, before mapping to tokens. */
export interface RejectedLinePlan {
  /** Which case applied (count these to report how many pairs each case affected). */
  readonly case: EmptyRejectedCase;
  /** Rejected lines whose every overlapping token is masked in (`D-`; empty for the other cases). */
  readonly lines: readonly number[];
  /** For the `anchor-*` cases, the rejected line whose FIRST token alone is masked in. */
  readonly anchorLine: number | null;
}

/**
 * Apply an {@linkcode EmptyRejectedPolicy} to a diff. When `D-` is non-empty the policy does not
 * matter (`non-empty`). Otherwise every hunk is a pure insertion; `anchor` looks at the first one:
 * the chosen lines were inserted just before rejected line `p = hunk.rejectedStart`, so line `p`
 * is the anchor (`anchor-insertion`); when `p` is past the end (insertion after the last line),
 * the last rejected line is the anchor (`anchor-last-line`); with no hunk at all (identical code)
 * or no rejected line, there is nothing to anchor (`anchor-none`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRejectedLines } from "./empty_rejected.ts";
 * const diff = {
 *   method: "lcs" as const,
 *   rejectedLines: [],
 *   chosenLines: [1],
 *   hunks: [{ rejectedStart: 1, rejectedEnd: 1, chosenStart: 1, chosenEnd: 2 }],
 * };
 * assert.deepEqual(planRejectedLines(diff, 3, "anchor"), {
 *   case: "anchor-insertion",
 *   lines: [],
 *   anchorLine: 1,
 * });
 * assert.equal(planRejectedLines(diff, 3, "drop").case, "drop");
 * ```
 */
export function planRejectedLines(
  diff: PairDiff,
  rejectedLineCount: number,
  policy: EmptyRejectedPolicy,
): RejectedLinePlan {
  if (diff.rejectedLines.length > 0) {
    return { case: "non-empty", lines: diff.rejectedLines, anchorLine: null };
  }
  switch (policy) {
    case "keep":
      return { case: "keep", lines: [], anchorLine: null };
    case "drop":
      return { case: "drop", lines: [], anchorLine: null };
    case "anchor": {
      const first = diff.hunks.find((h) => h.chosenEnd > h.chosenStart);
      if (first === undefined || rejectedLineCount === 0) {
        return { case: "anchor-none", lines: [], anchorLine: null };
      }
      if (first.rejectedStart < rejectedLineCount) {
        return { case: "anchor-insertion", lines: [], anchorLine: first.rejectedStart };
      }
      return { case: "anchor-last-line", lines: [], anchorLine: rejectedLineCount - 1 };
    }
    default: {
      const never: never = policy;
      throw new TypeError(`unknown empty-D- policy ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The policy that produced a recorded empty-`D-` case: `null` for `non-empty` (any policy gives it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { policyOfCase } from "./empty_rejected.ts";
 * assert.equal(policyOfCase("anchor-last-line"), "anchor");
 * assert.equal(policyOfCase("non-empty"), null);
 * ```
 */
export function policyOfCase(c: EmptyRejectedCase): EmptyRejectedPolicy | null {
  switch (c) {
    case "non-empty":
      return null;
    case "keep":
    case "drop":
      return c;
    case "anchor-insertion":
    case "anchor-last-line":
    case "anchor-none":
      return "anchor";
    default: {
      const never: never = c;
      throw new Error(`unknown empty-D- case ${never}`);
    }
  }
}
