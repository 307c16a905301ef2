/**
 * Types of the generic trainer: batches, loss closures and events.
 *
 * @module
 */
import type { LossResult, MetricName } from "../loss/mod.ts";
import type { CausalLM } from "../model/types.ts";

/** What the trainer needs from a batch: how many tokens it holds (for tokens/s). */
export interface TrainBatch {
  /** Non-padding tokens fed to the model. */
  readonly tokens: number;
}

/**
 * Batch for a global micro-batch index (`step * accumulation + micro`). It must be a pure
 * function of the index (plus a seed it closes over) so a resumed run sees the same data.
 */
export type BatchFn<B extends TrainBatch> = (index: number) => B;

/**
 * The loss of one batch, run inside the gradient tape: forward the model, return the loss and its
 * metrics. It must create its tensors from the batch's plain arrays.
 */
export type LossClosure<B extends TrainBatch> = (model: CausalLM, batch: B) => LossResult;

/** One line of `metrics.jsonl`: a training step. */
export interface StepRecord {
  /** Optimizer updates completed (1-based). */
  readonly step: number;
  /** Learning rate used for this update. */
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Tokens in this step (all micro-batches). */
  readonly tokens: number;
  /** Throughput of this step. */
  readonly tokensPerSecond: number;
  /** Seconds since the start of this process's run. */
  readonly elapsedS: number;
  /** Metrics averaged over the micro-batches, under TRL names. */
  readonly metrics: Readonly<Partial<Record<MetricName, number>>>;
}

/** Events reported through `onEvent`. */
export type TrainEvent =
  | { readonly type: "start"; readonly fromStep: number; readonly steps: number }
  | { readonly type: "resume"; readonly fromStep: number; readonly checkpoint: string }
  | ({ readonly type: "step" } & StepRecord)
  | { readonly type: "checkpoint"; readonly step: number; readonly dir: string }
  | { readonly type: "done"; readonly step: number; readonly elapsedS: number };
