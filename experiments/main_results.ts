/**
 * Study: the main table. The base model as is (Ref), SFT on the chosen code, and the four
 * preference losses (DPO, RPO, Target-DPO, Target-RPO) trained on the same MiniFlow pairs.
 *
 * ```sh
 * deno task experiment main-results --preset smoke
 * deno task experiment main-results --preset paper
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
} from "./preference_study.ts";

/** Ref, SFT (correct), DPO, RPO, Target-DPO, Target-RPO. */
export const mainResults: PreferenceStudy = preferenceStudy({
  name: "main-results",
  description: "Greedy pass@1 on held-out MiniFlow compositions of the base model (Ref), SFT on " +
    "y+, and DPO / RPO / Target-DPO / Target-RPO trained from it on the same pairs (offline " +
    "MiniFlow teacher).",
  variants: [
    { id: "ref", label: "Ref", set: { "train.loss": "none" } }, // no training
    { id: "sft", label: "SFT (correct)", set: { "train.loss": "sft-chosen" } },
    { id: "dpo", label: "DPO", set: { "train.loss": "dpo" } },
    { id: "rpo", label: "RPO", set: { "train.loss": "rpo" } },
    { id: "target-dpo", label: "Target-DPO", set: { "train.loss": "target-dpo" } },
    { id: "target-rpo", label: "Target-RPO", set: { "train.loss": "target-rpo" } },
  ],
  metrics: [...PASS_METRICS, ...PAIR_METRICS],
  plots: [PASS_BAR, { kind: "bar", metric: "pass@1/val" }],
});
