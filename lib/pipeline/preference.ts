/**
 * The training cell of every preference study (issue 6 item 1): trajectories (cached MiniFlow
 * synthesis or a JSONL file) → pairs per the cell's selection rule, diff method, rule filters and
 * empty-`D-` policy → token masks → reference log-probs (cached per checkpoint and dataset) →
 * training from the base weights through lib/train (resumable) → greedy pass@1 on the MiniFlow
 * test and validation splits in the sandbox. It only assembles library parts.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { initBackend } from "../backend/mod.ts";
import { PyAstService, readTrajectories } from "../codeflow/mod.ts";
import type { EmptyRejectedCase, Trajectory } from "../core/mod.ts";
import { TfjsCodeModel } from "../eval/tfjs_code_model.ts";
import { type MetricName, needsReference } from "../loss/mod.ts";
import type { Gpt } from "../model/gpt.ts";
import { loadCheckpoint } from "../model/mod.ts";
import { Sandbox } from "../sandbox/mod.ts";
import {
  cachedReferenceLogps,
  datasetHash,
  preferenceBatches,
  preferenceLoss,
  preparePair,
  type StepRecord,
  train,
  weightsHash,
} from "../train/mod.ts";
import { cachedBenchmark } from "./cached_benchmark.ts";
import { cachedMiniflowTrajectories } from "./cached_trajectories.ts";
import { evaluateMiniflow, type MiniflowEvalSummary } from "./evaluate_miniflow.ts";
import {
  contextSpecOf,
  type PreferenceBase,
  type PreferenceScale,
  validatePreferenceConfig,
} from "./preference_config.ts";
import { buildPreferenceDataset, type PreferenceDatasetCounts } from "./preference_dataset.ts";

/** A JSON value, as `ctx.logMetrics` accepts. */
type _Json = null | boolean | number | string | _Json[] | { [k: string]: _Json };

/** Files of a cell folder. */
export const PREFERENCE_CELL_FILES = {
  /** The dataset with its masks, one {@linkcode PreferenceRecord} per line. */
  pairs: "pairs.jsonl",
  /** The trainer's run folder (`metrics.jsonl`, `checkpoints/`). */
  train: "train",
  /** Checked greedy completions of the test split. */
  evalTest: "eval-test.jsonl",
  /** Checked greedy completions of the validation split. */
  evalVal: "eval-validation.jsonl",
  /** The cell's metrics with the fingerprint they belong to. */
  result: "result.json",
} as const;

/** Where a cell is in its work, for progress lines. */
export interface PreferenceCellProgress {
  readonly stage: "trajectories" | "reference" | "train" | "eval-test" | "eval-validation";
  readonly done: number;
  readonly total: number;
  /** @default {undefined} */
  readonly note?: string;
}

/** Options of {@linkcode runPreferenceCell}. */
export interface RunPreferenceCellOptions {
  /** The cell's config (a study's base with the variant's differences applied). */
  readonly base: PreferenceBase;
  /** The preset's sizes. */
  readonly scale: PreferenceScale;
  /** Seed of the pair selection, `"random1to2"` draws, data order and hybrid splits. */
  readonly seed: number;
  /** The cell's own folder (resumable: a rerun continues the training run found there). */
  readonly cellDir: string;
  /** Folder of the shared caches: trajectories, evaluation splits, reference log-probs. */
  readonly cacheDir: string;
  /**
   * Folder that relative paths of the config (`model.checkpoint`, `data.trajectoriesFile`)
   * resolve against.
   * @default {the working directory}
   */
  readonly rootDir?: string;
  /**
   * Receives one record per training step (`step`, `loss`, `rewards/margins`, …), after the
   * training run, for the training curves.
   * @default {undefined}
   */
  readonly logMetrics?: (record: Readonly<Record<string, _Json>>) => Promise<void>;
  /** @default {undefined} */
  readonly progress?: (p: PreferenceCellProgress) => void;
}

