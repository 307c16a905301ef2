/**
 * A Hugging Face model as the trainer's {@link CausalLM}: with LoRA adapters (only they train;
 * the reference is the same weights with the adapters switched off) or, for small models, with
 * every weight trainable. Token log-probs come from the final hidden states in row chunks, so a
 * 152k-token vocabulary's `[B·T, V]` logits are never held whole.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { headTokenLogps } from "../loss/mod.ts";
import type { CausalLM, CausalLMConfig } from "../model/mod.ts";
import type { HfConfig } from "./config.ts";
import type { LoraAdapters, LoraConfig } from "./lora.ts";
import type { HfCausalLM, HfForwardOptions, LinearAdapter } from "./model.ts";

/** The identity of a policy (its JSON is part of a training checkpoint's identity). */
export interface HfPolicyConfig extends CausalLMConfig {
  readonly model: HfConfig;
  /** The adapters' hyper-parameters; `null` for full fine-tuning. */
  readonly lora: LoraConfig | null;
  /** Rows per chunk of the log-softmax over the vocabulary. */
  readonly logpChunkRows: number;
  /** Activation checkpointing while training. */
  readonly recomputeLayers: boolean;
}

/** Options of {@link HfPolicy}. */
export interface HfPolicyOptions {
  /** Seed of the adapters' dropout masks (the trainer mixes in each micro-batch's index). */
  readonly seed: number;
  /**
   * Tokens per sequence the data is cut to.
   * @default {model.config.maxPositions}
   */
  readonly contextLength?: number;
  /**
   * Rows per chunk of the vocabulary log-softmax.
   * @default {256}
   */
  readonly logpChunkRows?: number;
  /**
   * Activation checkpointing while training: each layer keeps only its input and is recomputed
   * in the backward pass (about a third more compute, a layer's activations instead of all).
   * @default {true}
   */
  readonly recomputeLayers?: boolean;
}

/**
 * The policy of a preference run. With `adapters`, its variables are the adapters' `A` and `B`
 * and {@linkcode HfPolicy.reference} is the base model; with `adapters = null` the base must
 * have been built `trainable` (full fine-tuning), and its reference log-probs must be computed
 * before the first update.
 */
export class HfPolicy implements CausalLM<HfPolicyConfig> {
  readonly config: HfPolicyConfig;
  readonly base: HfCausalLM;
  readonly adapters: LoraAdapters | null;

  constructor(base: HfCausalLM, adapters: LoraAdapters | null, options: HfPolicyOptions) {
    if (adapters === null && base.variables.length === 0) {
      throw new Error(
        "HfPolicy: full fine-tuning needs a model built with { trainable: true } (or give adapters)",
      );
    }
    this.base = base;
    this.adapters = adapters;
    this.config = {
      vocabSize: base.config.vocabSize,
      contextLength: options.contextLength ?? base.config.maxPositions,
      seed: options.seed,
      model: base.config,
      lora: adapters?.config ?? null,
      logpChunkRows: options.logpChunkRows ?? 256,
      recomputeLayers: options.recomputeLayers ?? true,
    };
  }

  get variables(): tf.Variable[] {
    return this.adapters?.variables ?? this.base.variables;
  }

  #adapter(training: boolean, seed?: number): LinearAdapter | undefined {
    return this.adapters?.adapter(training, seed ?? this.config.seed);
  }

  logits(ids: tf.Tensor2D, training = false, seed?: number): tf.Tensor3D {
    return _logits(this.base, ids, this.#adapter(training, seed));
  }

  tokenLogps(ids: tf.Tensor2D, targets: tf.Tensor2D, training = false, seed?: number): tf.Tensor2D {
    const recompute = training && this.config.recomputeLayers
      ? (l: number) => this.adapters?.layerVariables(l) ?? this.base.layerVariables(l)
      : undefined;
    return _tokenLogps(this.base, ids, targets, {
      adapter: this.#adapter(training, seed),
      recompute,
    }, {
      chunkRows: this.config.logpChunkRows,
      trainHead: this.adapters === null && training,
    });
  }

  /**
   * The reference model: the base weights with the adapters off (no second copy). Under full
   * fine-tuning it is the policy itself, so use it before the first update only.
   */
  reference(): CausalLM<HfPolicyConfig> {
    const base = this.base;
    const chunkRows = this.config.logpChunkRows;
    return {
      config: { ...this.config, lora: null },
      variables: [],
      logits: (ids) => _logits(base, ids, undefined),
      tokenLogps: (ids, targets) =>
        _tokenLogps(base, ids, targets, {}, { chunkRows, trainHead: false }),
      dispose: () => {},
    };
  }

  /** Frees the adapters (the base model belongs to the caller). */
  dispose(): void {
    this.adapters?.dispose();
  }
}

function _logits(base: HfCausalLM, ids: tf.Tensor2D, adapter?: LinearAdapter): tf.Tensor3D {
  const { logits, cache } = base.forward(ids, { adapter });
  tf.dispose([...cache.keys, ...cache.values]);
  return logits;
}

function _tokenLogps(
  base: HfCausalLM,
  ids: tf.Tensor2D,
  targets: tf.Tensor2D,
  forward: Pick<HfForwardOptions, "adapter" | "recompute">,
  options: { chunkRows: number; trainHead: boolean },
): tf.Tensor2D {
  const [b, t] = ids.shape;
  const flat = targets.dataSync() as Int32Array; // a copy already: the targets are constants
  return tf.tidy(() =>
    tf.reshape(
      headTokenLogps(base.hidden(ids, forward), base.head, flat, options),
      [b, t],
    )
  ) as tf.Tensor2D;
}
