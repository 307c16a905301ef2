/**
 * A GPT-2 style decoder-only transformer written with plain tfjs ops, so gradients work under
 * `tf.variableGrads` / `optimizer.minimize` on every backend (no gatherND, stridedSlice or where
 * on a differentiated tensor in the forward path).
 *
 * Architecture (nanoGPT): token + learned position embeddings, `nLayer` pre-LayerNorm blocks
 * (causal multi-head self-attention, GELU MLP), a final LayerNorm and tied output embeddings
 * (`logits = h · Wteᵀ`).
 *
 * Dropout (rate `config.dropout`, training calls only) is seeded per call: `logits(ids, true,
 * seed)` draws the mask of its k-th dropout site from a seed derived from `(seed, k)`, so the
 * masks are a pure function of the call's seed (the trainer passes one per micro-batch, and a
 * resumed run reproduces the uninterrupted one). Without a seed, a per-model counter is used.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { nativeEngines } from "../backend/mod.ts";
import { gelu, layerNorm, softmaxLast } from "./_fused.ts";
import { matMul2d } from "./_matmul.ts";
import { validateGptConfig } from "./gpt_config.ts";
import { type DecodeBlock, DecodeState, decodeStep } from "./_decode.ts";
import type { CausalLM, GptConfig } from "./types.ts";

/** Keys and values of one attention layer for the positions seen so far (tensor forward pass). */
export interface LayerKv {
  /** Keys `[B, H, t, hd]`. */
  readonly k: tf.Tensor4D;
  /** Values `[B, H, t, hd]`. */
  readonly v: tf.Tensor4D;
}

/**
 * Decoding state of {@link Gpt.forwardCached}: the keys and values of every layer in buffers
 * preallocated for the whole context and written in place, plus copies of the model's small
 * weights (embeddings, LayerNorm parameters, biases) taken when the cache was created, so do not
 * change the weights while decoding with a cache. Owned by the caller: release it with
 * {@link disposeKvCache}.
 */
export interface KvCache {
  /** Batch rows `B`. */
  readonly batch: number;
  /** Number of positions already in the cache (`t`). */
  readonly length: number;
  /** Positions the buffers hold (the model's `contextLength`). */
  readonly capacity: number;
  /** Keys of each layer, row-major `[B, H, capacity, hd]`; positions `>= length` are unused. */
  readonly keys: readonly Float32Array[];
  /** Values of each layer, row-major `[B, H, capacity, hd]`; positions `>= length` are unused. */
  readonly values: readonly Float32Array[];
}

/** Output of {@link Gpt.forwardCached}. */
export interface CachedForward {
  /** Logits for the new positions `[B, T, V]` (owned by the caller). */
  readonly logits: tf.Tensor3D;
  /** The cache, extended in place by the new positions (the object passed in, or a new one). */
  readonly cache: KvCache;
}

/** The kit's GPT: a {@link CausalLM} with named weights and a KV-cache forward pass. */
export interface Gpt extends CausalLM<GptConfig> {
  /** Checkpoint names of {@link CausalLM.variables}, same order (for example `h.0.attn.wqkv`). */
  readonly variableNames: readonly string[];
  /**
   * Forward the new tokens `ids [B, T]` at positions `cache.length … cache.length + T - 1`,
   * attending to the cached keys/values, and extend `cache` IN PLACE. Inference only (no
   * dropout). With `cache = null` this is the ordinary forward pass and returns a fresh cache.
   * Continuation steps (`cache` given; usually one token per row) run a lean path
   * (lib/model/_decode.ts) that makes the same float32 computation with ~20 tfjs kernels.
   */
  forwardCached(ids: tf.Tensor2D, cache: KvCache | null): CachedForward;
}

/** Release a KV cache (no-op for `null`); using it afterwards throws. */
export function disposeKvCache(cache: KvCache | null): void {
  if (cache === null) return;
  if (!(cache instanceof DecodeState)) {
    throw new Error("disposeKvCache: not a cache made by Gpt.forwardCached");
  }
  cache.disposed = true;
  cache.keys.length = 0;
  cache.values.length = 0;
}

