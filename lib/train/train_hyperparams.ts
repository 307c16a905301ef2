/**
 * The optimisation hyper-parameters every training run of the kit shares (the base model's
 * pretraining and every preference cell), their checks, and their mapping onto
 * {@linkcode train}'s options, written once.
 *
 * @module
 */
import type { TrainOptions } from "./train.ts";
import type { TrainBatch } from "./types.ts";

/** AdamW, schedule, batching and checkpointing of a training run. */
export interface TrainHyperparams {
  /** Peak learning rate. */
  readonly lr: number;
  /** Rows (pairs, or LM windows) per micro-batch. */
  readonly batchSize: number;
  /** Micro-batches per update. @default {1} */
  readonly accumulation: number;
  /** Linear warm-up fraction of the cosine schedule. @default {0.03} */
  readonly warmupFraction: number;
  /** Final learning rate as a fraction of the peak. */
  readonly minLrRatio: number;
  /** Decoupled weight decay. */
  readonly weightDecay: number;
  /** Global-norm gradient clip. @default {1} */
  readonly gradClipNorm: number;
  /** Save a resumable trainer checkpoint every N updates (`0`: only after the last). */
  readonly checkpointEvery: number;
}

/**
 * The {@linkcode train} options a {@linkcode TrainHyperparams} sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainerOptions } from "./train_hyperparams.ts";
 * const t = { lr: 3e-5, batchSize: 8, accumulation: 2, warmupFraction: 0.03, minLrRatio: 0,
 *   weightDecay: 0, gradClipNorm: 1, checkpointEvery: 50 };
 * assert.deepEqual(trainerOptions(t), {
 *   optimizer: { lr: 3e-5, weightDecay: 0, gradClipNorm: 1 },
 *   schedule: { warmupFraction: 0.03, minLrRatio: 0 },
 *   accumulation: 2,
 *   checkpointEvery: 50,
 * });
 * ```
 */
export function trainerOptions(
  t: TrainHyperparams,
): Required<
  Pick<TrainOptions<TrainBatch>, "optimizer" | "schedule" | "accumulation" | "checkpointEvery">
> {
  return {
    optimizer: { lr: t.lr, weightDecay: t.weightDecay, gradClipNorm: t.gradClipNorm },
    schedule: { warmupFraction: t.warmupFraction, minLrRatio: t.minLrRatio },
    accumulation: t.accumulation,
    checkpointEvery: t.checkpointEvery,
  };
}

/**
 * Throw when a hyper-parameter is out of range; the message names `where`, the field and the
 * value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrainHyperparams } from "./train_hyperparams.ts";
 * const t = { lr: 3e-5, batchSize: 8, accumulation: 1, warmupFraction: 0.03, minLrRatio: 0,
 *   weightDecay: 0, gradClipNorm: 1, checkpointEvery: 50 };
 * validateTrainHyperparams("config: train", t);
 * assert.throws(
 *   () => validateTrainHyperparams("config: train", { ...t, batchSize: 0 }),
 *   { message: "config: train.batchSize: expected an integer >= 1, found 0" },
 * );
 * ```
 */
export function validateTrainHyperparams(where: string, t: TrainHyperparams): void {
  const fail = (key: keyof TrainHyperparams, expected: string) => {
    throw new Error(`${where}.${key}: expected ${expected}, found ${JSON.stringify(t[key])}`);
  };
  const int = (key: keyof TrainHyperparams, min: number) => {
    if (!Number.isInteger(t[key]) || t[key] < min) fail(key, `an integer >= ${min}`);
  };
  const real = (key: keyof TrainHyperparams, ok: (v: number) => boolean, expected: string) => {
    const v = t[key];
    if (!(typeof v === "number" && Number.isFinite(v) && ok(v))) fail(key, expected);
  };
  real("lr", (v) => v > 0, "a number > 0");
  int("batchSize", 1);
  int("accumulation", 1);
  real("warmupFraction", (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  real("minLrRatio", (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  real("weightDecay", (v) => v >= 0, "a number >= 0");
  real("gradClipNorm", (v) => v >= 0, "a number >= 0");
  int("checkpointEvery", 0);
}
