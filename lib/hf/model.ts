/**
 * The forward pass of the Qwen2 and Llama families in tfjs, as transformers computes it:
 * token embeddings; per layer RMSNorm, attention with rotary position embeddings (rotate-half
 * convention, optional linear scaling) and grouped-query key/value heads, a residual, RMSNorm,
 * a SwiGLU MLP and a residual; a final RMSNorm and the LM head (tied to the embeddings or not).
 * A key/value cache makes generation one position per step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readInto } from "../backend/mod.ts";
import { argmax } from "../model/mod.ts";
import { slicedAttention } from "./attention.ts";
import type { HfConfig } from "./config.ts";
import type { HfWeights } from "./weights.ts";
import { expectedWeights } from "./weights.ts";

/** Keys and values of every layer so far: `[B, kvHeads, S, headDim]` each. */
export interface HfKvCache {
  readonly keys: readonly tf.Tensor4D[];
  readonly values: readonly tf.Tensor4D[];
  /** Positions already in the cache (`S`). */
  readonly length: number;
}

/** Frees a cache's tensors. */
export function disposeHfKvCache(cache: HfKvCache): void {
  for (const t of [...cache.keys, ...cache.values]) t.dispose();
}

/**
 * cos and sin of the rotary angles for positions `start … start + length - 1`, `[length, headDim]`
 * each, rounded through float32 at each step as transformers computes them (inverse frequencies
 * `1 / theta^(2i / d)`, divided by the linear factor, times the position).
 */
export function ropeTables(
  c: HfConfig,
  start: number,
  length: number,
): [Float32Array, Float32Array] {
  const half = c.headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const exponent = Math.fround((2 * i) / c.headDim);
    inv[i] = Math.fround(
      Math.fround(1 / Math.fround(c.ropeTheta ** exponent)) / c.ropeLinearFactor,
    );
  }
  const cos = new Float32Array(length * c.headDim);
  const sin = new Float32Array(length * c.headDim);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround((start + t) * inv[i]);
      for (const j of [i, i + half]) {
        cos[t * c.headDim + j] = Math.cos(angle);
        sin[t * c.headDim + j] = Math.sin(angle);
      }
    }
  }
  return [cos, sin];
}

/**
 * A change to the model's linear layers (LoRA): module `name`'s output `x · Wᵀ (+ b)` becomes
 * that plus `delta(name, x)` when it returns a tensor.
 */
export interface LinearAdapter {
  /**
   * The addition to module `name` (e.g. `model.layers.0.self_attn.q_proj`) for input `x`
   * `[N, in]`; `part` numbers the pieces a batch is computed in (its random masks differ).
   */
  delta(name: string, x: tf.Tensor2D, part?: number): tf.Tensor2D | undefined;
}

/** Options of {@link HfCausalLM.forward}. */
export interface HfForwardOptions {
  /** Positions already computed (none: from position 0). */
  readonly cache?: HfKvCache;
  /** Left padding of each row (see {@link HfCausalLM.forward}). */
  readonly pads?: readonly number[];
  /** Logits of the last position only (`[B, 1, V]`). */
  readonly lastOnly?: boolean;
  /** Added to the linear layers (LoRA); none: the base model. */
  readonly adapter?: LinearAdapter;
  /**
   * Activation checkpointing (training, no cache): each layer keeps only its input, and the
   * backward pass recomputes the layer. Returns the trainable variables layer `l` reads (its
   * adapters), which get their gradients through the recomputation.
   */
  readonly recompute?: (layer: number) => readonly tf.Variable[];
}

/** Options of the {@link HfCausalLM} constructor. */
export interface HfCausalLMOptions {
  /**
   * Keep every weight as a trainable `tf.Variable` (full fine-tuning; {@link HfCausalLM.variables}).
   * @default {false}
   */
  readonly trainable?: boolean;
}

