/**
 * Study: the preference arms of the main table scored on HumanEval+ instead of the MiniFlow test
 * split (`eval.target`), from the kit's 258k-parameter base model. It shows the evaluation target
 * as config; the numbers of so small a model trained on MiniFlow are near zero, and say nothing
 * about the method. The validation pass@1 stays the MiniFlow validation split.
 *
 * ```sh
 * deno task experiment humaneval-plus --preset smoke   # the first 3 HumanEval+ tasks
 * deno task experiment humaneval-plus --preset paper --scale.testTasks=164
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

/** Ref, DPO and Target-DPO, scored on HumanEval+. */
export const humanevalPlus: PreferenceStudy = preferenceStudy({
  name: "humaneval-plus",
  description:
    "Greedy pass@1 on HumanEval+ (EvalPlus, base and plus inputs) of the MiniFlow base " +
    "model (Ref) and of DPO / Target-DPO trained from it on MiniFlow pairs (offline MiniFlow " +
    "teacher; a 258k-parameter model, so near zero).",
  baseSet: { "eval.target": "humaneval+" },
  variants: [
    { id: "ref", label: "Ref", set: { "train.loss": "none" } }, // no training
    { id: "dpo", label: "DPO", set: { "train.loss": "dpo" } },
    { id: "target-dpo", label: "Target-DPO", set: { "train.loss": "target-dpo" } },
  ],
  metrics: [...PASS_METRICS, ...PAIR_METRICS],
  plots: [PASS_BAR],
});
