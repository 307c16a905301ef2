/**
 * Which per-token masks a loss variant sums over, for one pair (for inspection and plots; the
 * loss functions apply the same choice to whole batches).
 *
 * @module
 */
import type { PairTokenMasks } from "./pair_masks.ts";
import type { LossVariant } from "./types.ts";

/**
 * How a variant masks the two sides of its preference term:
 * - `full`: `m = 1` on both sides (DPO Eq. 2, RPO, SFT);
 * - `target`: `m = 1` on `y+`, `m-` (`D-` tokens) on `y-` (Target-DPO Eq. 4-6, Target-RPO);
 * - `symmetric`: `D+` tokens on `y+`, `D-` tokens on `y-`.
 */
export type MaskMode = "full" | "target" | "symmetric";

/**
 * The mask mode of a variant. For `hybrid`, `hybridTarget` says whether this pair drew the
 * Target-DPO half of its batch ({@link hybridTargetFlags}).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { maskModeOf } from "./variant_masks.ts";
 * equal(maskModeOf("target-rpo"), "target");
 * equal(maskModeOf("hybrid", { hybridTarget: false }), "full");
 * ```
 */
export function maskModeOf(
  variant: LossVariant,
  options: { readonly hybridTarget?: boolean } = {},
): MaskMode {
  switch (variant) {
    case "sft-chosen":
    case "sft-rejected":
    case "dpo":
    case "rpo":
      return "full";
    case "target-dpo":
    case "target-rpo":
      return "target";
    case "symmetric":
      return "symmetric";
    case "hybrid":
      if (options.hybridTarget === undefined) {
        throw new Error("maskModeOf('hybrid') needs hybridTarget (the pair's half of the batch)");
      }
      return options.hybridTarget ? "target" : "full";
    default: {
      const unknown: never = variant;
      throw new Error(`unknown loss variant ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The 0/1 masks `(m+, m-)` a mask mode applies to one pair's completions (EOS included).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { buildPairMasks } from "./pair_masks.ts";
 * import { pairMasksFor } from "./variant_masks.ts";
 * const m = buildPairMasks({
 *   chosenTextTokens: 2, rejectedTextTokens: 2, masks: { chosen: [[1, 2]], rejected: [[0, 1]] },
 * });
 * deepStrictEqual(Array.from(pairMasksFor("target", m).rejected), [1, 0, 0]);
 * deepStrictEqual(Array.from(pairMasksFor("target", m).chosen), [1, 1, 1]);
 * deepStrictEqual(Array.from(pairMasksFor("symmetric", m).chosen), [0, 1, 0]);
 * ```
 */
export function pairMasksFor(
  mode: MaskMode,
  masks: PairTokenMasks,
): { readonly chosen: Float32Array; readonly rejected: Float32Array } {
  switch (mode) {
    case "full":
      return { chosen: masks.chosen, rejected: masks.rejected };
    case "target":
      return { chosen: masks.chosen, rejected: masks.rejectedDiff };
    case "symmetric":
      return { chosen: masks.chosenDiff, rejected: masks.rejectedDiff };
    default: {
      const unknown: never = mode;
      throw new Error(`unknown mask mode ${JSON.stringify(unknown)}`);
    }
  }
}
