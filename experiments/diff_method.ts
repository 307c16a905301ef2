/**
 * Study: the line-diff method that locates `D-`: LCS (Myers), Ratcliff/Obershelp (difflib) and
 * prefix-suffix. Target-DPO on each.
 *
 * ```sh
 * deno task experiment diff-method --preset smoke
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

/** Target-DPO with lcs, ratcliff, prefix-suffix. */
export const diffMethod: PreferenceStudy = preferenceStudy({
  name: "diff-method",
  description: "Target-DPO with D- located by LCS, Ratcliff/Obershelp or prefix-suffix diffs.",
  variants: [
    { id: "lcs", label: "LCS (Myers)", set: { "data.method": "lcs" } },
    { id: "ratcliff", label: "Ratcliff/Obershelp", set: { "data.method": "ratcliff" } },
    { id: "prefix-suffix", label: "Prefix-suffix", set: { "data.method": "prefix-suffix" } },
  ],
  metrics: [...PASS_METRICS, ...REWARD_METRICS, ...PAIR_METRICS],
});
