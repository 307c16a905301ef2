/**
 * Base-model pretraining (issue 6 item 2): MiniFlow base corpus → compact BPE tokenizer → tiny
 * GPT trained as a plain LM through lib/train's trainer → greedy pass@1 in the sandbox → a small
 * checkpoint with its model card. It only assembles library parts.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { type BackendInfo, describeBackend, initBackend } from "../backend/mod.ts";
import { atomicWrite, gitInfo, toJsonl } from "../core/mod.ts";
import { TfjsCodeModel } from "../eval/tfjs_code_model.ts";
import {
  buildBaseCorpus,
  buildBenchmark,
  type CorpusDocument,
  generateTasks,
  toBenchmarkTask,
} from "../miniflow/mod.ts";
import type { BenchmarkTask } from "../miniflow/types.ts";
import {
  type BpeTokenizer,
  createGpt,
  type Gpt,
  saveCheckpoint,
  trainTokenizer,
} from "../model/mod.ts";
import { Sandbox, type SandboxInfo } from "../sandbox/mod.ts";
import {
  lmBatches,
  lmLoss,
  readMetricsLog,
  type StepRecord,
  tokenStream,
  train,
  trainerOptions,
  type TrainResult,
} from "../train/mod.ts";
import { evaluateMiniflow, type MiniflowEvalSummary } from "./evaluate_miniflow.ts";
import { EVAL_SET_NAMES, type EvalSetName, type ModelCard, renderModelCard } from "./model_card.ts";
import { type PretrainConfig, validatePretrainConfig } from "./pretrain_config.ts";

/** Files written into the checkpoint folder besides `model.safetensors` and `config.json`. */
export const MODEL_CARD_FILES = { json: "card.json", markdown: "MODEL_CARD.md" } as const;

/** Options of {@link pretrainBase}. */
export interface PretrainOptions {
  /** Checkpoint folder (for example `data/checkpoints/base`); created if needed. */
  readonly outDir: string;
  /**
   * Run folder of the trainer: `metrics.jsonl`, resumable `checkpoints/`, evaluation samples.
   * A rerun with the same config resumes from its newest checkpoint.
   */
  readonly runDir: string;
  /**
   * Progress bars and stage messages on stderr.
   * @default true
   */
  readonly progress?: boolean;
  /**
   * Directory whose git commit is recorded in the card.
   * @default the current working directory
   */
  readonly repoDir?: string;
}

/** What {@link pretrainBase} returns. */
export interface PretrainResult {
  readonly card: ModelCard;
  readonly outDir: string;
  readonly runDir: string;
}

/** The evaluation task sets of a config (prompts are part of the tokenizer's corpus). */
async function _evalSets(
  config: PretrainConfig,
  sandbox: Sandbox,
): Promise<{ sets: Record<EvalSetName, BenchmarkTask[]>; heldoutSolutions: string[] }> {
  const { seed } = config;
  const { tasks, seenTasks } = config.eval;
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  const train = (indices: number[]) => generateTasks({ seed, split: "train", indices, sandbox });
  const heldout = await train(range(config.corpus.tasks, tasks));
  return {
    sets: {
      "train-seen": (await train(range(0, Math.min(seenTasks, config.corpus.tasks)))).map(
        toBenchmarkTask,
      ),
      "train-heldout": heldout.map(toBenchmarkTask),
      validation: await buildBenchmark({ seed, count: tasks, sandbox, split: "validation" }),
      test: await buildBenchmark({ seed, count: tasks, sandbox, split: "test" }),
    },
    heldoutSolutions: heldout.map((t) => t.solution),
  };
}

/** Progress lines on stderr (when enabled). */
type _Log = (line: string) => void;

/** The corpus and the evaluation sets of stage 1. */
interface _Corpus {
  readonly docs: CorpusDocument[];
  readonly sets: Record<EvalSetName, BenchmarkTask[]>;
  /** Unseen training-split tasks whose body still appears in the corpus (same constants). */
  readonly heldoutOverlap: number;
}

/** Stage 1: the corpus (the training split, indexes `0…N-1`) and the evaluation sets. */
async function _corpus(config: PretrainConfig, sandbox: Sandbox, log: _Log): Promise<_Corpus> {
  const docs = await buildBaseCorpus({
    seed: config.seed,
    indices: Array.from({ length: config.corpus.tasks }, (_, i) => i),
    sandbox,
    buggyFraction: config.corpus.buggyFraction,
  });
  const { sets, heldoutSolutions } = await _evalSets(config, sandbox);
  const corpusBodies = new Set(docs.map((d) => d.text.slice(d.text.lastIndexOf('"""\n') + 4)));
  log(`corpus: ${docs.length} documents, ${docs.filter((d) => d.buggy).length} buggy`);
  return { docs, sets, heldoutOverlap: heldoutSolutions.filter((b) => corpusBodies.has(b)).length };
}