/** A loaded model: its config and weights as tfjs tensors. */
export class HfCausalLM {
  readonly config: HfConfig;
  readonly #w = new Map<string, tf.Tensor>();
  /** RoPE cos/sin of positions 0 … (computed once, grown by doubling; not per decoding step). */
  #rope: readonly [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  /** Host buffers of a recomputed layer's saved products (see {@link _SavedProducts}). */
  readonly #hostBuffers = new _HostBuffers();

  /**
   * Uploads the checked weights (see `checkHfWeights`). The projections and the LM head (the
   * embedding table when tied) are kept transposed, `[in, out]`, so each product is `x · W`.
   * Measured on the wasm backend with OpenBLAS (Qwen2.5-0.5B shapes, one row): with sgemm, `x · W`
   * was 1.8× faster for the 152k-token head; since one-row products run as sgemv the two layouts
   * are within 20% either way.
   */
  constructor(config: HfConfig, weights: HfWeights, options: HfCausalLMOptions = {}) {
    this.config = config;
    for (const [name, shape] of expectedWeights(config)) {
      const t = weights.tensors.get(name)!;
      const w = tf.tensor(t.data, [...shape]);
      const kept = _keptTransposed(name, config) ? tf.transpose(w) : w;
      if (options.trainable) {
        this.#w.set(name, tf.variable(kept, true, `hf/${name}#${++_trainable}`));
        kept.dispose();
      } else this.#w.set(name, kept);
      if (kept !== w) w.dispose();
    }
  }

  /**
   * The weights as trainable variables, in `expectedWeights` order (projections and the LM head
   * kept transposed, `[in, out]`); empty unless built with `trainable`.
   */
  get variables(): tf.Variable[] {
    return [...this.#w.values()].filter((t): t is tf.Variable => t instanceof tf.Variable);
  }

  /** The trainable weights of layer `l` (empty unless built with `trainable`). */
  layerVariables(l: number): tf.Variable[] {
    const prefix = `model.layers.${l}.`;
    return [...this.#w].filter(([name, t]) => name.startsWith(prefix) && t instanceof tf.Variable)
      .map(([, t]) => t as tf.Variable);
  }

  /**
   * The weights in Hugging Face's layout (`[out, in]` projections), read back as float32: what
   * a full fine-tuning run saves.
   */
  async weightsData(): Promise<Map<string, { data: Float32Array; shape: number[] }>> {
    const out = new Map<string, { data: Float32Array; shape: number[] }>();
    for (const [name, t] of this.#w) {
      const w = _keptTransposed(name, this.config) ? tf.transpose(t) : t;
      out.set(name, { data: (await w.data()) as Float32Array, shape: w.shape });
      if (w !== t) w.dispose();
    }
    return out;
  }

  /** The LM head as kept, `[H, V]` (the embedding table, transposed, when tied). */
  get head(): tf.Tensor2D {
    const name = this.config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
    return this.#get(name) as tf.Tensor2D;
  }

  /** Token embeddings of `ids` `[B, T]`: `[B·T, H]` (a tied table is kept transposed, `[H, V]`). */
  #embed(ids: tf.Tensor2D): tf.Tensor {
    const table = this.#get("model.embed_tokens.weight");
    const flat = tf.reshape(ids, [-1]);
    const embed = () =>
      this.config.tieWordEmbeddings
        ? tf.transpose(tf.gather(table, flat, 1))
        : tf.gather(table, flat);
    // A frozen table has no gradient to give, but a taped gather keeps a copy of it for one
    // (896 × 151,936 floats, 519 MiB, for Qwen2.5-0.5B): computed outside the tape instead.
    return table instanceof tf.Variable || !_taping() ? embed() : _untaped(embed, flat);
  }

  /** The RoPE tables of positions `0 … n - 1` at least. */
  #ropeUpTo(n: number): readonly [Float32Array, Float32Array] {
    const have = this.#rope[0].length / this.config.headDim;
    if (have < n) this.#rope = ropeTables(this.config, 0, Math.max(n, 2 * have, 256));
    return this.#rope;
  }

