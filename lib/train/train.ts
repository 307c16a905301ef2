/**
 * The generic training loop. It knows nothing about GPT or about preference data: it takes a
 * {@link CausalLM}, a stateless batch function and a per-batch loss closure.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { appendJsonl } from "../core/mod.ts";
import { type MetricName, mixSeed } from "../loss/mod.ts";
import type { CausalLM } from "../model/types.ts";
import { AdamW, type AdamWConfig, clipByGlobalNorm } from "./adamw.ts";
import { truncateMetricsLog } from "./metrics_log.ts";
import { progressLine, writeProgress } from "./progress_bar.ts";
import { cosineWithWarmup, type ScheduleConfig } from "./schedule.ts";
import {
  checkpointName,
  listCheckpoints,
  loadTrainingState,
  saveTrainingState,
} from "./training_state.ts";
import type { BatchFn, LossClosure, StepRecord, TrainBatch, TrainEvent } from "./types.ts";

/** Options of {@link train}. */
export interface TrainOptions<B extends TrainBatch> {
  readonly model: CausalLM;
  /** Optimizer updates of the whole run (a resumed run continues to this count). */
  readonly steps: number;
  /** Micro-batch `index` -> batch; must be a pure function of the index (deterministic resume). */
  readonly batches: BatchFn<B>;
  /** Per-batch loss (forward + pure loss), run inside the gradient tape. */
  readonly lossFn: LossClosure<B>;
  /** Run directory: `metrics.jsonl` and `checkpoints/` go here. */
  readonly runDir: string;
  /**
   * Identity of the run (seed, data, config), stored in checkpoints; resuming from a checkpoint
   * with another fingerprint fails.
   * @default {"default"}
   */
  readonly fingerprint?: string;
  /** AdamW hyper-parameters (peak `lr` included). */
  readonly optimizer?: AdamWConfig;
  /** Warm-up fraction and final LR ratio of the cosine schedule. */
  readonly schedule?: ScheduleConfig;
  /**
   * Micro-batches per update (gradient accumulation); the loss of each is divided by it.
   * @default {1}
   */
  readonly accumulation?: number;
  /**
   * Save a checkpoint every N updates (and after the last one); `0` saves only the last one.
   * @default {0}
   */
  readonly checkpointEvery?: number;
  /**
   * Checkpoints kept on disk.
   * @default {2}
   */
  readonly keepCheckpoints?: number;
  /**
   * Resume from the newest checkpoint of `runDir` when there is one.
   * @default {true}
   */
  readonly resume?: boolean;
  /** Writes extra files (for example a model checkpoint) into each checkpoint directory. */
  readonly onCheckpoint?: (dir: string, step: number) => Promise<void>;
  /** Receives every event. */
  readonly onEvent?: (event: TrainEvent) => void;
  /**
   * Draw a progress bar on stderr.
   * @default {true}
   */
  readonly progress?: boolean;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Updates completed (equals `steps`). */
  readonly step: number;
  /** Step the run resumed from (0 for a fresh run). */
  readonly resumedFrom: number;
  /** Metrics of the last step. */
  readonly lastMetrics: Readonly<Partial<Record<MetricName, number>>>;
  /** Mean tokens/s over the steps run by this call. */
  readonly tokensPerSecond: number;
  readonly elapsedS: number;
}

/** Thrown when a loss, metric or gradient norm is NaN or infinite. */
export class NonFiniteError extends Error {
  constructor(readonly step: number, readonly metric: string, readonly value: number) {
    super(
      `training diverged at step ${step}: ${metric} is ${value} ` +
        "(lower the learning rate, check the data, or enable gradient clipping)",
    );
    this.name = "NonFiniteError";
  }
}

