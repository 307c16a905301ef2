/**
 * Study: supervised fine-tuning on the fixed code `y+` against fine-tuning on the buggy code
 * `y-` of the same pairs (how much the data's labels matter without a preference loss).
 *
 * ```sh
 * deno task experiment sft-correct-vs-incorrect --preset smoke
 * ```
 *
 * @module
 */
import {
  PAIR_METRICS,
  PASS_METRICS,
  type PreferenceStudy,
  preferenceStudy,
} from "./preference_study.ts";

/** SFT on y+ vs SFT on y-. */
export const sftCorrectVsIncorrect: PreferenceStudy = preferenceStudy({
  name: "sft-correct-vs-incorrect",
  description: "SFT on y+ (correct) against SFT on y- (incorrect) of the same pairs.",
  variants: [
    { id: "sft-correct", label: "SFT (correct)", set: { "train.loss": "sft-chosen" } },
    { id: "sft-incorrect", label: "SFT (incorrect)", set: { "train.loss": "sft-rejected" } },
  ],
  metrics: [
    ...PASS_METRICS,
    { key: "train/nll", title: "final NLL / token", digits: 3 },
    ...PAIR_METRICS,
  ],
});