/**
 * Keep only the batch rows `keep` (strictly increasing indices) of a cache, in place: row `keep[j]`
 * becomes row `j`. Batched decoders call it when some rows have finished.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt, disposeKvCache, retainKvCacheRows } from "./gpt.ts";
 * await initBackend("cpu");
 * const model = createGpt({
 *   vocabSize: 11, contextLength: 8, dModel: 8, nLayer: 1, nHead: 2, mlpRatio: 4, dropout: 0, seed: 1,
 * });
 * const ids = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], "int32");
 * const { logits, cache } = model.forwardCached(ids, null);
 * retainKvCacheRows(cache, [0, 2]);
 * assert.equal(cache.batch, 2);
 * assert.equal(cache.length, 2);
 * tf.dispose([ids, logits]);
 * disposeKvCache(cache);
 * model.dispose();
 * ```
 */
export function retainKvCacheRows(cache: KvCache, keep: readonly number[]): void {
  _decodeState(cache).retainRows(keep);
}

/** The live {@link DecodeState} behind a cache, or a named error. */
function _decodeState(cache: KvCache): DecodeState {
  if (!(cache instanceof DecodeState)) {
    throw new Error("KvCache: not a cache made by Gpt.forwardCached");
  }
  if (cache.disposed) throw new Error("KvCache: the cache has been disposed");
  return cache;
}

/** Past keys/values as tensors, for the tensor forward pass (`#forward`). */
interface _TensorKv {
  readonly layers: readonly LayerKv[];
  readonly length: number;
}

/** Weights of one transformer block. */
type _Block = DecodeBlock<tf.Variable>;

const _LN_EPS = 1e-5;
const _MASK_VALUE = -1e9;
const _INIT_STD = 0.02;

/**
 * Build a freshly initialised GPT. Init follows GPT-2: weights ~ N(0, 0.02), the two residual
 * projections per block (`attn.wo`, `mlp.w2`) ~ N(0, 0.02 / sqrt(2 · nLayer)), biases 0,
 * LayerNorm gains 1. Initial weights depend only on `config` (the seed drives tfjs' JS-side PRNG,
 * so every backend gets identical weights).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt } from "./gpt.ts";
 * await initBackend("cpu");
 * const model = createGpt({
 *   vocabSize: 11, contextLength: 8, dModel: 8, nLayer: 1, nHead: 2, mlpRatio: 4, dropout: 0, seed: 1,
 * });
 * const ids = tf.tensor2d([[1, 2, 3]], [1, 3], "int32");
 * const logits = model.logits(ids);
 * assert.deepEqual(logits.shape, [1, 3, 11]);
 * tf.dispose([ids, logits]);
 * model.dispose();
 * ```
 */
export function createGpt(config: GptConfig): Gpt {
  validateGptConfig(config);
  return new _Gpt(config);
}

class _Gpt implements Gpt {
  readonly config: GptConfig;
  readonly variables: readonly tf.Variable[];
  readonly variableNames: readonly string[];
  readonly #wte: tf.Variable; // [V, D]
  readonly #wpe: tf.Variable; // [Tmax, D]
  readonly #blocks: readonly _Block[];
  readonly #lnfg: tf.Variable; // [D]
  readonly #lnfb: tf.Variable; // [D]
  /** Additive causal mask, created once: 0 on and below the diagonal, -1e9 above. */
  readonly #causalBias: tf.Tensor2D; // [Tmax, Tmax]
  /** Training forward passes run without an explicit dropout seed (see {@link CausalLM.logits}). */
  #unseededCalls = 0;
  #disposed = false;