/** Stage 2: the tokenizer of the corpus plus every evaluation prompt (no solutions), and the stream. */
async function _tokenize(
  config: PretrainConfig,
  { docs, sets }: _Corpus,
  log: _Log,
): Promise<{ tokenizer: BpeTokenizer; stream: Int32Array }> {
  const tokenizer = await trainTokenizer(
    [...docs.map((d) => d.text), ...EVAL_SET_NAMES.flatMap((s) => sets[s].map((t) => t.prompt))],
    {
      minCount: config.tokenizer.minCount,
      maxVocabSize: config.tokenizer.maxVocabSize === 0 ? Infinity : config.tokenizer.maxVocabSize,
      base: config.tokenizer.base,
    },
  );
  const stream = tokenStream(docs.map((d) => tokenizer.encode(d.text)), {
    eosId: tokenizer.eosId,
    bosId: tokenizer.bosId,
  });
  log(`tokenizer ${tokenizer.id}: ${tokenizer.vocabSize} tokens; stream ${stream.length} tokens`);
  return { tokenizer, stream };
}

/** Stage 3: the plain LM objective through lib/train (resumable by config fingerprint). */
async function _trainLm(
  config: PretrainConfig,
  o: { model: Gpt; tokenizer: BpeTokenizer; stream: Int32Array; runDir: string; progress: boolean },
): Promise<{ result: TrainResult; steps: StepRecord[] }> {
  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ config, tokenizer: o.tokenizer.id, tokens: o.stream.length }))
    .digest("hex").slice(0, 16);
  const t = config.train;
  const result = await train({
    model: o.model,
    steps: t.steps,
    batches: lmBatches({
      stream: o.stream,
      batchSize: t.batchSize,
      length: t.length,
      seed: t.dataSeed,
    }),
    lossFn: lmLoss(),
    runDir: o.runDir,
    fingerprint,
    ...trainerOptions(t),
    progress: o.progress,
  });
  return { result, steps: await readMetricsLog(join(o.runDir, "metrics.jsonl")) };
}

/** Stage 4: greedy pass@1 of every evaluation set through the sandbox; samples to `runDir`. */
async function _evaluate(
  config: PretrainConfig,
  o: {
    model: Gpt;
    tokenizer: BpeTokenizer;
    sets: _Corpus["sets"];
    sandbox: Sandbox;
    runDir: string;
  },
  progress: boolean,
  log: _Log,
): Promise<Record<EvalSetName, MiniflowEvalSummary>> {
  const codeModel = new TfjsCodeModel(o.model, o.tokenizer, {
    name: config.name,
    batchSize: config.eval.batchSize,
  });
  const evaluation = {} as Record<EvalSetName, MiniflowEvalSummary>;
  for (const name of EVAL_SET_NAMES) {
    const { summary, samples } = await evaluateMiniflow({
      model: codeModel,
      tasks: o.sets[name],
      sandbox: o.sandbox,
      maxTokens: config.eval.maxTokens,
      batchSize: config.eval.batchSize,
      onProgress: (done, total) => {
        if (progress) console.error(`[pretrain] eval ${name}: ${done}/${total}`);
      },
    });
    await atomicWrite(join(o.runDir, `eval-${name}.jsonl`), toJsonl(samples));
    evaluation[name] = summary;
    log(`${name}: pass@1 ${summary.passed}/${summary.tasks}`);
  }
  return evaluation;
}

/** What stage 5 writes into the card. */
interface _CardInputs {
  readonly model: Gpt;
  readonly tokenizer: BpeTokenizer;
  readonly corpus: _Corpus;
  readonly streamLength: number;
  readonly trained: { result: TrainResult; steps: StepRecord[] };
  readonly evaluation: Record<EvalSetName, MiniflowEvalSummary>;
  readonly wallTimeS: ModelCard["wallTimeS"];
  readonly backend: BackendInfo;
  readonly sandbox: SandboxInfo;
  readonly repoDir: string;
}

