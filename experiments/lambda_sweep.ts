/**
 * Study: weight λ of the NLL term of Target-RPO, with SFT on `y+` (the λ → ∞ limit) as the
 * reference arm.
 *
 * The sweep chart covers the Target-RPO arms only in spirit: lib/experiment's sweep chart needs a
 * numeric x for every variant, and SFT has no λ, so SFT shows in the bar chart and the table.
 *
 * ```sh
 * deno task experiment lambda-sweep --preset smoke
 * ```
 *
 * @module
 */
import {
  PAIR_METRICS,
  PASS_BAR,
  PASS_METRICS,
  type PreferenceStudy,
  preferenceStudy,
  type PreferenceVariant,
} from "./preference_study.ts";

function _lambda(lambda: number): PreferenceVariant {
  return {
    id: `lambda-${lambda}`,
    label: `Target-RPO λ = ${lambda}`,
    lambda,
    set: { "train.lambda": lambda },
  };
}

/** Target-RPO at λ = 1, 3, 5, and SFT (correct). */
export const lambdaSweep: PreferenceStudy = preferenceStudy({
  name: "lambda-sweep",
  description: "Target-RPO at λ = 1 (paper), 3 and 5, against SFT on y+.",
  baseSet: { "train.loss": "target-rpo" },
  variants: [
    _lambda(1),
    _lambda(3),
    _lambda(5),
    { id: "sft", label: "SFT (correct)", set: { "train.loss": "sft-chosen" } },
  ],
  metrics: [...PASS_METRICS, ...PAIR_METRICS],
  plots: [
    { kind: "sweep", metric: "pass@1/test", field: "lambda", xTitle: "λ" }, // SFT: a reference
    PASS_BAR,
  ],
});