/** What {@linkcode runPreferenceCell} returns. */
export interface PreferenceCellResult {
  /**
   * `pass@1/test`, `pass@1/val`; `train/<metric>` (mean over the last tenth of the steps, absent
   * for the Ref arm); pair counts (`pairs/kept`, `pairs/candidates`, `pairs/filtered`,
   * `emptyD/<case>`); `wallS/<stage>` seconds.
   */
  readonly metrics: Readonly<Record<string, number>>;
  readonly counts: PreferenceDatasetCounts;
  readonly test: MiniflowEvalSummary;
  readonly validation: MiniflowEvalSummary;
  /** Whether the metrics came from a finished cell's `result.json` (nothing was recomputed). */
  readonly reused: boolean;
}

/** Metrics of the step records the curves and the final train metrics use. */
const _CURVE_METRICS: readonly MetricName[] = [
  "loss",
  "nll",
  "rewards/margins",
  "rewards/accuracies",
  "rewards/chosen",
  "rewards/rejected",
];

const _CASE_KEYS: Readonly<Record<EmptyRejectedCase, string>> = {
  "non-empty": "emptyD/non-empty",
  keep: "emptyD/keep",
  drop: "emptyD/drop",
  "anchor-insertion": "emptyD/anchor-insertion",
  "anchor-last-line": "emptyD/anchor-last-line",
  "anchor-none": "emptyD/anchor-none",
};

async function _readJsonlFile<T>(path: string): Promise<T[]> {
  const text = await readFile(path, "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((line, i) => {
    try {
      return JSON.parse(line) as T;
    } catch (e) {
      throw new Error(`${path}:${i + 1}: ${(e as Error).message}`, { cause: e });
    }
  });
}