/**
 * Trains `model` for `steps` AdamW updates with a cosine/warm-up schedule, global-norm clipping
 * and gradient accumulation. Logs one JSON line per update to `<runDir>/metrics.jsonl`, saves
 * atomic checkpoints, and resumes from the newest one: a resumed run reproduces the
 * uninterrupted run's metrics exactly (same backend), because data and hybrid splits are
 * functions of (seed, index) and the optimizer state is restored bit for bit. Model-internal
 * randomness (dropout) is stateless too: micro-batch `k` calls `model.logits(ids, true, seed)`
 * with `seed = mixSeed(model.config.seed, k)`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt } from "../model/mod.ts";
 * import { lmBatches, lmLoss, tokenStream, train } from "./mod.ts";
 * await initBackend("cpu");
 * const model = createGpt({ vocabSize: 8, contextLength: 8, dModel: 8, nLayer: 1, nHead: 2,
 *   mlpRatio: 2, dropout: 0, seed: 1 });
 * const stream = tokenStream([[2, 3, 4, 5, 6, 7]], { eosId: 0, bosId: 1 });
 * const result = await train({
 *   model, steps: 2, runDir: await Deno.makeTempDir(), progress: false,
 *   batches: lmBatches({ stream, batchSize: 2, length: 4, seed: 0 }), lossFn: lmLoss(),
 * });
 * equal(result.step, 2);
 * model.dispose();
 * ```
 */
export async function train<B extends TrainBatch>(options: TrainOptions<B>): Promise<TrainResult> {
  const { model, steps, batches, lossFn, runDir } = options;
  const accumulation = options.accumulation ?? 1;
  const checkpointEvery = options.checkpointEvery ?? 0;
  const fingerprint = options.fingerprint ?? "default";
  const showProgress = options.progress ?? true;
  const emit = options.onEvent ?? (() => {});
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`train: steps must be >= 1, found ${steps}`);
  }
  if (!Number.isInteger(accumulation) || accumulation < 1) {
    throw new Error(`train: accumulation must be an integer >= 1, found ${accumulation}`);
  }
  await mkdir(runDir, { recursive: true });
  const metricsPath = join(runDir, "metrics.jsonl");
  const variables = model.variables;
  const optimizer = new AdamW(variables, options.optimizer);
  const peakLr = optimizer.config.lr;
  try {
    let start = 0;
    const saved = (options.resume ?? true) ? await listCheckpoints(runDir) : [];
    if (saved.length > 0) {
      const dir = join(runDir, "checkpoints", checkpointName(saved[saved.length - 1]));
      const meta = await loadTrainingState({ dir, variables, optimizer, fingerprint });
      if (meta.accumulation !== accumulation) {
        throw new Error(
          `${dir}: saved with accumulation ${meta.accumulation}, resumed with ${accumulation}`,
        );
      }
      start = meta.step;
      emit({ type: "resume", fromStep: start, checkpoint: dir });
    }
    await truncateMetricsLog(metricsPath, start);
    emit({ type: "start", fromStep: start, steps });

    const t0 = performance.now();
    let tokensSeen = 0;
    let lastMetrics: Partial<Record<MetricName, number>> = {};
    let lastDraw = 0;
    for (let step = start; step < steps; step++) {
      const stepT0 = performance.now();
      const lr = cosineWithWarmup(step, steps, peakLr, options.schedule);
      const { record, grads } = await _computeStep({
        model,
        batches,
        lossFn,
        step,
        accumulation,
        gradClipNorm: optimizer.config.gradClipNorm,
      });
      try {
        for (const [name, value] of Object.entries(record.metrics)) {
          if (!Number.isFinite(value)) {
            throw new NonFiniteError(step + 1, `metric "${name}"`, value);
          }
        }
        if (!Number.isFinite(record.gradNorm)) {
          throw new NonFiniteError(step + 1, "the gradient norm", record.gradNorm);
        }
        optimizer.apply(grads, lr);
      } finally {
        tf.dispose(grads);
      }
      tokensSeen += record.tokens;
      const now = performance.now();
      const full: StepRecord = {
        step: step + 1,
        lr,
        gradNorm: record.gradNorm,
        tokens: record.tokens,
        tokensPerSecond: record.tokens / Math.max(1e-9, (now - stepT0) / 1000),
        elapsedS: (now - t0) / 1000,
        metrics: record.metrics,
      };
      lastMetrics = record.metrics;
      await appendJsonl(metricsPath, [full]);
      emit({ type: "step", ...full });
      if (showProgress && (now - lastDraw > 200 || step + 1 === steps)) {
        lastDraw = now;
        const rate = tokensSeen / Math.max(1e-9, (now - t0) / 1000);
        const perStep = (now - t0) / 1000 / (step + 1 - start);
        writeProgress(
          progressLine({
            step: step + 1,
            steps,
            loss: record.metrics.loss ?? NaN,
            tokensPerSecond: rate,
            etaS: perStep * (steps - step - 1),
          }),
          step + 1 === steps,
        );
      }
      const done = step + 1;
      if ((checkpointEvery > 0 && done % checkpointEvery === 0) || done === steps) {
        const dir = await saveTrainingState({
          runDir,
          variables,
          optimizer,
          meta: { step: done, accumulation, steps, fingerprint, optimizer: optimizer.config },
          extra: options.onCheckpoint ? (d) => options.onCheckpoint!(d, done) : undefined,
          keep: options.keepCheckpoints,
        });
        emit({ type: "checkpoint", step: done, dir });
      }
    }
    const elapsedS = (performance.now() - t0) / 1000;
    emit({ type: "done", step: steps, elapsedS });
    return {
      step: steps,
      resumedFrom: start,
      lastMetrics,
      tokensPerSecond: tokensSeen / Math.max(1e-9, elapsedS),
      elapsedS,
    };
  } finally {
    optimizer.dispose();
  }
}