  #get(name: string): tf.Tensor {
    const t = this.#w.get(name);
    if (t === undefined) throw new Error(`HfCausalLM: no weight "${name}"`);
    return t;
  }

  /** `x @ Wᵀ (+ b)` (+ the adapter's delta) for a `[N, in]` input and a `[out, in]` weight (kept as `Wᵀ`). */
  #linear(
    x: tf.Tensor2D,
    name: string,
    bias: boolean,
    adapter?: LinearAdapter,
    part = 0,
    products?: _SavedProducts,
  ): tf.Tensor2D {
    const w = this.#get(`${name}.weight`) as tf.Tensor2D;
    const y = w instanceof tf.Variable
      ? tf.matMul(x, w) as tf.Tensor2D
      : products !== undefined
      ? products.product(`${name}/${part}`, x, w)
      : _frozenProduct(x, w);
    const biased = bias ? tf.add(y, this.#get(`${name}.bias`)) as tf.Tensor2D : y;
    const delta = adapter?.delta(name, x, part);
    return delta === undefined ? biased : tf.add(biased, delta) as tf.Tensor2D;
  }

  #rmsNorm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, this.config.rmsNormEps))), this.#get(name));
  }

  /** `[B, T, heads * d]` → rotated `[B, heads, T, d]`. */
  #heads(x: tf.Tensor2D, b: number, t: number, heads: number, cos?: tf.Tensor, sin?: tf.Tensor) {
    const d = this.config.headDim;
    const h = tf.transpose(tf.reshape(x, [b, t, heads, d]), [0, 2, 1, 3]) as tf.Tensor4D;
    if (cos === undefined || sin === undefined) return h;
    const [x1, x2] = tf.split(h, 2, 3);
    const rotated = tf.concat([tf.neg(x2), x1], 3);
    return tf.add(tf.mul(h, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  }

  /**
   * Attention of queries `[B, H, T, d]` over keys and values `[B, KV, S, d]` with an additive
   * mask `[B, 1, T, S]`: `[B, H, T, d]`. Query head `h` reads key/value head `⌊h / g⌋`
   * (`g = H / KV`), as transformers' `repeat_kv` arranges it; the `g` query heads of a key/value
   * head are stacked along the query axis instead of copying the keys `g` times. `sliced`
   * computes it one (row, key/value head) slice at a time with a backward pass that recomputes
   * the probabilities (./attention.ts), for training.
   */
  #attend(
    q: tf.Tensor4D,
    k: tf.Tensor4D,
    v: tf.Tensor4D,
    mask: tf.Tensor,
    sliced: boolean,
  ): tf.Tensor4D {
    const [b, heads, t, d] = q.shape;
    const [, kv, s] = k.shape;
    const g = heads / kv;
    const qs = tf.reshape(q, [b * kv, g * t, d]);
    if (sliced) {
      const [k3, v3] = [k, v].map((x) => tf.reshape(x, [b * kv, s, d]) as tf.Tensor3D);
      const m3 = tf.reshape(mask, [b, t, s]) as tf.Tensor3D;
      return tf.reshape(slicedAttention(qs as tf.Tensor3D, k3, v3, m3, kv), [b, heads, t, d]);
    }
    const raw = tf.matMul(qs, tf.reshape(k, [b * kv, s, d]), false, true); // [B·KV, g·T, S]
    const scores = tf.add(
      tf.mul(tf.reshape(raw, [b, kv, g, t, s]), 1 / Math.sqrt(d)),
      tf.reshape(mask, [b, 1, 1, t, s]),
    );
    const probs = tf.reshape(tf.softmax(scores), [b * kv, g * t, s]);
    return tf.reshape(tf.matMul(probs, tf.reshape(v, [b * kv, s, d])), [b, heads, t, d]);
  }

  /**
   * Logits of `ids` `[B, T]` placed after the `cache` positions (none: from position 0), and the
   * cache extended by them. The caller disposes both (the old cache is not disposed here).
   *
   * `pads[i]` left-pads row `i`: its first `pads[i]` positions (of the whole sequence, cache
   * included) are padding that no position attends to, and its real tokens are at positions
   * 0, 1, … for RoPE, so a padded row computes what it computes alone. With `lastOnly` the
   * logits are those of the last position only (`[B, 1, V]`).
   */
  forward(
    ids: tf.Tensor2D,
    options: HfForwardOptions = {},
  ): { logits: tf.Tensor3D; cache: HfKvCache } {
    const c = this.config;
    const [b, t] = ids.shape;
    const keys: tf.Tensor4D[] = [];
    const values: tf.Tensor4D[] = [];
    const logits = tf.tidy(() => {
      let h = this.#trunk(ids, options, keys, values);
      // Only the positions asked for reach the LM head ([B·T', V] is the largest tensor here).
      const kept = options.lastOnly ? 1 : t;
      if (options.lastOnly) {
        h = tf.reshape(tf.slice(tf.reshape(h, [b, t, c.hiddenSize]), [0, t - 1, 0], [-1, 1, -1]), [
          b,
          c.hiddenSize,
        ]) as tf.Tensor2D;
      }
      const out = tf.matMul(this.#rmsNorm(h, "model.norm.weight"), this.head);
      return tf.reshape(out, [b, kept, c.vocabSize]) as tf.Tensor3D;
    });
    return { logits, cache: { keys, values, length: (options.cache?.length ?? 0) + t } };
  }

  /**
   * The final hidden states of `ids` `[B, T]` from position 0, after the last RMSNorm:
   * `[B·T, H]`, what the LM head ({@linkcode HfCausalLM.head}) multiplies. Training computes the
   * token log-probs from these in chunks, so the `[B·T, V]` logits are never held whole.
   */
  hidden(
    ids: tf.Tensor2D,
    options: Pick<HfForwardOptions, "adapter" | "recompute"> = {},
  ): tf.Tensor2D {
    return tf.tidy(() => this.#rmsNorm(this.#trunk(ids, options), "model.norm.weight"));
  }

  /**
   * Embeddings and every layer: `[B·T, H]` before the final norm. Each layer's keys and values
   * are pushed onto `keys` and `values` (kept) when they are given.
   */
  #trunk(
    ids: tf.Tensor2D,
    options: HfForwardOptions,
    keys?: tf.Tensor4D[],
    values?: tf.Tensor4D[],
  ): tf.Tensor2D {
    const c = this.config;
    const [b, t] = ids.shape;
    const past = options.cache?.length ?? 0;
    const rope = this.#ropeUpTo(past + t);
    const { cos, sin, mask } = _positions(c, rope, past, t, options.pads ?? new Array(b).fill(0));
    let h = tf.reshape(this.#embed(ids), [b * t, c.hiddenSize]) as tf.Tensor2D;
    for (let l = 0; l < c.numLayers; l++) {
      // One scope per layer: a layer's intermediates are freed before the next one runs.
      const input = h;
      const at = { b, t, cos, sin, mask };
      if (options.recompute !== undefined) {
        h = this.#recomputedLayer(l, input, at, options, options.recompute(l));
        input.dispose();
        continue;
      }
      h = tf.tidy(() => {
        const [h, k, v] = this.#layer(l, input, at, options);
        keys?.push(tf.keep(k));
        values?.push(tf.keep(v));
        return h;
      });
      input.dispose();
    }
    return h;
  }

  /**
   * Layer `l` whose forward pass keeps nothing for the backward pass but two checkpoints, its
   * input and the attention block's output (and, on the wasm backend, the products of its frozen
   * weights in host memory: {@link _SavedProducts}): the backward pass runs each block again once,
   * reading those products back instead of multiplying again, and differentiates it with respect
   * to its input and `vars`. The attention block goes one sequence (batch row) at a time — it mixes
   * positions only within a row — and the MLP, position by position, in chunks of
   * {@link _MLP_CHUNK_ROWS} positions of the batch: tfjs keeps every intermediate gradient of a
   * backward pass to its end, and `[rows, intermediate]` tensors are the layer's largest. Row
   * `r`'s attention dropout masks are drawn for part `r`, chunk `i`'s MLP masks
   * for part `i`, the same in both passes.
   */
  #recomputedLayer(
    l: number,
    input: tf.Tensor2D,
    at: { b: number; t: number; cos: tf.Tensor; sin: tf.Tensor; mask: tf.Tensor },
    options: HfForwardOptions,
    vars: readonly tf.Variable[],
  ): tf.Tensor2D {
    /** Row `r` of a `[B, …]` table. */
    const row = (x: tf.Tensor, r: number) =>
      tf.slice(x, [r, ...new Array(x.rank - 1).fill(0)], [1, ...new Array(x.rank - 1).fill(-1)]);
    // Elsewhere (a GPU) the products are cheap to recompute and slow to read back.
    const products = tf.getBackend() === "wasm" ? new _SavedProducts(this.#hostBuffers) : undefined;
    const attended = _rowChunked(
      (h, r, [cos, sin, mask]) =>
        this.#attention(
          l,
          h,
          { b: 1, t: at.t, cos: row(cos, r), sin: row(sin, r), mask: row(mask, r) },
          { ...options, cache: undefined },
          r,
          products,
        )[0],
      input,
      vars,
      at.t,
      [at.cos, at.sin, at.mask],
    );
    const out = _rowChunked(
      (x, chunk) => this.#mlp(l, x, options.adapter, chunk, products),
      attended,
      vars,
      _MLP_CHUNK_ROWS,
    );
    attended.dispose();
    return out;
  }

  /** Layer `l` on `[B·T, H]`: the new hidden states and the layer's keys and values (cache included). */
  #layer(
    l: number,
    input: tf.Tensor2D,
    at: { b: number; t: number; cos: tf.Tensor; sin: tf.Tensor; mask: tf.Tensor },
    options: HfForwardOptions,
  ): [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D] {
    const [h, k, v] = this.#attention(l, input, at, options, 0);
    return [this.#mlp(l, h, options.adapter, 0), k, v];
  }

  /**
   * The attention block of layer `l` on `[B·T, H]`, `h + o(attend(q, k, v))` with the residual:
   * the new hidden states and the layer's keys and values (cache included).
   */
  #attention(
    l: number,
    input: tf.Tensor2D,
    at: { b: number; t: number; cos: tf.Tensor; sin: tf.Tensor; mask: tf.Tensor },
    options: HfForwardOptions,
    part: number,
    products?: _SavedProducts,
  ): [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D] {
    const c = this.config;
    const { b, t, cos, sin, mask } = at;
    const { cache, adapter } = options;
    const p = `model.layers.${l}`;
    const lin = (x: tf.Tensor2D, name: string, bias: boolean) =>
      this.#linear(x, `${p}.${name}`, bias, adapter, part, products);
    const x = this.#rmsNorm(input, `${p}.input_layernorm.weight`);
    const q = this.#heads(lin(x, "self_attn.q_proj", c.qkvBias), b, t, c.numHeads, cos, sin);
    let k = this.#heads(lin(x, "self_attn.k_proj", c.qkvBias), b, t, c.numKvHeads, cos, sin);
    let v = this.#heads(lin(x, "self_attn.v_proj", c.qkvBias), b, t, c.numKvHeads);
    if (cache !== undefined) {
      k = tf.concat([cache.keys[l], k], 2);
      v = tf.concat([cache.values[l], v], 2);
    }
    // Training (layers recomputed) attends slice by slice with its own backward pass.
    const attn = this.#attend(q, k, v, mask, options.recompute !== undefined);
    const merged = tf.reshape(tf.transpose(attn, [0, 2, 1, 3]), [
      b * t,
      c.numHeads * c.headDim,
    ]) as tf.Tensor2D;
    return [tf.add(input, lin(merged, "self_attn.o_proj", c.oBias)) as tf.Tensor2D, k, v];
  }

  /** `h + down(silu(gate(norm(h))) · up(norm(h)))` of layer `l`. */
  #mlp(
    l: number,
    h: tf.Tensor2D,
    adapter: LinearAdapter | undefined,
    part: number,
    products?: _SavedProducts,
  ): tf.Tensor2D {
    const p = `model.layers.${l}`;
    const lin = (x: tf.Tensor2D, name: string) =>
      this.#linear(x, `${p}.${name}`, false, adapter, part, products);
    const y = this.#rmsNorm(h, `${p}.post_attention_layernorm.weight`);
    const gate = lin(y, "mlp.gate_proj");
    const up = lin(y, "mlp.up_proj");
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
    return tf.add(h, lin(act, "mlp.down_proj")) as tf.Tensor2D;
  }

  /** Next-token logits of every position of `ids` `[B, T]` from position 0: `[B, T, V]`. */
  logits(ids: tf.Tensor2D): tf.Tensor3D {
    const { logits, cache } = this.forward(ids);
    disposeHfKvCache(cache);
    return logits;
  }

  /**
   * Decodes up to `maxNewTokens` tokens after each prompt, one position per step through the
   * key/value cache, all rows in one batch (shorter prompts left-padded, see
   * {@linkcode HfCausalLM.forward}). `choose` picks row `i`'s next id from its last logits; a
   * row ends after `ended(i, ids)` says so for its ids so far. Returns the new ids of each row.
   */
  async decode(
    prompts: readonly (readonly number[])[],
    maxNewTokens: number,
    choose: (logits: Float32Array, row: number) => number,
    ended: (row: number, ids: readonly number[]) => boolean | Promise<boolean>,
  ): Promise<number[][]> {
    if (prompts.length === 0 || prompts.some((p) => p.length === 0)) {
      throw new RangeError("HfCausalLM.decode: expected one or more non-empty prompts");
    }
    const t = Math.max(...prompts.map((p) => p.length));
    const pads = prompts.map((p) => t - p.length);
    const v = this.config.vocabSize;
    const out: number[][] = prompts.map(() => []);
    const done = prompts.map(() => false);
    const padded = prompts.map((p, i) => [...new Array(pads[i]).fill(0), ...p]);
    let input = tf.tensor2d(padded, [prompts.length, t], "int32");
    let cache: HfKvCache | undefined;
    try {
      for (let step = 0; step < maxNewTokens && done.some((d) => !d); step++) {
        const r = this.forward(input, { cache, pads, lastOnly: true });
        if (cache !== undefined) disposeHfKvCache(cache);
        cache = r.cache;
        const rows = await r.logits.data() as Float32Array;
        r.logits.dispose();
        const next = prompts.map((_, i) => choose(rows.subarray(i * v, (i + 1) * v), i));
        for (const [i, id] of next.entries()) {
          if (done[i]) continue;
          out[i].push(id);
          done[i] = await ended(i, out[i]);
        }
        input.dispose();
        input = tf.tensor2d(next.map((id) => [id]), [prompts.length, 1], "int32");
      }
    } finally {
      input.dispose();
      if (cache !== undefined) disposeHfKvCache(cache);
    }
    return out;
  }

  /** Greedy decoding (arg-max, lowest id on ties) until an EOS of the config or `maxNewTokens`. */
  greedy(prompts: readonly (readonly number[])[], maxNewTokens: number): Promise<number[][]> {
    const eos = this.config.eosTokenIds;
    return this.decode(prompts, maxNewTokens, argmax, (_, ids) => eos.includes(ids.at(-1)!));
  }

  dispose(): void {
    for (const t of this.#w.values()) t.dispose();
    this.#w.clear();
    this.#hostBuffers.clear();
  }
}

