/**
 * The training stage of a preference cell: reference log-probs (cached per checkpoint and
 * dataset), then lib/train's resumable trainer from the base weights, then the step metrics the
 * cell reports.
 *
 * @module
 */
import { join } from "node:path";
import { type LossVariant, type MetricName, needsReference, pickLossOptions } from "../loss/mod.ts";
import type { CausalLM } from "../model/mod.ts";
import {
  cachedReferenceLogps,
  preferenceBatches,
  preferenceLoss,
  type PreparedPair,
  readMetricsLog,
  type StepRecord,
  train,
  trainerOptions,
} from "../train/mod.ts";
import type { PreferenceCellProgress } from "./preference.ts";
import type { PreferenceTrainConfig } from "./preference_config.ts";

/** Metrics of the step records the curves and the final train metrics use. */
export const CURVE_METRICS: readonly MetricName[] = [
  "loss",
  "nll",
  "rewards/margins",
  "rewards/accuracies",
  "rewards/chosen",
  "rewards/rejected",
];

/** Options of {@linkcode trainCell}. */
export interface TrainCellOptions {
  /** What trains (in place). */
  readonly model: CausalLM;
  /** What the reference log-probs come from, before the first update (often `model` itself). */
  readonly reference: CausalLM;
  readonly pairs: readonly PreparedPair[];
  readonly train: PreferenceTrainConfig & { readonly loss: LossVariant };
  /** Optimizer updates. */
  readonly steps: number;
  /** Seed of the data order and the hybrid splits. */
  readonly seed: number;
  readonly padId: number;
  /** The base checkpoint's identity (keys the reference cache). */
  readonly checkpointHash: string;
  /** Folder of the shared reference log-prob cache. */
  readonly refCacheDir: string;
  /** The trainer's run folder (resumable). */
  readonly trainDir: string;
  readonly fingerprint: string;
  readonly report: (p: PreferenceCellProgress) => void;
}

/** Train the policy in place; returns `train/<metric>`: means over the last tenth of the steps. */
export async function trainCell(o: TrainCellOptions): Promise<Record<string, number>> {
  const t = o.train;
  const reference = needsReference(t.loss)
    ? (await cachedReferenceLogps(o.reference, o.pairs, {
      cacheDir: o.refCacheDir,
      checkpointHash: o.checkpointHash,
      padId: o.padId,
      onProgress: (done, total) => o.report({ stage: "reference", done, total }),
    })).logps
    : undefined;
  await train({
    model: o.model,
    steps: o.steps,
    batches: preferenceBatches({
      pairs: o.pairs,
      reference,
      batchSize: t.batchSize,
      seed: o.seed,
      padId: o.padId,
    }),
    lossFn: preferenceLoss({ variant: t.loss, ...pickLossOptions(t) }),
    runDir: o.trainDir,
    fingerprint: o.fingerprint,
    ...trainerOptions(t),
    keepCheckpoints: 1,
    progress: false,
    onEvent: (e) => {
      if (e.type !== "step") return;
      const note = `loss ${(e.metrics.loss ?? NaN).toFixed(3)}`;
      o.report({ stage: "train", done: e.step, total: o.steps, note });
    },
  });
  return tailMetrics(await readMetricsLog(join(o.trainDir, "metrics.jsonl")));
}

/** `train/<metric>`: the mean of each curve metric over the last tenth of the steps. */
export function tailMetrics(steps: readonly StepRecord[]): Record<string, number> {
  const tail = steps.slice(-Math.max(1, Math.ceil(steps.length / 10)));
  const out: Record<string, number> = {};
  for (const m of CURVE_METRICS) {
    const values = tail.map((s) => s.metrics[m]).filter((v): v is number => v !== undefined);
    if (values.length > 0) out[`train/${m}`] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  return out;
}