  constructor(config: GptConfig) {
    this.config = config;
    const { vocabSize: V, contextLength: Tmax, dModel: D, nLayer, mlpRatio } = config;
    const M = mlpRatio * D;
    const names: string[] = [];
    const vars: tf.Variable[] = [];
    const residualStd = _INIT_STD / Math.sqrt(2 * nLayer);
    const make = (
      name: string,
      shape: number[],
      init: "normal" | "residual" | "zeros" | "ones",
    ) => {
      const index = vars.length;
      const value = tf.tidy(() => {
        switch (init) {
          case "normal":
            return tf.randomNormal(shape, 0, _INIT_STD, "float32", _initSeed(config.seed, index));
          case "residual":
            return tf.randomNormal(shape, 0, residualStd, "float32", _initSeed(config.seed, index));
          case "zeros":
            return tf.zeros(shape, "float32");
          case "ones":
            return tf.ones(shape, "float32");
          default: {
            const never: never = init;
            throw new Error(`unknown init ${never}`);
          }
        }
      });
      // Unnamed: tfjs variable names are global, and several models (policy, reference) coexist.
      const variable = tf.variable(value, true);
      value.dispose();
      names.push(name);
      vars.push(variable);
      return variable;
    };
    this.#wte = make("wte", [V, D], "normal");
    this.#wpe = make("wpe", [Tmax, D], "normal");
    const blocks: _Block[] = [];
    for (let i = 0; i < nLayer; i++) {
      const p = `h.${i}.`;
      blocks.push({
        ln1g: make(`${p}ln1.gamma`, [D], "ones"),
        ln1b: make(`${p}ln1.beta`, [D], "zeros"),
        wqkv: make(`${p}attn.wqkv`, [D, 3 * D], "normal"),
        bqkv: make(`${p}attn.bqkv`, [3 * D], "zeros"),
        wo: make(`${p}attn.wo`, [D, D], "residual"),
        bo: make(`${p}attn.bo`, [D], "zeros"),
        ln2g: make(`${p}ln2.gamma`, [D], "ones"),
        ln2b: make(`${p}ln2.beta`, [D], "zeros"),
        w1: make(`${p}mlp.w1`, [D, M], "normal"),
        b1: make(`${p}mlp.b1`, [M], "zeros"),
        w2: make(`${p}mlp.w2`, [M, D], "residual"),
        b2: make(`${p}mlp.b2`, [D], "zeros"),
      });
    }
    this.#blocks = blocks;
    this.#lnfg = make("lnf.gamma", [D], "ones");
    this.#lnfb = make("lnf.beta", [D], "zeros");
    this.variables = vars;
    this.variableNames = names;
    const bias = new Float32Array(Tmax * Tmax);
    for (let i = 0; i < Tmax; i++) {
      for (let j = i + 1; j < Tmax; j++) bias[i * Tmax + j] = _MASK_VALUE;
    }
    this.#causalBias = tf.tensor2d(bias, [Tmax, Tmax]);
  }

