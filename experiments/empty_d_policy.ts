/**
 * Study: what Target-DPO does with pairs whose fix only adds lines (empty `D-`): keep them with a
 * zero rejected term (the paper's code), drop them, or anchor the mask on the first token of the
 * line where the fix inserted its lines. The table counts the pairs each case affected.
 *
 * ```sh
 * deno task experiment empty-d-policy --preset smoke
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

/** Target-DPO with the empty-D- policy keep, drop, anchor. */
export const emptyDPolicy: PreferenceStudy = preferenceStudy({
  name: "empty-d-policy",
  description: "Target-DPO with empty-D- pairs kept (rejected term 0), dropped, or anchored on " +
    "the first token of the insertion line.",
  variants: [
    { id: "keep", label: "keep", set: { "mask.emptyRejected": "keep" } },
    { id: "drop", label: "drop", set: { "mask.emptyRejected": "drop" } },
    { id: "anchor", label: "anchor", set: { "mask.emptyRejected": "anchor" } },
  ],
  metrics: [
    ...PASS_METRICS,
    ...REWARD_METRICS,
    ...PAIR_METRICS,
    { key: "emptyD/non-empty", title: "non-empty D-", digits: 1 },
    { key: "emptyD/keep", title: "kept empty", digits: 1 },
    { key: "emptyD/drop", title: "dropped", digits: 1 },
    { key: "emptyD/anchor-insertion", title: "anchored (insertion)", digits: 1 },
    { key: "emptyD/anchor-last-line", title: "anchored (last line)", digits: 1 },
  ],
});
