/**
 * What the trainer, the evaluators and the loss code need from a language model.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { OffsetTokenizer } from "../diff/types.ts";

/** Hyper-parameters of the tiny GPT; saved in every checkpoint. */
export interface GptConfig {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dModel: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** MLP hidden size = mlpRatio * dModel. */
  readonly mlpRatio: number;
  readonly dropout: number;
  readonly seed: number;
}

/** A tokenizer the model can use: offsets for masks, decode for generation. */
export interface ModelTokenizer extends OffsetTokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** A causal language model over token ids. */
export interface CausalLM {
  readonly config: GptConfig;
  /** Trainable weights, in a stable order (the checkpoint order). */
  readonly variables: readonly tf.Variable[];
  /** Next-token logits for every position: ids [B, T] -> logits [B, T, V]. */
  logits(ids: tf.Tensor2D, training?: boolean): tf.Tensor3D;
  dispose(): void;
}
