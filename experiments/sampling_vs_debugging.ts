/**
 * Study: pairs from independent sampling against pairs from iterative debugging (the paper's
 * Appendix A.1, Tables 5–7, Figure 4), at an equal teacher-call budget: the sampling source draws
 * `data.sampling.samples` = 3 attempts per task (the debugging source spends about 3.2 MiniFlow
 * calls per task; `data/teacherCalls` shows both), pairs one passing with one failing sample
 * (`pass-vs-fail`), and cuts its `D-` with the same LCS diff and rule filters. DPO and
 * Target-DPO on each.
 *
 * ```sh
 * deno task experiment sampling-vs-debugging --preset smoke
 * deno task experiment sampling-vs-debugging --preset paper
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

const _SAMPLING = { "data.source": "sampling", "data.rule": "pass-vs-fail" } as const;

/** (debugging, sampling) × (DPO, Target-DPO). */
export const samplingVsDebugging: PreferenceStudy = preferenceStudy({
  name: "sampling-vs-debugging",
  description: "DPO and Target-DPO on pairs from iterative debugging (CodeFlow) and on " +
    "pass-vs-fail pairs from independent samples (the PLUM / CodeDPO / Code-Optimise source), " +
    "at an equal teacher-call budget (offline MiniFlow teacher).",
  variants: [
    { id: "dpo-debugging", label: "DPO, debugging", set: { "train.loss": "dpo" } },
    {
      id: "target-dpo-debugging",
      label: "Target-DPO, debugging",
      set: { "train.loss": "target-dpo" },
    },
    { id: "dpo-sampling", label: "DPO, sampling", set: { "train.loss": "dpo", ..._SAMPLING } },
    {
      id: "target-dpo-sampling",
      label: "Target-DPO, sampling",
      set: { "train.loss": "target-dpo", ..._SAMPLING },
    },
  ],
  metrics: [
    ...PASS_METRICS,
    ...REWARD_METRICS,
    ...PAIR_METRICS,
    { key: "data/teacherCalls", title: "teacher calls", digits: 0 },
  ],
  plots: [PASS_BAR, { kind: "bar", metric: "pairs/kept" }],
});
