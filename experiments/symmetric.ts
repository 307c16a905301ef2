/**
 * Study: the symmetric mask. Target-DPO (chosen side unmasked) against masking the chosen side
 * to the `D+` tokens too.
 *
 * ```sh
 * deno task experiment symmetric --preset smoke
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

/** Target-DPO vs symmetric. */
export const symmetric: PreferenceStudy = preferenceStudy({
  name: "symmetric",
  description: "Target-DPO against the symmetric mask (chosen side restricted to D+ tokens).",
  variants: [
    { id: "target-dpo", label: "Target-DPO", set: { "train.loss": "target-dpo" } },
    { id: "symmetric", label: "Symmetric", set: { "train.loss": "symmetric" } },
  ],
  metrics: [...PASS_METRICS, ...REWARD_METRICS, ...PAIR_METRICS],
  plots: [PASS_BAR],
});
