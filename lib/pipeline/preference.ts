/**
 * The training cell of every preference study (issue 6 item 1), as named stages: trajectories
 * (cached MiniFlow synthesis by debugging or sampling, or a JSONL file) → the base model (the
 * kit's GPT or a Hugging Face / GGUF model, `cell_model.ts`) → pairs per the cell's selection
 * rule, diff method, rule filters and empty-`D-` policy, with their token masks in that model's
 * tokens → the fingerprint,
 * and the stored result when the same cell already finished → training from the base weights
 * through lib/train (`cell_train.ts`, resumable) → greedy pass@1 on the evaluation target and the
 * MiniFlow validation split, and on `eval.also` (`cell_eval.ts`) → `result.json` and the shared cell store
 * (`cell_store.ts`). It only assembles library parts.
 *
 * @module
 */
import { join } from "node:path";
import { type BackendInfo, initBackend } from "../backend/mod.ts";
import { PyAstService, readTrajectories } from "../codeflow/mod.ts";
import {
  atomicWrite,
  EMPTY_REJECTED_CASES,
  type EmptyRejectedCase,
  toJsonl,
  type Trajectory,
} from "../core/mod.ts";
import { Sandbox } from "../sandbox/mod.ts";
import { type PreparedPair, readMetricsLog } from "../train/mod.ts";
import { cachedMiniflowTrajectories } from "./cached_trajectories.ts";
import { type CellEvaluation, evalTargetLabel, evaluateCell } from "./cell_eval.ts";
import { cellFingerprint, PREFERENCE_CELL_FILES, reuseCell, storeCell } from "./cell_store.ts";
import { type CellModel, openCellModel } from "./cell_model.ts";
import { CURVE_METRICS, trainCell } from "./cell_train.ts";
import type { MiniflowEvalSummary } from "./evaluate_miniflow.ts";
import {
  type PreferenceBase,
  type PreferenceScale,
  validatePreferenceConfig,
} from "./preference_config.ts";
import { type PreferenceDataset, type PreferenceDatasetCounts } from "./preference_dataset.ts";

/** A JSON value, as `ctx.logMetrics` accepts. */
type _Json = null | boolean | number | string | _Json[] | { [k: string]: _Json };

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
   * `pass@1/test` (on the evaluation target), `pass@1/val`; `train/<metric>` (mean over the last
   * tenth of the steps, absent for the Ref arm); pair counts (`pairs/kept`, `pairs/candidates`,
   * `pairs/filtered`, `emptyD/<case>`); `wallS/<stage>` seconds.
   */
  readonly metrics: Readonly<Record<string, number>>;
  readonly counts: PreferenceDatasetCounts;
  /** pass@1 on the evaluation target (`evalTarget`). */
  readonly test: MiniflowEvalSummary;
  readonly validation: MiniflowEvalSummary;
  /** What `test` was measured on (`"MiniFlow test split"`, `"HumanEval+ (20 tasks)"`, …). */
  readonly evalTarget: string;
  /** Whether the metrics came from a finished cell's `result.json` (nothing was recomputed). */
  readonly reused: boolean;
}

type _Stored = Omit<PreferenceCellResult, "reused">;

/** The open resources and settings every stage of one cell reads. */
interface _Cell extends RunPreferenceCellOptions {
  readonly root: string;
  readonly report: (p: PreferenceCellProgress) => void;
  readonly sandbox: Sandbox;
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
  validatePreferenceConfig(options.base, options.scale);
  const t0 = performance.now();
  const backend = await _initCellBackend(options.base);
  await Deno.mkdir(options.cellDir, { recursive: true });
  const cell: _Cell = {
    ...options,
    root: options.rootDir ?? Deno.cwd(),
    report: options.progress ?? (() => {}),
    sandbox: new Sandbox({ workers: options.base.runtime.sandboxWorkers }),
  };
  let model: CellModel | null = null;
  try {
    const trajectories = await _loadTrajectories(cell);
    model = await openCellModel(cell.base, cell.root, cell.seed);
    const dataset = await _buildDataset(cell, trajectories, model);
    const prepared = model.prepare(dataset);
    const fingerprint = cellFingerprint({
      ...cell,
      checkpointHash: model.hash,
      prepared,
      masks: dataset.records.map((r) => r.masks),
    });
    const storeDir = join(cell.cacheDir, "cells", fingerprint);
    const stored = await reuseCell<_Stored>(cell.cellDir, storeDir, fingerprint);
    if (stored !== null) {
      await _logCurves(cell);
      return { ...stored.result, evalTarget: evalTargetLabel(cell.base.eval), reused: true };
    }
    await atomicWrite(join(cell.cellDir, PREFERENCE_CELL_FILES.pairs), toJsonl(dataset.records));
    const tData = performance.now();
    const trainMetrics = await _train(cell, {
      model,
      prepared,
      fingerprint,
      counts: dataset.counts,
    });
    const tTrain = performance.now();
    const evaluation = await evaluateCell({
      ...cell,
      model: await model.codeModel(`${cell.base.train.loss}-seed${cell.seed}`),
      eval: cell.base.eval,
    });
    const wallMs = { data: tData - t0, train: tTrain - tData, eval: performance.now() - tTrain };
    const result = _result(cell, dataset.counts, trainMetrics, evaluation, wallMs);
    await _logCurves(cell);
    await storeCell<_Stored>(cell.cellDir, storeDir, {
      fingerprint,
      backend,
      sandbox: cell.sandbox.info,
      result,
    });
    return { ...result, reused: false };
  } finally {
    model?.dispose();
    await cell.sandbox.close();
  }
}

