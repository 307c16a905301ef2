/**
 * Study: diff-augmentation. Target-DPO with `k` context lines added around each `D-` hunk of the
 * rejected mask: 0, 1, 2, or 1–2 drawn once per pair per seed.
 *
 * ```sh
 * deno task experiment diff-aug --preset smoke
 * ```
 *
 * @module
 */
import {
  PAIR_METRICS,
  PASS_METRICS,
  type PreferenceStudy,
  preferenceStudy,
  REWARD_METRICS,
} from "./preference_study.ts";

/** Target-DPO with k = 0, 1, 2, random 1–2. */
export const diffAug: PreferenceStudy = preferenceStudy({
  name: "diff-aug",
  description: "Target-DPO with the rejected mask widened by k context lines around each D- " +
    "hunk (k = 0, 1, 2, or 1–2 drawn per pair).",
  variants: [
    { id: "k0", label: "k = 0", set: { "mask.contextLines": 0 } },
    { id: "k1", label: "k = 1", set: { "mask.contextLines": 1 } },
    { id: "k2", label: "k = 2", set: { "mask.contextLines": 2 } },
    { id: "k1to2", label: "k ∈ {1, 2}", set: { "mask.randomContext": true } },
  ],
  metrics: [...PASS_METRICS, ...REWARD_METRICS, ...PAIR_METRICS],
});
