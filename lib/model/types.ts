/**
 * What the trainer, the evaluators and the loss code need from a language model.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { OffsetTokenizer } from "../core/mod.ts";

/**
 * What the trainer and the data code read of any model's config: its vocabulary, its context and
 * the seed of its training-time randomness (dropout). Its JSON is part of a checkpoint's identity.
 */
export interface CausalLMConfig {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly seed: number;
}

/** Hyper-parameters of the tiny GPT; saved in every checkpoint. */
export interface GptConfig extends CausalLMConfig {
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
export interface CausalLM<C extends CausalLMConfig = CausalLMConfig> {
  readonly config: C;
  /** Trainable weights, in a stable order (the checkpoint order). */
  readonly variables: readonly tf.Variable[];
  /**
   * Next-token logits for every position: ids [B, T] -> logits [B, T, V].
   *
   * @param training apply dropout (when the config's rate is > 0). @default false
   * @param seed integer seed of this call's dropout masks: with it, the masks are a pure function
   *   of `(seed, ids shape)`, so a resumed run reproduces the uninterrupted one (the trainer passes
   *   `mixSeed(model.config.seed, microBatchIndex)`). Without it, implementations may draw from
   *   internal state (the kit's GPT counts its training calls). Ignored when not training.
   */
  logits(ids: tf.Tensor2D, training?: boolean, seed?: number): tf.Tensor3D;
  /**
   * Log-probs of `targets` `[B, T]` after each position of `ids` `[B, T]`, `[B, T]`, when the
   * model computes them itself without holding the `[B, T, V]` logits (a large vocabulary);
   * `training` and `seed` as for {@linkcode CausalLM.logits}. Without it the loss code gathers
   * them from `logits`.
   */
  tokenLogps?(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    training?: boolean,
    seed?: number,
  ): tf.Tensor2D;
  dispose(): void;
}