/**
 * RoPE tables `[B, 1, T, d]` and the additive attention mask `[B, 1, T, past + T]` of the
 * positions `past … past + T - 1` of rows left-padded by `pads`: query `k` of row `i` sees keys
 * `pads[i] … past + k`, and sits at RoPE position `past + k - pads[i]` (0 for padding). The
 * tables `[cos, sin]` cover positions `0 …` at least `past + T - 1`.
 */
function _positions(
  c: HfConfig,
  [cosAll, sinAll]: readonly [Float32Array, Float32Array],
  past: number,
  t: number,
  pads: readonly number[],
) {
  const b = pads.length;
  const d = c.headDim;
  const s = past + t;
  const cos = new Float32Array(b * t * d);
  const sin = new Float32Array(b * t * d);
  const mask = new Float32Array(b * t * s);
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < t; k++) {
      const at = Math.max(0, past + k - pads[i]) * d;
      cos.set(cosAll.subarray(at, at + d), (i * t + k) * d);
      sin.set(sinAll.subarray(at, at + d), (i * t + k) * d);
      for (let j = 0; j < s; j++) {
        if (j > past + k || j < pads[i]) mask[(i * t + k) * s + j] = -1e30;
      }
    }
  }
  return {
    cos: tf.tensor(cos, [b, 1, t, d]),
    sin: tf.tensor(sin, [b, 1, t, d]),
    mask: tf.tensor(mask, [b, 1, t, s]),
  };
}

