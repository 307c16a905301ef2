/**
 * Study: which failing version becomes `y-`: the first, the last or a random one (the default)
 * of the trajectory. Target-DPO on each.
 *
 * ```sh
 * deno task experiment negative-selection --preset smoke
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

/** Target-DPO with y- chosen first, last, at random. */
export const negativeSelection: PreferenceStudy = preferenceStudy({
  name: "negative-selection",
  description: "Target-DPO with the rejected version chosen as the first, the last or a random " +
    "failing version of each trajectory.",
  variants: [
    { id: "first", label: "first", set: { "data.rule": "first" } },
    { id: "last", label: "last", set: { "data.rule": "last" } },
    { id: "random", label: "random", set: { "data.rule": "random" } },
  ],
  metrics: [
    ...PASS_METRICS,
    ...REWARD_METRICS,
    ...PAIR_METRICS,
    { key: "emptyD/keep", title: "empty D- pairs", digits: 1 },
  ],
});
