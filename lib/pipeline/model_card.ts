/**
 * The model card of a pretrained base checkpoint: `card.json` (machine-readable) and
 * `MODEL_CARD.md` (the same facts for people).
 *
 * @module
 */
import { type BackendInfo, describeBackend } from "../backend/mod.ts";
import type { SandboxInfo } from "../sandbox/mod.ts";
import type { GptConfig } from "../model/types.ts";
import type { MiniflowEvalSummary } from "./evaluate_miniflow.ts";
import type { PretrainConfig } from "./pretrain_config.ts";

/** Names of the evaluated task sets, in report order. */
export const EVAL_SET_NAMES = ["train-seen", "train-heldout", "validation", "test"] as const;
/** One of {@linkcode EVAL_SET_NAMES}. */
export type EvalSetName = typeof EVAL_SET_NAMES[number];

/** Contents of `card.json`. */
export interface ModelCard {
  readonly format: "target-dpo-model-card-v1";
  readonly name: string;
  /** The resolved pretraining config. */
  readonly config: PretrainConfig;
  /** The model config saved in the checkpoint (`vocabSize` included). */
  readonly model: GptConfig;
  readonly parameters: number;
  readonly tokenizerId: string;
  readonly corpus: {
    /** MiniFlow seed of the corpus and the evaluation splits. */
    readonly seed: number;
    readonly documents: number;
    /** Requested fraction `p` of buggy documents. */
    readonly buggyFraction: number;
    /** Fraction of documents that actually carry a bug. */
    readonly realisedBuggyFraction: number;
    /** Tokens of the training stream (BOS and EOS included). */
    readonly tokens: number;
  };
  readonly training: {
    readonly steps: number;
    readonly tokensSeen: number;
    /** Loss of the first update. */
    readonly initialLoss: number;
    /** Mean loss of the last `min(10, steps)` updates. */
    readonly finalLoss: number;
    /** Training throughput over every logged update (resumed runs included). */
    readonly tokensPerSecond: number;
    /** Seconds spent in the updates of the whole run (all processes, checkpoint saves excluded). */
    readonly stepTimeS: number;
    /** `[step, loss]` at up to 50 evenly spaced updates. */
    readonly lossCurve: readonly (readonly [number, number])[];
    /** Step the last process resumed from (0 for an uninterrupted run). */
    readonly resumedFrom: number;
  };
  /**
   * Greedy pass@1 per task set. `train-seen`: corpus prompts; `train-heldout`: unseen
   * training-split tasks; `validation` and `test`: held out by composition.
   */
  readonly evaluation: Readonly<Record<EvalSetName, MiniflowEvalSummary>>;
  /**
   * `train-heldout` tasks whose reference body (same composition and constants) also occurs,
   * correct, in the corpus: the prompts are new, but these bodies were seen in training.
   */
  readonly heldoutBodiesInCorpus: number;
  /**
   * Bug propensity: the fraction of greedy solutions that fail, on unseen training-split prompts
   * (`1 - pass@1` of `train-heldout`), and on the corpus prompts (`train-seen`).
   */
  readonly bugPropensity: { readonly heldout: number; readonly seen: number };
  readonly wallTimeS: {
    readonly corpus: number;
    readonly train: number;
    readonly eval: number;
    readonly total: number;
  };
  readonly backend: BackendInfo;
  /** The isolation and launcher the evaluation's programs ran under. */
  readonly sandbox?: SandboxInfo;
  readonly git: { readonly commit: string; readonly dirty: boolean };
  readonly denoVersion: string;
  /** ISO time the card was written. */
  readonly createdAt: string;
}

const _pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The Markdown model card: data, model, training, the pass@1 table per evaluation set, bug
 * propensity and provenance (tests/pipeline/pretrain_test.ts checks its content).
 */
