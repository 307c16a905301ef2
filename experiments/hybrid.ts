/**
 * Study: Hybrid (half of each batch with the DPO masks, half with the Target-DPO masks, by a
 * seeded shuffle) against its two parents.
 *
 * ```sh
 * deno task experiment hybrid --preset smoke
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
  REWARD_METRICS,
} from "./preference_study.ts";

/** DPO, Target-DPO, Hybrid. */
export const hybrid: PreferenceStudy = preferenceStudy({
  name: "hybrid",
  description: "Does mixing DPO and Target-DPO masks within a batch (Hybrid) beat either alone?",
  variants: [
    { id: "dpo", label: "DPO", set: { "train.loss": "dpo" } },
    { id: "target-dpo", label: "Target-DPO", set: { "train.loss": "target-dpo" } },
    { id: "hybrid", label: "Hybrid", set: { "train.loss": "hybrid" } },
  ],
  metrics: [...PASS_METRICS, ...REWARD_METRICS, ...PAIR_METRICS],
  plots: [PASS_BAR, { kind: "bar", metric: "train/rewards/margins" }],
});
