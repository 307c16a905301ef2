/**
 * Study: sensitivity of Target-DPO to β.
 *
 * ```sh
 * deno task experiment beta-sweep --preset smoke
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
  REWARD_METRICS,
} from "./preference_study.ts";

function _beta(beta: number): PreferenceVariant {
  return { id: `beta-${beta}`, label: `β = ${beta}`, beta, set: { "train.beta": beta } };
}

/** Target-DPO at β = 0.1, 0.3, 0.5. */
export const betaSweep: PreferenceStudy = preferenceStudy({
  name: "beta-sweep",
  description: "Target-DPO at β = 0.1 (paper), 0.3 and 0.5.",
  variants: [_beta(0.1), _beta(0.3), _beta(0.5)],
  metrics: [...PASS_METRICS, ...REWARD_METRICS, ...PAIR_METRICS],
  plots: [
    { kind: "sweep", metric: "pass@1/test", field: "beta", xTitle: "β" },
    { kind: "sweep", metric: "train/rewards/margins", field: "beta", xTitle: "β" },
    PASS_BAR,
  ],
});
