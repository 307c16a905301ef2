/**
 * Base-model pretraining (issue 6 item 2): MiniFlow base corpus → compact BPE tokenizer → tiny
 * GPT trained as a plain LM through lib/train's trainer → greedy pass@1 in the sandbox → a small
 * checkpoint with its model card. It only assembles library parts.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeBackend, initBackend } from "../backend/mod.ts";
import { TfjsCodeModel } from "../eval/tfjs_code_model.ts";
import { gitInfo } from "../core/mod.ts";
import {
  buildBaseCorpus,
  buildBenchmark,
  generateTasks,
  toBenchmarkTask,
} from "../miniflow/mod.ts";
import type { BenchmarkTask } from "../miniflow/types.ts";
import { createGpt, saveCheckpoint, trainTokenizer } from "../model/mod.ts";
import { Sandbox } from "../sandbox/mod.ts";
import { lmBatches, lmLoss, type StepRecord, tokenStream, train } from "../train/mod.ts";
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

function _stderr(enabled: boolean, line: string): void {
  if (enabled) Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

async function _readSteps(path: string): Promise<StepRecord[]> {
  const text = await readFile(path, "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((line, i) => {
    try {
      return JSON.parse(line) as StepRecord;
    } catch (err) {
      throw new Error(`${path}:${i + 1}: ${(err as Error).message}`);
    }
  });
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
  const log = (line: string) => _stderr(progress, `[pretrain] ${line}`);
  const t0 = performance.now();
  const backend = await initBackend(config.backend);
  log(`backend ${describeBackend(backend)}`);

  const sandbox = new Sandbox({ workers: config.sandboxWorkers });
  try {
    // 1. Corpus and evaluation sets (the corpus is the training split, indexes 0…N-1).
    const docs = await buildBaseCorpus({
      seed: config.seed,
      indices: Array.from({ length: config.corpus.tasks }, (_, i) => i),
      sandbox,
      buggyFraction: config.corpus.buggyFraction,
    });
    const { sets, heldoutSolutions } = await _evalSets(config, sandbox);
    // Unseen training-split tasks may still repeat a corpus body (same composition and constants).
    const corpusBodies = new Set(docs.map((d) => d.text.slice(d.text.lastIndexOf('"""\n') + 4)));
    const heldoutOverlap = heldoutSolutions.filter((b) => corpusBodies.has(b)).length;
    const tCorpus = performance.now();
    log(`corpus: ${docs.length} documents, ${docs.filter((d) => d.buggy).length} buggy`);

    // 2. Tokenizer: corpus documents plus every evaluation prompt (prompts only, no solutions).
    const tokenizer = await trainTokenizer(
      [...docs.map((d) => d.text), ...EVAL_SET_NAMES.flatMap((s) => sets[s].map((t) => t.prompt))],
      {
        minCount: config.tokenizer.minCount,
        maxVocabSize: config.tokenizer.maxVocabSize === 0
          ? Infinity
          : config.tokenizer.maxVocabSize,
        base: config.tokenizer.base,
      },
    );
    const stream = tokenStream(docs.map((d) => tokenizer.encode(d.text)), {
      eosId: tokenizer.eosId,
      bosId: tokenizer.bosId,
    });
    log(`tokenizer ${tokenizer.id}: ${tokenizer.vocabSize} tokens; stream ${stream.length} tokens`);

    // 3. Model and training.
    const model = createGpt({ ...config.model, vocabSize: tokenizer.vocabSize });
    try {
      const fingerprint = createHash("sha256")
        .update(JSON.stringify({ config, tokenizer: tokenizer.id, tokens: stream.length }))
        .digest("hex").slice(0, 16);
      const t = config.train;
      const result = await train({
        model,
        steps: t.steps,
        batches: lmBatches({ stream, batchSize: t.batchSize, length: t.length, seed: t.dataSeed }),
        lossFn: lmLoss(),
        runDir: options.runDir,
        fingerprint,
        optimizer: {
          lr: t.lr,
          weightDecay: t.weightDecay,
          gradClipNorm: t.gradClipNorm,
        },
        schedule: { warmupFraction: t.warmupFraction, minLrRatio: t.minLrRatio },
        accumulation: t.accumulation,
        checkpointEvery: t.checkpointEvery,
        progress,
      });
      const tTrain = performance.now();
      const steps = await _readSteps(join(options.runDir, "metrics.jsonl"));
      const losses = steps.map((s) => s.metrics.loss ?? NaN);
      const tail = losses.slice(-Math.min(10, losses.length));
      const stepTimeS = steps.reduce((a, s) => a + s.tokens / s.tokensPerSecond, 0);
      const every = Math.max(1, Math.ceil(steps.length / 50));
      const lossCurve = steps
        .filter((_, i) => i % every === 0 || i === steps.length - 1)
        .map((s) => [s.step, s.metrics.loss ?? NaN] as const);

      // 4. Evaluation: greedy pass@1 through the sandbox.
      const codeModel = new TfjsCodeModel(model, tokenizer, {
        name: config.name,
        batchSize: config.eval.batchSize,
      });
      const evaluation = {} as Record<EvalSetName, MiniflowEvalSummary>;
      for (const name of EVAL_SET_NAMES) {
        const { summary, samples } = await evaluateMiniflow({
          model: codeModel,
          tasks: sets[name],
          sandbox,
          maxTokens: config.eval.maxTokens,
          batchSize: config.eval.batchSize,
          onProgress: (done, total) => {
            if (progress) {
              Deno.stderr.writeSync(
                new TextEncoder().encode(`\r[pretrain] eval ${name}: ${done}/${total}\x1b[K`),
              );
            }
          },
        });
        _stderr(progress, "");
        await writeFile(
          join(options.runDir, `eval-${name}.jsonl`),
          samples.map((s) => JSON.stringify(s) + "\n").join(""),
        );
        evaluation[name] = summary;
        log(`${name}: pass@1 ${summary.passed}/${summary.tasks}`);
      }
      const tEval = performance.now();

      // 5. Checkpoint and model card.
      const git = gitInfo(options.repoDir ?? Deno.cwd());
      const card: ModelCard = {
        format: "target-dpo-model-card-v1",
        name: config.name,
        config,
        model: model.config,
        parameters: model.variables.reduce((a, v) => a + v.size, 0),
        tokenizerId: tokenizer.id,
        corpus: {
          seed: config.seed,
          documents: docs.length,
          buggyFraction: config.corpus.buggyFraction,
          realisedBuggyFraction: docs.filter((d) => d.buggy).length / docs.length,
          tokens: stream.length,
        },
        training: {
          steps: result.step,
          tokensSeen: steps.reduce((a, s) => a + s.tokens, 0),
          initialLoss: losses[0],
          finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
          // Over every logged update, so a resumed run reports the whole run's throughput.
          tokensPerSecond: steps.reduce((a, s) => a + s.tokens, 0) / stepTimeS,
          stepTimeS,
          lossCurve,
          resumedFrom: result.resumedFrom,
        },
        evaluation,
        heldoutBodiesInCorpus: heldoutOverlap,
        bugPropensity: {
          heldout: 1 - evaluation["train-heldout"].passAt1,
          seen: 1 - evaluation["train-seen"].passAt1,
        },
        wallTimeS: {
          corpus: (tCorpus - t0) / 1000,
          train: (tTrain - tCorpus) / 1000,
          eval: (tEval - tTrain) / 1000,
          total: (performance.now() - t0) / 1000,
        },
        backend,
        git,
        denoVersion: Deno.version.deno,
        createdAt: new Date().toISOString(),
      };
      await saveCheckpoint(options.outDir, model, tokenizer, {
        name: config.name,
        preset: config.preset,
        corpusSeed: config.seed,
        buggyFraction: config.corpus.buggyFraction,
        steps: result.step,
        finalLoss: card.training.finalLoss,
        gitCommit: git.commit,
      });
      await writeFile(
        join(options.outDir, MODEL_CARD_FILES.json),
        JSON.stringify(card, null, 2) + "\n",
      );
      await writeFile(join(options.outDir, MODEL_CARD_FILES.markdown), renderModelCard(card));
      return { card, outDir: options.outDir, runDir: options.runDir };
    } finally {
      model.dispose();
    }
  } finally {
    await sandbox.close();
  }
}