export function renderModelCard(card: ModelCard): string {
  const m = card.model;
  const t = card.config.train;
  const rows = EVAL_SET_NAMES.map((name) => {
    const e = card.evaluation[name];
    const errs = e.errors.slice(0, 3).map(([k, v]) => `${k} ${v}`).join(", ") || "-";
    return `| ${name} | ${e.tasks} | ${e.passed} | ${_pct(e.passAt1)} | ${errs} |`;
  });
  return [
    `# Model card: \`${card.name}\``,
    "",
    "A tiny GPT pretrained from scratch as a plain language model on the MiniFlow base corpus",
    "(procedural Python function tasks, a fraction of them with one injected, test-verified bug),",
    "so that it has a measurable bug propensity that preference tuning can reduce. Experiments",
    "start from this checkpoint instead of pretraining each time.",
    "",
    "Load it with `loadCheckpoint(dir)` from `lib/model`.",
    "",
    "## Data",
    "",
    `- MiniFlow seed ${card.corpus.seed}, training split, ${card.corpus.documents} tasks ` +
    `(indexes 0…${card.corpus.documents - 1}).`,
    `- Buggy fraction p = ${card.corpus.buggyFraction} (realised ${
      card.corpus.realisedBuggyFraction.toFixed(3)
    }).`,
    `- ${card.corpus.tokens} tokens in the stream; tokenizer \`${card.tokenizerId}\` ` +
    `(${m.vocabSize} tokens, trained on the corpus and the evaluation prompts, no test solutions).`,
    "",
    "## Model",
    "",
    `- ${m.nLayer} layers, d_model ${m.dModel}, ${m.nHead} heads, MLP ratio ${m.mlpRatio}, ` +
    `context ${m.contextLength}, ${card.parameters} parameters.`,
    "",
    "## Training",
    "",
    `- ${card.training.steps} AdamW updates × ${t.batchSize} windows × ${t.length} tokens ` +
    `(${card.training.tokensSeen} tokens seen), peak LR ${t.lr}, cosine with ` +
    `${t.warmupFraction} warm-up, final LR ratio ${t.minLrRatio}.`,
    `- Loss ${card.training.initialLoss.toFixed(3)} → ${card.training.finalLoss.toFixed(3)} ` +
    `(mean of the last 10 updates).`,
    `- ${Math.round(card.training.tokensPerSecond)} tokens/s on ${describeBackend(card.backend)}.`,
    "",
    "## Evaluation (greedy pass@1, sandboxed asserts)",
    "",
    "| set | tasks | passed | pass@1 | top failures |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    "`train-seen`: prompts of corpus tasks; `train-heldout`: unseen tasks of the training split",
    "(same compositions, new constants and inputs); `validation`/`test`: compositions held out.",
    `${card.heldoutBodiesInCorpus} of the ${card.evaluation["train-heldout"].tasks} ` +
    "`train-heldout` reference bodies also occur verbatim in the corpus.",
    "",
    `Bug propensity (failing greedy solutions): ${_pct(card.bugPropensity.heldout)} on unseen ` +
    `training-split prompts, ${_pct(card.bugPropensity.seen)} on corpus prompts.`,
    "",
    "## Provenance",
    "",
    `- Training updates took ${card.training.stepTimeS.toFixed(0)} s in all` +
    (card.training.resumedFrom > 0
      ? ` (this process resumed at step ${card.training.resumedFrom}).`
      : "."),
    `- Wall time of the process that wrote this card: corpus ${
      card.wallTimeS.corpus.toFixed(0)
    } s, training ` +
    `${card.wallTimeS.train.toFixed(0)} s, evaluation ${card.wallTimeS.eval.toFixed(0)} s, total ` +
    `${card.wallTimeS.total.toFixed(0)} s.`,
    `- Git commit ${card.git.commit}${card.git.dirty ? " (uncommitted changes)" : ""}; ` +
    `Deno ${card.denoVersion}; written ${card.createdAt}.`,
    `- Preset \`${card.config.preset}\`; the full config is in \`card.json\`.`,
    "",
  ].join("\n");
}