/**
 * Forward + backward over the micro-batches of one update, then global-norm clipping. Returns
 * the clipped gradients (caller disposes) and the averaged metrics, read back in one transfer.
 */
async function _computeStep<B extends TrainBatch>(o: {
  readonly model: CausalLM;
  readonly batches: BatchFn<B>;
  readonly lossFn: LossClosure<B>;
  readonly step: number;
  readonly accumulation: number;
  readonly gradClipNorm: number;
}): Promise<
  { record: Omit<StepRecord, "step" | "lr" | "tokensPerSecond" | "elapsedS">; grads: tf.Tensor[] }
> {
  const vars = o.model.variables;
  let acc: tf.Tensor[] | null = null;
  const metricSums = new Map<MetricName, tf.Scalar>();
  let tokens = 0;
  for (let micro = 0; micro < o.accumulation; micro++) {
    const index = o.step * o.accumulation + micro;
    const batch = o.batches(index);
    tokens += batch.tokens;
    const kept: [MetricName, tf.Scalar][] = [];
    const model = _withDropoutSeed(o.model, mixSeed(o.model.config.seed, index));
    const { value, grads } = tf.variableGrads(() => {
      const r = o.lossFn(model, batch);
      for (const [name, t] of Object.entries(r.metrics) as [MetricName, tf.Scalar][]) {
        kept.push([name, tf.keep(tf.clone(t))]);
      }
      return o.accumulation === 1 ? r.loss : tf.div(r.loss, o.accumulation) as tf.Scalar;
    }, vars as tf.Variable[]);
    value.dispose();
    const list = vars.map((v) => {
      const g = grads[v.name];
      if (g === undefined) {
        throw new Error(`train: no gradient for variable ${v.name} [${v.shape}]`);
      }
      return g;
    });
    if (acc === null) {
      acc = list;
    } else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, list[i]));
      tf.dispose([...prev, ...list]);
    }
    for (const [name, t] of kept) {
      const prev = metricSums.get(name);
      metricSums.set(name, prev === undefined ? t : tf.tidy(() => tf.add(prev, t) as tf.Scalar));
      if (prev !== undefined) tf.dispose([prev, t]);
    }
  }
  const { norm, grads } = clipByGlobalNorm(acc!, o.gradClipNorm);
  tf.dispose(acc!);
  const names = [...metricSums.keys()];
  const packed = tf.tidy(() =>
    tf.concat([
      tf.div(tf.stack(names.map((n) => metricSums.get(n)!)), o.accumulation),
      norm.reshape([1]),
    ])
  );
  const values = await packed.data();
  tf.dispose([packed, norm, ...metricSums.values()]);
  const metrics: Partial<Record<MetricName, number>> = {};
  names.forEach((n, i) => metrics[n] = values[i]);
  return { record: { gradNorm: values[names.length], tokens, metrics }, grads };
}

/** `model` whose training forward passes use dropout seed `seed` unless the caller gives one. */
function _withDropoutSeed(model: CausalLM, seed: number): CausalLM {
  return {
    get config() {
      return model.config;
    },
    get variables() {
      return model.variables;
    },
    logits: (ids, training, callSeed) => model.logits(ids, training, callSeed ?? seed),
    tokenLogps: model.tokenLogps === undefined
      ? undefined
      : (ids, targets, training, callSeed) =>
        model.tokenLogps!(ids, targets, training, callSeed ?? seed),
    dispose: () => model.dispose(),
  };
}