/** Stage 5a: the model card (corpus, training curve, evaluation, engines, commit). */
function _card(config: PretrainConfig, c: _CardInputs): ModelCard {
  const { steps, result } = c.trained;
  const losses = steps.map((s) => s.metrics.loss ?? NaN);
  const tail = losses.slice(-Math.min(10, losses.length));
  const stepTimeS = steps.reduce((a, s) => a + s.tokens / s.tokensPerSecond, 0);
  const tokensSeen = steps.reduce((a, s) => a + s.tokens, 0);
  const every = Math.max(1, Math.ceil(steps.length / 50));
  const { docs } = c.corpus;
  return {
    format: "target-dpo-model-card-v1",
    name: config.name,
    config,
    model: c.model.config,
    parameters: c.model.variables.reduce((a, v) => a + v.size, 0),
    tokenizerId: c.tokenizer.id,
    corpus: {
      seed: config.seed,
      documents: docs.length,
      buggyFraction: config.corpus.buggyFraction,
      realisedBuggyFraction: docs.filter((d) => d.buggy).length / docs.length,
      tokens: c.streamLength,
    },
    training: {
      steps: result.step,
      tokensSeen,
      initialLoss: losses[0],
      finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
      // Over every logged update, so a resumed run reports the whole run's throughput.
      tokensPerSecond: tokensSeen / stepTimeS,
      stepTimeS,
      lossCurve: steps
        .filter((_, i) => i % every === 0 || i === steps.length - 1)
        .map((s) => [s.step, s.metrics.loss ?? NaN] as const),
      resumedFrom: result.resumedFrom,
    },
    evaluation: c.evaluation,
    heldoutBodiesInCorpus: c.corpus.heldoutOverlap,
    bugPropensity: {
      heldout: 1 - c.evaluation["train-heldout"].passAt1,
      seen: 1 - c.evaluation["train-seen"].passAt1,
    },
    wallTimeS: c.wallTimeS,
    backend: c.backend,
    sandbox: c.sandbox,
    git: gitInfo(c.repoDir),
    denoVersion: Deno.version.deno,
    createdAt: new Date().toISOString(),
  };
}

/** Stage 5b: the checkpoint and its card, `card.json` and `MODEL_CARD.md`. */
async function _save(config: PretrainConfig, card: ModelCard, c: _CardInputs, outDir: string) {
  await saveCheckpoint(outDir, c.model, c.tokenizer, {
    name: config.name,
    preset: config.preset,
    corpusSeed: config.seed,
    buggyFraction: config.corpus.buggyFraction,
    steps: card.training.steps,
    finalLoss: card.training.finalLoss,
    gitCommit: card.git.commit,
  });
  await atomicWrite(join(outDir, MODEL_CARD_FILES.json), JSON.stringify(card, null, 2) + "\n");
  await atomicWrite(join(outDir, MODEL_CARD_FILES.markdown), renderModelCard(card));
}

/**
 * Pretrain the base model and write `model.safetensors`, `config.json`, `card.json` and
 * `MODEL_CARD.md` into `options.outDir`. Training resumes from the newest trainer checkpoint in
 * `options.runDir` when its config fingerprint matches.
 */
export async function pretrainBase(
  config: PretrainConfig,
  options: PretrainOptions,
): Promise<PretrainResult> {
  validatePretrainConfig(config);
  const progress = options.progress ?? true;
  const log: _Log = (line) => {
    if (progress) console.error(`[pretrain] ${line}`);
  };
  const t0 = performance.now();
  const backend = await initBackend(config.backend);
  log(`backend ${describeBackend(backend)}`);
  const sandbox = new Sandbox({ workers: config.sandboxWorkers });
  try {
    const corpus = await _corpus(config, sandbox, log);
    const tCorpus = performance.now();
    const { tokenizer, stream } = await _tokenize(config, corpus, log);
    const model = createGpt({ ...config.model, vocabSize: tokenizer.vocabSize });
    try {
      const { runDir } = options;
      const trained = await _trainLm(config, { model, tokenizer, stream, runDir, progress });
      const tTrain = performance.now();
      const evaluation = await _evaluate(
        config,
        { model, tokenizer, sets: corpus.sets, sandbox, runDir },
        progress,
        log,
      );
      const tEval = performance.now();
      const inputs: _CardInputs = {
        model,
        tokenizer,
        corpus,
        streamLength: stream.length,
        trained,
        evaluation,
        backend,
        sandbox: sandbox.info,
        repoDir: options.repoDir ?? Deno.cwd(),
        wallTimeS: {
          corpus: (tCorpus - t0) / 1000,
          train: (tTrain - tCorpus) / 1000,
          eval: (tEval - tTrain) / 1000,
          total: (performance.now() - t0) / 1000,
        },
      };
      const card = _card(config, inputs);
      await _save(config, card, inputs, options.outDir);
      return { card, outDir: options.outDir, runDir: options.runDir };
    } finally {
      model.dispose();
    }
  } finally {
    await sandbox.close();
  }
}
