/**
 * Study: Target-DPO on a real model (issue 15's table): the base model as is (Ref), DPO,
 * Target-DPO and Target-RPO, LoRA-trained on MiniFlow pairs cut and masked in the model's own
 * tokens, each trained model scored on HumanEval+ and on the MiniFlow test split (one training
 * run, both benchmarks) and on the MiniFlow validation split. Give the model with `--model`
 * (a Hugging Face folder or a GGUF file; `--prompt plain` for a base model); without it the
 * study runs on the kit's own GPT. The presets are sized for a 135M model on 2 CPU cores.
 *
 * ```sh
 * deno task experiment real-model --preset smoke --model models/SmolLM2-135M-Instruct.Q4_1.gguf
 * deno task experiment real-model --preset paper --model models/SmolLM2-135M-Instruct.Q4_1.gguf
 * ```
 *
 * @module
 */
import {
  PAIR_METRICS,
  PASS_BAR,
  type PreferenceStudy,
  preferenceStudy,
} from "./preference_study.ts";

/** Ref, DPO, Target-DPO, Target-RPO on a real model. */
export const realModel: PreferenceStudy = preferenceStudy({
  name: "real-model",
  description: "A real model (--model) as is (Ref) and LoRA-trained with DPO, Target-DPO and " +
    "Target-RPO on MiniFlow pairs masked in its own tokens; greedy pass@1 on HumanEval+ and the " +
    "MiniFlow test split (offline MiniFlow teacher).",
  variants: [
    { id: "ref", label: "Ref", set: { "train.loss": "none" } },
    { id: "dpo", label: "DPO", set: { "train.loss": "dpo" } },
    { id: "target-dpo", label: "Target-DPO", set: { "train.loss": "target-dpo" } },
    { id: "target-rpo", label: "Target-RPO", set: { "train.loss": "target-rpo" } },
  ],
  baseSet: {
    "eval.target": "humaneval+",
    "eval.also": ["miniflow"],
    "eval.batchSize": 8, // rows decoded together by a real model
    "train.lr": 1e-4, // LoRA (notebook 14's rate)
    "train.batchSize": 2,
    "train.maxPromptLength": 512, // a chat-formatted MiniFlow prompt is about 150 tokens
    "train.checkpointEvery": 4,
  },
  presets: {
    smoke: {
      seeds: [0, 1, 2],
      scale: { tasks: 24, steps: 2, testTasks: 2, valTasks: 1, maxNewTokens: 32 },
    },
    paper: {
      seeds: [0, 1, 2],
      // ~32 pairs, one epoch of 16 steps of 2; 20 tasks per benchmark: about 5 min a trained
      // cell for SmolLM2-135M on a 2-core AMD EPYC (README)
      scale: { tasks: 96, steps: 16, testTasks: 20, valTasks: 5, maxNewTokens: 192 },
    },
  },
  metrics: [
    { key: "pass@1/test", title: "pass@1 HumanEval+ (%)", digits: 1, scale: 100, range: [0, 100] },
    {
      key: "pass@1/miniflow",
      title: "pass@1 MiniFlow test (%)",
      digits: 1,
      scale: 100,
      range: [0, 100],
    },
    { key: "pass@1/val", title: "pass@1 val (%)", digits: 1, scale: 100, range: [0, 100] },
    ...PAIR_METRICS,
  ],
  plots: [PASS_BAR, { kind: "bar", metric: "pass@1/miniflow" }],
});