/** Initialise the engines of `base.runtime`; their info is logged in `result.json`. */
function _initCellBackend(base: PreferenceBase): Promise<BackendInfo> {
  return initBackend(base.runtime.backend, {
    matmul: base.runtime.matmul,
    blas: { threads: base.runtime.blasThreads },
    kernels: base.runtime.kernels,
    dnn: { threads: base.runtime.dnnThreads },
  });
}

function _resolve(root: string, path: string): string {
  return path.startsWith("/") ? path : join(root, path);
}

/** Stage 1: the trajectories file of the config, or the cached MiniFlow synthesis. */
async function _loadTrajectories(cell: _Cell): Promise<Trajectory[]> {
  const data = cell.base.data;
  if (data.trajectoriesFile !== null) {
    const path = _resolve(cell.root, data.trajectoriesFile);
    const trajectories = await Array.fromAsync(readTrajectories(path));
    const other = trajectories.find((t) => (t.source ?? "debugging") !== data.source);
    if (other !== undefined) {
      throw new Error(
        `${path}: task ${other.taskId} is a ${other.source ?? "debugging"} trajectory, but ` +
          `data.source is "${data.source}"`,
      );
    }
    return trajectories;
  }
  const { trajectories } = await cachedMiniflowTrajectories({
    cacheDir: cell.cacheDir,
    seed: data.teacherSeed,
    tasks: cell.scale.tasks,
    firstIndex: data.firstIndex,
    maxRefinements: data.maxRefinements,
    ...(data.source === "sampling" ? { samples: data.sampling.samples } : {}),
    sandbox: cell.sandbox,
    onProgress: (done, total) => cell.report({ stage: "trajectories", done, total }),
  });
  return trajectories;
}

/** Stage 2: pairs, masks and rule filters, with the Python AST helper the filters need. */
async function _buildDataset(
  cell: _Cell,
  trajectories: readonly Trajectory[],
  model: CellModel,
): Promise<PreferenceDataset> {
  const pyAst = new PyAstService();
  await pyAst.start();
  try {
    return await model.dataset(trajectories, { pyAst, seed: cell.seed });
  } finally {
    await pyAst.close();
  }
}

/** Stage 3: training (the Ref arm, `loss: "none"`, evaluates the base model as is). */
async function _train(
  cell: _Cell,
  o: {
    model: CellModel;
    prepared: PreparedPair[];
    fingerprint: string;
    counts: PreferenceDatasetCounts;
  },
): Promise<Record<string, number>> {
  const loss = cell.base.train.loss;
  if (loss === "none") return {};
  if (o.prepared.length === 0) {
    const c = o.counts;
    throw new Error(
      `cell seed ${cell.seed}: no pair left to train on (${c.candidates} candidates, ` +
        `${c.emptyRejected.drop} dropped for an empty D-, ${c.filtered} by the rule filters) ` +
        `from ${c.trajectories} trajectories`,
    );
  }
  return await trainCell({
    model: o.model.policy,
    reference: o.model.reference,
    pairs: o.prepared,
    train: { ...cell.base.train, loss },
    steps: cell.scale.steps,
    seed: cell.seed,
    padId: o.model.padId,
    checkpointHash: o.model.hash,
    refCacheDir: join(cell.cacheDir, "ref-logps"),
    trainDir: join(cell.cellDir, PREFERENCE_CELL_FILES.train),
    fingerprint: o.fingerprint,
    report: cell.report,
  });
}

const _CASE_KEYS = Object.fromEntries(
  EMPTY_REJECTED_CASES.map((c) => [c, `emptyD/${c}`]),
) as Readonly<Record<EmptyRejectedCase, string>>;

/** Stage 4: the cell's metrics (in the key order `result.json` has always had). */
function _result(
  cell: _Cell,
  counts: PreferenceDatasetCounts,
  trainMetrics: Record<string, number>,
  evaluation: CellEvaluation,
  wallMs: { data: number; train: number; eval: number },
): _Stored {
  const metrics: Record<string, number> = {
    "pass@1/test": evaluation.test.passAt1,
    "pass@1/val": evaluation.validation.passAt1,
    ...Object.fromEntries(
      Object.entries(evaluation.also).map(([target, e]) => [`pass@1/${target}`, e!.passAt1]),
    ),
    ...trainMetrics,
    "pairs/kept": counts.kept,
    "pairs/candidates": counts.candidates,
    "pairs/filtered": counts.filtered,
    "trajectories/passing": counts.passing,
    "data/teacherCalls": counts.teacherCalls,
    ...Object.fromEntries(
      Object.entries(counts.emptyRejected).map(([c, n]) => [_CASE_KEYS[c as EmptyRejectedCase], n]),
    ),
    "wallS/data": wallMs.data / 1000,
    "wallS/train": wallMs.train / 1000,
    "wallS/eval": wallMs.eval / 1000,
    "wallS/total": (wallMs.data + wallMs.train + wallMs.eval) / 1000,
  };
  return { metrics, counts, ...evaluation, evalTarget: evalTargetLabel(cell.base.eval) };
}

/** Sends the training run's step records (if any) to `logMetrics`, one curve point each. */
async function _logCurves(cell: _Cell): Promise<void> {
  if (cell.logMetrics === undefined) return;
  let steps;
  try {
    steps = await readMetricsLog(join(cell.cellDir, PREFERENCE_CELL_FILES.train, "metrics.jsonl"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const s of steps) {
    const record: Record<string, _Json> = { step: s.step };
    for (const m of CURVE_METRICS) {
      const v = s.metrics[m];
      if (v !== undefined) record[m] = v;
    }
    await cell.logMetrics(record);
  }
}