  logits(ids: tf.Tensor2D, training = false, seed?: number): tf.Tensor3D {
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new Error(`Gpt.logits: seed must be an integer, found ${seed}`);
    }
    let dropout: _Dropout | null = null;
    if (training && this.config.dropout > 0) {
      // Stateless when the caller passes a seed (the trainer passes one per micro-batch, so a
      // resumed run draws the same masks); otherwise a per-model counter.
      const base = seed ?? _initSeed(this.config.seed, 1_000_000 + ++this.#unseededCalls);
      dropout = { rate: this.config.dropout, base, site: 0 };
    }
    return tf.tidy(() => this.#forward(ids, null, dropout).logits);
  }

  forwardCached(ids: tf.Tensor2D, cache: KvCache | null): CachedForward {
    if (this.#disposed) throw new Error("Gpt: the model has been disposed");
    if (ids.rank !== 2) throw new Error(`Gpt: ids must be [B, T], found shape [${ids.shape}]`);
    const [B, T] = ids.shape;
    const { contextLength: Tmax, dModel: D, nHead: H, vocabSize: V } = this.config;
    if (cache === null) {
      // Prefill: the tensor forward pass, whose keys/values then seed the in-place buffers.
      const [logits, ...kv] = tf.tidy(() => {
        const { logits, layers } = this.#forward(ids, null, null);
        return [logits, ...layers.flatMap((l) => [l.k, l.v])];
      });
      const state = new DecodeState(this, this.#decodeWeights(), B);
      for (let i = 0; i < kv.length; i += 2) {
        state.write(
          i / 2,
          kv[i].dataSync() as Float32Array,
          kv[i + 1].dataSync() as Float32Array,
          T,
          D / H,
        );
      }
      tf.dispose(kv);
      state.length = T;
      return { logits: logits as tf.Tensor3D, cache: state };
    }
    const state = _decodeState(cache);
    if (state.owner !== this) throw new Error("Gpt: the cache was made by another model");
    if (B !== state.batch) {
      throw new Error(`Gpt: ids has ${B} rows, the cache has ${state.batch}`);
    }
    if (T === 0) throw new Error("Gpt: ids has no positions (T = 0)");
    if (state.length + T > Tmax) {
      throw new Error(
        `Gpt: ${state.length} cached + ${T} new positions exceed contextLength ${Tmax}`,
      );
    }
    const idx = ids.dataSync(); // [B * T]
    const tokens = idx instanceof Int32Array ? idx : Int32Array.from(idx as ArrayLike<number>);
    for (const id of tokens) {
      if (!(id >= 0 && id < V)) throw new Error(`Gpt: token id ${id} outside [0, ${V})`);
    }
    return {
      logits: decodeStep(this.#decodeWeights(), state, tokens, T, nativeEngines()),
      cache: state,
    };
  }

  /** The weights {@link decodeStep} reads. */
  #decodeWeights() {
    return {
      config: this.config,
      wte: this.#wte,
      wpe: this.#wpe,
      blocks: this.#blocks,
      lnfg: this.#lnfg,
      lnfb: this.#lnfb,
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const v of this.variables) v.dispose();
    this.#causalBias.dispose();
  }

  #forward(
    ids: tf.Tensor2D,
    cache: _TensorKv | null,
    dropout: _Dropout | null,
  ): { logits: tf.Tensor3D; layers: LayerKv[] } {
    if (this.#disposed) throw new Error("Gpt: the model has been disposed");
    const [B, T] = ids.shape;
    const past = cache?.length ?? 0;
    const { contextLength: Tmax, dModel: D, vocabSize: V } = this.config;
    if (ids.rank !== 2) throw new Error(`Gpt: ids must be [B, T], found shape [${ids.shape}]`);
    if (T === 0) throw new Error("Gpt: ids has no positions (T = 0)");
    if (past + T > Tmax) {
      throw new Error(
        `Gpt: ${past} cached + ${T} new positions exceed contextLength ${Tmax}`,
      );
    }
    if (cache !== null && cache.layers.length !== this.#blocks.length) {
      throw new Error(
        `Gpt: cache has ${cache.layers.length} layers, model has ${this.#blocks.length}`,
      );
    }
    const idx = ids.dtype === "int32" ? ids : tf.cast(ids, "int32"); // [B, T]
    const tok = tf.gather(this.#wte, idx); // [B, T, D]
    const pos = tf.slice(this.#wpe, [past, 0], [T, D]); // [T, D]
    let x = this.#dropout(tf.add(tok, pos), dropout) as tf.Tensor3D; // [B, T, D]
    // Rows first (a contiguous, cheap slice), then the columns of the smaller block.
    const maskRows = tf.slice(this.#causalBias, [past, 0], [T, Tmax]); // [T, Tmax]
    const mask = past + T === Tmax ? maskRows : tf.slice(maskRows, [0, 0], [T, past + T]); // [T, past+T]
    const layers: LayerKv[] = [];
    for (let i = 0; i < this.#blocks.length; i++) {
      const blk = this.#blocks[i];
      const a = this.#attention(
        _layerNorm(x, blk.ln1g, blk.ln1b),
        blk,
        cache?.layers[i] ?? null,
        mask,
        dropout,
      );
      x = tf.add(x, a.y); // [B, T, D]
      x = tf.add(x, this.#mlp(_layerNorm(x, blk.ln2g, blk.ln2b), blk, dropout)); // [B, T, D]
      layers.push({ k: a.k, v: a.v });
    }
    const h = _layerNorm(x, this.#lnfg, this.#lnfb); // [B, T, D]
    const flat = tf.reshape(h, [B * T, D]); // [B*T, D]
    const wteT = tf.transpose(this.#wte); // [D, V] (tied output embedding)
    const logits = tf.reshape(matMul2d(flat, wteT), [B, T, V]); // [B, T, V]
    return { logits: logits as tf.Tensor3D, layers };
  }

  #attention(
    x: tf.Tensor3D, // [B, T, D]
    blk: _Block,
    past: LayerKv | null,
    mask: tf.Tensor2D, // [T, past+T]
    dropout: _Dropout | null,
  ): { y: tf.Tensor3D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const [B, T, D] = x.shape;
    const H = this.config.nHead;
    const hd = D / H;
    const flat = tf.reshape(x, [B * T, D]); // [B*T, D]
    const qkv = tf.add(matMul2d(flat, blk.wqkv), blk.bqkv); // [B*T, 3D]
    // One permutation splits q, k, v and the heads; every attention product is then ONE batched
    // matMul over B*H (the wasm kernels of lib/_wasm_kernels.ts make both fast).
    const heads = tf.transpose(tf.reshape(qkv, [B, T, 3, H, hd]), [2, 0, 3, 1, 4]); // [3, B, H, T, hd]
    const [q, kNew, vNew] = tf.unstack(heads) as tf.Tensor4D[]; // [B, H, T, hd] each
    const k = past === null ? kNew : tf.concat([past.k, kNew], 2) as tf.Tensor4D; // [B, H, S, hd]
    const v = past === null ? vNew : tf.concat([past.v, vNew], 2) as tf.Tensor4D; // [B, H, S, hd]
    const S = k.shape[2];
    // The 1/sqrt(hd) scale is applied to q ([.., T, hd]) rather than to the [.., T, S] scores.
    const q3 = tf.reshape(tf.mul(q, 1 / Math.sqrt(hd)), [B * H, T, hd]) as tf.Tensor3D; // [B*H, T, hd]
    const k3 = tf.reshape(k, [B * H, S, hd]) as tf.Tensor3D; // [B*H, S, hd]
    const raw = tf.reshape(tf.matMul(q3, k3, false, true), [B, H, T, S]); // [B, H, T, S]
    const scores = tf.add(raw, mask); // [B, H, T, S]
    const att = this.#dropout(softmaxLast(scores), dropout); // [B, H, T, S]
    const att3 = tf.reshape(att, [B * H, T, S]) as tf.Tensor3D; // [B*H, T, S]
    const v3 = tf.reshape(v, [B * H, S, hd]) as tf.Tensor3D; // [B*H, S, hd]
    const ctx = tf.reshape(tf.matMul(att3, v3), [B, H, T, hd]); // [B, H, T, hd]
    const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, D]); // [B*T, D]
    const out = tf.add(matMul2d(merged, blk.wo), blk.bo); // [B*T, D]
    const y = this.#dropout(tf.reshape(out, [B, T, D]), dropout) as tf.Tensor3D; // [B, T, D]
    return { y, k, v };
  }

  #mlp(x: tf.Tensor3D, blk: _Block, dropout: _Dropout | null): tf.Tensor3D {
    const [B, T, D] = x.shape;
    const flat = tf.reshape(x, [B * T, D]); // [B*T, D]
    const hidden = gelu(tf.add(matMul2d(flat, blk.w1), blk.b1)); // [B*T, M]
    const out = tf.add(matMul2d(hidden, blk.w2), blk.b2); // [B*T, D]
    return this.#dropout(tf.reshape(out, [B, T, D]), dropout) as tf.Tensor3D; // [B, T, D]
  }

  #dropout(x: tf.Tensor, dropout: _Dropout | null): tf.Tensor {
    if (dropout === null) return x;
    // Site k of the forward pass draws from seed (base, k): a pure function of the call's seed.
    return tf.dropout(x, dropout.rate, undefined, _initSeed(dropout.base, dropout.site++));
  }
}

/** Dropout state of one training forward pass: the rate, its base seed and the next site. */
interface _Dropout {
  readonly rate: number;
  readonly base: number;
  site: number;
}

/** LayerNorm over the last axis: `(x - mean) / sqrt(var + eps) * gamma + beta`. */
function _layerNorm(x: tf.Tensor3D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor3D {
  return layerNorm(x, gamma, beta, _LN_EPS);
}

/** Deterministic per-tensor seed derived from the model seed (kept in int32 range). */
function _initSeed(seed: number, index: number): number {
  return ((seed * 1_000_003) ^ (index * 7919 + 17)) >>> 1;
}
