/**
 * Dispatch from a {@link LossVariant} name to its pure loss function.
 *
 * @module
 */
import { dpo } from "./dpo.ts";
import { hybrid } from "./hybrid.ts";
import { rpo, targetRpo } from "./rpo.ts";
import { sftChosen, sftRejected } from "./sft.ts";
import { symmetric } from "./symmetric.ts";
import { targetDpo } from "./target_dpo.ts";
import { LOSS_VARIANTS, type LossVariant, type PreferenceLossFn } from "./types.ts";

/**
 * The loss function of a variant (exhaustive switch).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { lossForVariant } from "./loss_for_variant.ts";
 * import { targetDpo } from "./target_dpo.ts";
 * equal(lossForVariant("target-dpo"), targetDpo);
 * ```
 */
export function lossForVariant(variant: LossVariant): PreferenceLossFn {
  switch (variant) {
    case "sft-chosen":
      return sftChosen;
    case "sft-rejected":
      return sftRejected;
    case "dpo":
      return dpo;
    case "target-dpo":
      return targetDpo;
    case "rpo":
      return rpo;
    case "target-rpo":
      return targetRpo;
    case "hybrid":
      return hybrid;
    case "symmetric":
      return symmetric;
    default: {
      const unknown: never = variant;
      throw new Error(
        `unknown loss variant ${JSON.stringify(unknown)}; expected one of ${
          LOSS_VARIANTS.join(", ")
        }`,
      );
    }
  }
}

/**
 * Parses a variant name from untrusted input (config files, CLI flags).
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { parseLossVariant } from "./loss_for_variant.ts";
 * equal(parseLossVariant("rpo"), "rpo");
 * throws(() => parseLossVariant("ipo"), /unknown loss variant "ipo"/);
 * ```
 */
export function parseLossVariant(name: string): LossVariant {
  if ((LOSS_VARIANTS as readonly string[]).includes(name)) return name as LossVariant;
  throw new Error(
    `unknown loss variant ${JSON.stringify(name)}; expected one of ${LOSS_VARIANTS.join(", ")}`,
  );
}

/**
 * Whether a variant needs reference log-probs (every variant except the SFT baselines).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { needsReference } from "./loss_for_variant.ts";
 * equal(needsReference("sft-chosen"), false);
 * equal(needsReference("hybrid"), true);
 * ```
 */
export function needsReference(variant: LossVariant): boolean {
  switch (variant) {
    case "sft-chosen":
    case "sft-rejected":
      return false;
    case "dpo":
    case "target-dpo":
    case "rpo":
    case "target-rpo":
    case "hybrid":
    case "symmetric":
      return true;
    default: {
      const unknown: never = variant;
      throw new Error(`unknown loss variant ${JSON.stringify(unknown)}`);
    }
  }
}