/**
 * The gradients of `f(x)` with respect to `x` and `vars`, computed inside a backward pass:
 * tfjs's engine starts a new tape for it and sets the tape to null when done, which the outer
 * backward pass still reads (to free its saved tensors), so the outer tape is put back.
 */
function _nestedGrads(
  f: (x: tf.Tensor) => tf.Scalar | tf.Tensor,
  x: tf.Tensor,
  vars: readonly tf.Variable[],
  name: string,
): tf.Tensor[] {
  const xv = tf.variable(x, true, name);
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outer = state.activeTape;
  try {
    const { value, grads } = tf.variableGrads(() => f(xv) as tf.Scalar, [xv, ...vars]);
    value.dispose();
    return [grads[xv.name], ...vars.map((v) => grads[v.name] ?? tf.zerosLike(v))];
  } finally {
    state.activeTape = outer;
    xv.dispose();
  }
}

/** Positions (of the whole batch) per chunk of a recomputed layer's MLP. */
const _MLP_CHUNK_ROWS = 512;

/**
 * `f` applied to `x` `[N, …]` in chunks of `rows` rows (`f(chunk, index, consts)` must treat
 * rows independently and read only `consts`, `vars` and tensors that outlive the step): the
 * forward pass keeps only `x` and `consts` (saved, since the forward scope frees them), and the
 * backward pass recomputes and differentiates one chunk at a time, summing the gradients of
 * `vars` (a variable a chunk does not read gets zeros).
 */