async function _atomicWrite(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp-${Deno.pid}`, text);
  await rename(`${path}.tmp-${Deno.pid}`, path);
}

function _resolve(root: string, path: string): string {
  return path.startsWith("/") ? path : join(root, path);
}

/**
 * Train and evaluate one (variant, seed): see the module doc for the stages. Shared work is
 * cached under `cacheDir` (trajectories per teacher seed and size, evaluation splits, reference
 * log-probs per checkpoint and dataset); the cell's own artefacts go to `cellDir`: the dataset
 * with its masks, the resumable training run, the checked completions, `result.json`. A rerun of
 * a finished cell with the same fingerprint returns its stored metrics.
 */
export async function runPreferenceCell(
  options: RunPreferenceCellOptions,
): Promise<PreferenceCellResult> {
  const { base, scale, seed, cellDir, cacheDir } = options;
  validatePreferenceConfig(base, scale);
  const root = options.rootDir ?? Deno.cwd();
  const report = options.progress ?? (() => {});
  const t0 = performance.now();
  // Logged in result.json: which engines computed the cell (the fingerprint leaves them out).
  const backend = await initBackend(base.runtime.backend, {
    matmul: base.runtime.matmul,
    blas: { threads: base.runtime.blasThreads },
    kernels: base.runtime.kernels,
    dnn: { threads: base.runtime.dnnThreads },
  });
  await mkdir(cellDir, { recursive: true });
  const sandbox = new Sandbox({ workers: base.runtime.sandboxWorkers });
  let model: Gpt | null = null;
  try {
    // 1. Trajectories and the base model.
    let trajectories: Trajectory[];
    if (base.data.trajectoriesFile !== null) {
      trajectories = [];
      for await (const t of readTrajectories(_resolve(root, base.data.trajectoriesFile))) {
        trajectories.push(t);
      }
    } else {
      ({ trajectories } = await cachedMiniflowTrajectories({
        cacheDir,
        seed: base.data.teacherSeed,
        tasks: scale.tasks,
        firstIndex: base.data.firstIndex,
        maxRefinements: base.data.maxRefinements,
        sandbox,
        onProgress: (done, total) => report({ stage: "trajectories", done, total }),
      }));
    }
    const checkpoint = await loadCheckpoint(_resolve(root, base.model.checkpoint));
    model = checkpoint.model;
    const { tokenizer } = checkpoint;
    const ckptHash = await weightsHash(model);

    // 2. Pairs, masks, truncation.
    const pyAst = new PyAstService();
    await pyAst.start();
    let dataset;
    try {
      dataset = await buildPreferenceDataset({
        trajectories,
        tokenizer,
        pyAst,
        seed,
        rule: base.data.rule,
        method: base.data.method,
        contextLines: contextSpecOf(base.mask),
        emptyRejected: base.mask.emptyRejected,
        maxRejectedLines: base.data.maxRejectedLines,
        maxTokens: base.data.maxTokens,
      });
    } finally {
      await pyAst.close();
    }
    const { counts, records, examples } = dataset;
    const prepared = examples.map((e) =>
      preparePair(e, {
        eosId: tokenizer.eosId,
        contextLength: model!.config.contextLength,
        maxPromptLength: base.train.maxPromptLength,
      })
    );
    const fingerprint = createHash("sha256").update(JSON.stringify({
      base: { ...base, runtime: null },
      scale,
      seed,
      checkpoint: ckptHash,
      data: datasetHash(prepared),
      masks: records.map((r) => r.masks),
    })).digest("hex").slice(0, 16);
    const resultPath = join(cellDir, PREFERENCE_CELL_FILES.result);
    const trainDir = join(cellDir, PREFERENCE_CELL_FILES.train);
    const storeDir = join(cacheDir, "cells", fingerprint);
    let stored = await _readResult(resultPath);
    if (stored?.fingerprint !== fingerprint) {
      // The same cell finished in another run (e.g. Target-DPO at β 0.1 in main-results and in
      // beta-sweep): take its artefacts instead of training it again.
      if (
        (await _readResult(join(storeDir, PREFERENCE_CELL_FILES.result)))?.fingerprint ===
          fingerprint
      ) {
        await rm(cellDir, { recursive: true, force: true });
        await cp(storeDir, cellDir, { recursive: true });
        stored = await _readResult(resultPath);
      }
    }
    if (stored?.fingerprint === fingerprint) {
      await _logCurves(trainDir, options.logMetrics);
      return { ...stored.result, reused: true };
    }
    await _atomicWrite(
      join(cellDir, PREFERENCE_CELL_FILES.pairs),
      records.map((r) => JSON.stringify(r) + "\n").join(""),
    );
    const tData = performance.now();

    // 3. Training (the Ref arm evaluates the base model as is).
    const loss = base.train.loss;
    const trainMetrics: Record<string, number> = {};
    if (loss !== "none") {
      if (prepared.length === 0) {
        throw new Error(
          `cell seed ${seed}: no pair left to train on (${counts.candidates} candidates, ` +
            `${counts.emptyRejected.drop} dropped for an empty D-, ${counts.filtered} by the ` +
            `rule filters) from ${counts.trajectories} trajectories`,
        );
      }
      const reference = needsReference(loss)
        ? (await cachedReferenceLogps(model, prepared, {
          cacheDir: join(cacheDir, "ref-logps"),
          checkpointHash: ckptHash,
          padId: tokenizer.padId,
          onProgress: (done, total) => report({ stage: "reference", done, total }),
        })).logps
        : undefined;
      const t = base.train;
      await train({
        model,
        steps: scale.steps,
        batches: preferenceBatches({
          pairs: prepared,
          reference,
          batchSize: t.batchSize,
          seed,
          padId: tokenizer.padId,
        }),
        lossFn: preferenceLoss({ variant: loss, beta: t.beta, lambda: t.lambda }),
        runDir: trainDir,
        fingerprint,
        optimizer: { lr: t.lr, weightDecay: t.weightDecay, gradClipNorm: t.gradClipNorm },
        schedule: { warmupFraction: t.warmupFraction, minLrRatio: t.minLrRatio },
        accumulation: t.accumulation,
        checkpointEvery: t.checkpointEvery,
        keepCheckpoints: 1,
        progress: false,
        onEvent: (e) => {
          if (e.type === "step") {
            report({
              stage: "train",
              done: e.step,
              total: scale.steps,
              note: `loss ${(e.metrics.loss ?? NaN).toFixed(3)}`,
            });
          }
        },
      });
      const steps = await _readJsonlFile<StepRecord>(join(trainDir, "metrics.jsonl"));
      const tail = steps.slice(-Math.max(1, Math.ceil(steps.length / 10)));
      for (const m of _CURVE_METRICS) {
        const values = tail.map((s) => s.metrics[m]).filter((v): v is number => v !== undefined);
        if (values.length > 0) {
          trainMetrics[`train/${m}`] = values.reduce((a, b) => a + b, 0) / values.length;
        }
      }
    }
    const tTrain = performance.now();

    // 4. Greedy pass@1 on the test and validation splits.
    const codeModel = new TfjsCodeModel(model, tokenizer, {
      name: `${loss}-seed${seed}`,
      batchSize: base.eval.batchSize,
    });
    const evaluate = async (split: "test" | "validation", count: number, file: string) => {
      const tasks = await cachedBenchmark({
        cacheDir,
        seed: base.eval.seed,
        split,
        count,
        sandbox,
      });
      const stage = split === "test" ? "eval-test" : "eval-validation";
      const { summary, samples } = await evaluateMiniflow({
        model: codeModel,
        tasks,
        sandbox,
        maxTokens: scale.maxNewTokens,
        batchSize: base.eval.batchSize,
        onProgress: (done, total) => report({ stage, done, total }),
      });
      await _atomicWrite(
        join(cellDir, file),
        samples.map((s) => JSON.stringify(s) + "\n").join(""),
      );
      return summary;
    };
    const test = await evaluate("test", scale.testTasks, PREFERENCE_CELL_FILES.evalTest);
    const validation = await evaluate("validation", scale.valTasks, PREFERENCE_CELL_FILES.evalVal);
    const tEval = performance.now();

    const metrics: Record<string, number> = {
      "pass@1/test": test.passAt1,
      "pass@1/val": validation.passAt1,
      ...trainMetrics,
      "pairs/kept": counts.kept,
      "pairs/candidates": counts.candidates,
      "pairs/filtered": counts.filtered,
      "trajectories/passing": counts.passing,
      ...Object.fromEntries(
        Object.entries(counts.emptyRejected).map((
          [c, n],
        ) => [_CASE_KEYS[c as EmptyRejectedCase], n]),
      ),
      "wallS/data": (tData - t0) / 1000,
      "wallS/train": (tTrain - tData) / 1000,
      "wallS/eval": (tEval - tTrain) / 1000,
      "wallS/total": (tEval - t0) / 1000,
    };
    const result = { metrics, counts, test, validation };
    await _logCurves(trainDir, options.logMetrics);
    await _atomicWrite(
      resultPath,
      JSON.stringify({ fingerprint, backend, result }, null, 2) + "\n",
    );
    await _storeCell(cellDir, storeDir);
    return { ...result, reused: false };
  } finally {
    model?.dispose();
    await sandbox.close();
  }
}

/** `result.json` of a finished cell. */
interface _StoredResult {
  readonly fingerprint: string;
  readonly result: Omit<PreferenceCellResult, "reused">;
}

async function _readResult(path: string): Promise<_StoredResult | null> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Copies a finished cell (its pairs, checked completions, step metrics and `result.json`; not the
 * weights) into the shared store under its fingerprint, atomically (a folder renamed into place).
 */
async function _storeCell(cellDir: string, storeDir: string): Promise<void> {
  const tmp = `${storeDir}.tmp-${Deno.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, PREFERENCE_CELL_FILES.train), { recursive: true });
  for (
    const f of [
      PREFERENCE_CELL_FILES.pairs,
      PREFERENCE_CELL_FILES.evalTest,
      PREFERENCE_CELL_FILES.evalVal,
      PREFERENCE_CELL_FILES.result,
      join(PREFERENCE_CELL_FILES.train, "metrics.jsonl"),
    ]
  ) {
    await cp(join(cellDir, f), join(tmp, f)).catch((e) => {
      if ((e as { code?: string }).code !== "ENOENT") throw e; // the Ref arm has no training run
    });
  }
  await rm(storeDir, { recursive: true, force: true });
  await rename(tmp, storeDir);
}

/** Sends the training run's step records (if any) to `logMetrics`, one curve point each. */
async function _logCurves(
  trainDir: string,
  logMetrics: RunPreferenceCellOptions["logMetrics"],
): Promise<void> {
  if (logMetrics === undefined) return;
  let steps: StepRecord[];
  try {
    steps = await _readJsonlFile<StepRecord>(join(trainDir, "metrics.jsonl"));
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return;
    throw e;
  }
  for (const s of steps) {
    const record: Record<string, _Json> = { step: s.step };
    for (const m of _CURVE_METRICS) {
      const v = s.metrics[m];
      if (v !== undefined) record[m] = v;
    }
    await logMetrics(record);
  }
}