function _rowChunked(
  f: (x: tf.Tensor2D, chunk: number, consts: tf.Tensor[]) => tf.Tensor2D,
  x: tf.Tensor2D,
  vars: readonly tf.Variable[],
  rows: number,
  consts: readonly tf.Tensor[] = [],
): tf.Tensor2D {
  const n = x.shape[0];
  const chunks: [number, number][] = [];
  for (let s = 0; s < n; s += rows) chunks.push([s, Math.min(n, s + rows) - s]);
  const part = (t: tf.Tensor, [s, len]: [number, number]) =>
    tf.slice(t, [s, 0], [len, -1]) as tf.Tensor2D;
  const g = tf.customGrad(
    ((...args: unknown[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xs, ...cs] = (args as tf.Tensor[]).slice(0, 1 + consts.length);
      save([xs, ...cs]);
      const outs = chunks.map((c, i) => tf.tidy(() => f(part(xs, c), i, cs)));
      const value = tf.concat(outs);
      tf.dispose(outs);
      return {
        value,
        gradFunc: (dy: tf.Tensor, [saved, ...sc]: tf.Tensor[]) => {
          const dx: tf.Tensor[] = [];
          let dv: tf.Tensor[] = [];
          chunks.forEach((c, i) => {
            const [d, ...gv] = _nestedGrads(
              (xv) => tf.sum(tf.mul(f(xv as tf.Tensor2D, i, sc), part(dy, c))),
              part(saved, c),
              vars,
              `chunk/${i}#${++_trainable}`,
            );
            dx.push(d);
            const prev = dv;
            dv = prev.length === 0 ? gv : gv.map((t, j) => tf.add(prev[j], t));
            if (prev.length > 0) tf.dispose([...prev, ...gv]);
          });
          const out = tf.concat(dx);
          tf.dispose(dx);
          return [out, ...sc.map((t) => tf.zerosLike(t)), ...dv];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (g as unknown as (...t: tf.Tensor[]) => tf.Tensor2D)(x, ...consts, ...vars);
}

/** Whether a gradient tape is recording (inside `tf.variableGrads` or `tf.grads`). */
function _taping(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/**
 * `f()` (which reads only constants and `input`) as one taped op whose gradient is zero: its
 * internals are not recorded, so nothing is kept for a backward pass.
 */
function _untaped(f: () => tf.Tensor, input: tf.Tensor): tf.Tensor {
  const g = tf.customGrad(
    ((x: tf.Tensor, _save: tf.GradSaveFunc) => ({
      value: f(),
      gradFunc: () => [tf.zerosLike(x)],
    })) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (g as unknown as (x: tf.Tensor) => tf.Tensor)(input);
}

/**
 * `x · w` for a frozen weight `w` (kept alive by the model), or `given` as its value where the
 * product was computed before: under a tape the backward pass needs only `dx = dy · wᵀ`, so
 * unlike a taped product it keeps neither a copy of `w` nor `x`.
 */
function _frozenProduct(x: tf.Tensor2D, w: tf.Tensor2D, given?: tf.Tensor2D): tf.Tensor2D {
  if (!_taping()) return given ?? tf.matMul(x, w);
  const g = tf.customGrad(
    ((xs: tf.Tensor, _save: tf.GradSaveFunc) => ({
      value: given ?? tf.matMul(xs as tf.Tensor2D, w),
      gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, w, false, true)],
    })) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (g as unknown as (x: tf.Tensor) => tf.Tensor2D)(x);
}

/**
 * The frozen weights' products `x · W` of one recomputed layer, from its forward pass to its
 * recomputation in the backward pass: the first call for a key multiplies and saves the product,
 * the second returns the saved one (and forgets it), so the recomputation runs the layer's norms,
 * activations, attention core and adapters but none of its large products. The products wait in
 * host buffers (about 50 KB per position and layer for Qwen2.5-0.5B), outside the wasm backend's
 * 4 GB heap, which the weights mostly fill.
 */
class _SavedProducts {
  readonly #host: _HostBuffers;
  readonly #saved = new Map<string, { data: Float32Array; shape: [number, number] }>();

  constructor(host: _HostBuffers) {
    this.#host = host;
  }

  product(key: string, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
    const saved = this.#saved.get(key);
    if (saved === undefined) {
      const y = _frozenProduct(x, w);
      this.#saved.set(key, { data: readInto(y, this.#host.take(y.size)), shape: y.shape });
      return y;
    }
    this.#saved.delete(key);
    const y = tf.tensor2d(saved.data, saved.shape); // a copy into the heap
    this.#host.give(saved.data);
    return _frozenProduct(x, w, y);
  }
}

/**
 * Host buffers by length, reused from one training step to the next, so that after the first step
 * saving a layer's products allocates nothing (about 1.25 GB a step at 512 tokens per side).
 */
class _HostBuffers {
  readonly #free = new Map<number, Float32Array[]>();

  take(length: number): Float32Array {
    return this.#free.get(length)?.pop() ?? new Float32Array(length);
  }

  give(buffer: Float32Array): void {
    const list = this.#free.get(buffer.length);
    if (list === undefined) this.#free.set(buffer.length, [buffer]);
    else list.push(buffer);
  }

  clear(): void {
    this.#free.clear();
  }
}

/** Trainable weights made so far (tfjs variable names must be unique in the process). */
let _trainable = 0;

/** Whether weight `name` is kept as `Wᵀ`: projections and whatever serves as the LM head. */
function _keptTransposed(name: string, c: HfConfig): boolean {
  return name.endsWith("_proj.weight") || name === "lm_head.weight" ||
    (c.tieWordEmbeddings && name === "model.embed_tokens.weight");
}
