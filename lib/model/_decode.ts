/**
 * Incremental decoding for {@link Gpt.forwardCached}: the per-step work of a cached forward pass
 * with as few tfjs kernels as possible.
 *
 * A decoding step feeds one token per row (B ≤ 32 rows in practice), so every tensor is tiny and
 * tfjs' fixed cost per kernel (~10-30 µs of engine bookkeeping) dominates: the tensor version of
 * the step ran ~230 kernels, and its attention products were batched matMuls of B·H one-row
 * entries, each a separate XNNPACK call. Here only the four dense products of each block and the
 * output projection are matrix products: one OpenBLAS `sgemm` each on the weights in the wasm heap
 * where the backend has it (lib/backend `nativeEngines().blas`; no tfjs kernel at all), else one tfjs
 * matMul each (XNNPACK, weights packed once). With OpenBLAS, a one-token step's attention over
 * the cache is one `sgemv` per row and head for the scores and one for the context, and its
 * softmax and the GELU run on oneDNN where the backend has it (lib/backend `nativeEngines().dnn`); the
 * embedding, LayerNorms, biases and residuals (and otherwise the attention and GELU) run in
 * plain JS on small float32 rows. Keys/values live in buffers preallocated for the whole context
 * and written in place (no concat, no O(t) copy per step). The maths is the tensor forward
 * pass's in float32 (bias adds and residuals round exactly as tfjs' float32 adds do; JS
 * reductions accumulate in float64 and round once); the products and oneDNN's kernels sum in
 * their own order, so logits agree with recomputation to float32 rounding (tests: within 1e-4)
 * and greedy decoding chooses the same tokens unless two logits tie to that precision.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type HeapBlas,
  layerNormRows,
  type NativeEngines,
  type OneDnn,
  type OpenBlas,
} from "../backend/mod.ts";
import type { GptConfig } from "./types.ts";

/** The weights one decoding step needs (the model's own variables). */
export interface DecodeWeights {
  readonly config: GptConfig;
  readonly wte: tf.Tensor; // [V, D]
  readonly wpe: tf.Tensor; // [Tmax, D]
  readonly blocks: readonly DecodeBlock[];
  readonly lnfg: tf.Tensor; // [D]
  readonly lnfb: tf.Tensor; // [D]
}

/**
 * Weights of one transformer block, by name; `T` is `tf.Variable` in the model (lib/model/gpt.ts)
 * and any tensor here.
 */
export interface DecodeBlock<T extends tf.Tensor = tf.Tensor> {
  readonly ln1g: T; // [D]
  readonly ln1b: T; // [D]
  readonly wqkv: T; // [D, 3D]
  readonly bqkv: T; // [3D]
  readonly wo: T; // [D, D]
  readonly bo: T; // [D]
  readonly ln2g: T; // [D]
  readonly ln2b: T; // [D]
  readonly w1: T; // [D, M]
  readonly b1: T; // [M]
  readonly w2: T; // [M, D]
  readonly b2: T; // [D]
}

/** JS copies of the small weights (embeddings, LayerNorm gains/biases, biases) of one block. */
interface _BlockCopy {
  readonly ln1g: Float32Array;
  readonly ln1b: Float32Array;
  readonly bqkv: Float32Array;
  readonly bo: Float32Array;
  readonly ln2g: Float32Array;
  readonly ln2b: Float32Array;
  readonly b1: Float32Array;
  readonly b2: Float32Array;
}

/** Copies of the weights the JS part of a step reads, taken when the cache is created. */
interface _WeightCopy {
  readonly wte: Float32Array; // [V * D]
  readonly wpe: Float32Array; // [Tmax * D]
  readonly blocks: readonly _BlockCopy[];
  readonly lnfg: Float32Array;
  readonly lnfb: Float32Array;
}

const _LN_EPS = 1e-5;

/**
 * The decoding state behind a `KvCache`: per-layer keys and values `[B, H, capacity, hd]`
 * (row-major, positions `>= length` unused) and the weight copies. Mutated in place.
 */
export class DecodeState {
  readonly owner: object;
  readonly capacity: number;
  readonly dModel: number;
  batch: number;
  length: number;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  readonly weights: _WeightCopy;
  disposed = false;

  constructor(owner: object, w: DecodeWeights, batch: number) {
    const { contextLength, dModel, nLayer } = w.config;
    this.owner = owner;
    this.capacity = contextLength;
    this.dModel = dModel;
    this.batch = batch;
    this.length = 0;
    const size = batch * contextLength * dModel; // B * H * capacity * hd
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(size));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(size));
    const copy = (t: tf.Tensor) => t.dataSync() as Float32Array;
    this.weights = {
      wte: copy(w.wte),
      wpe: copy(w.wpe),
      blocks: w.blocks.map((b) => ({
        ln1g: copy(b.ln1g),
        ln1b: copy(b.ln1b),
        bqkv: copy(b.bqkv),
        bo: copy(b.bo),
        ln2g: copy(b.ln2g),
        ln2b: copy(b.ln2b),
        b1: copy(b.b1),
        b2: copy(b.b2),
      })),
      lnfg: copy(w.lnfg),
      lnfb: copy(w.lnfb),
    };
  }

  /** Store keys/values `[B, H, T, hd]` of layer `layer` at positions `length … length + T - 1`. */
  write(layer: number, k: Float32Array, v: Float32Array, T: number, headDim: number): void {
    const rows = k.length / (T * headDim); // B * H
    const cap = this.capacity;
    for (let r = 0; r < rows; r++) {
      const dst = (r * cap + this.length) * headDim;
      const src = r * T * headDim;
      this.keys[layer].set(k.subarray(src, src + T * headDim), dst);
      this.values[layer].set(v.subarray(src, src + T * headDim), dst);
    }
  }

  /** Keep only batch rows `keep` (strictly increasing), in place. */
  retainRows(keep: readonly number[]): void {
    keep.forEach((r, j) => {
      if (!Number.isInteger(r) || r < 0 || r >= this.batch || (j > 0 && r <= keep[j - 1])) {
        throw new Error(
          `KvCache: rows to keep must be strictly increasing integers in [0, ${this.batch}), ` +
            `found [${keep.join(", ")}]`,
        );
      }
    });
    const rowSize = this.capacity * this.dModel; // one batch row: [H, capacity, hd]
    for (const buffers of [this.keys, this.values]) {
      for (const buf of buffers) {
        keep.forEach((r, j) => {
          if (r !== j) buf.copyWithin(j * rowSize, r * rowSize, (r + 1) * rowSize);
        });
      }
    }
    this.batch = keep.length;
  }
}

/**
 * One cached forward step: `ids` (row-major `[B, T]`) at positions `state.length …`, attending to
 * the cached keys/values, which are extended in place. Returns the logits `[B, T, V]`.
 */
export function decodeStep(
  w: DecodeWeights,
  state: DecodeState,
  ids: Int32Array,
  T: number,
  engines: NativeEngines,
): tf.Tensor3D {
  const { vocabSize: V, dModel: D, nHead: H, mlpRatio } = w.config;
  const M = mlpRatio * D;
  const hd = D / H;
  const B = state.batch;
  const N = B * T; // rows of every [N, ·] activation
  const past = state.length;
  const copy = state.weights;
  const native = engines.blas; // OpenBLAS on the wasm heap, or null (tfjs matMuls)
  const dnn = engines.dnn; // oneDNN for the GELU and the attention softmax, or null (JS)
  // Token + position embedding: x[n, :] = wte[id] + wpe[past + t]  (n = b * T + t)
  const x = new Float32Array(N * D); // [N, D]
  for (let n = 0; n < N; n++) {
    const tok = ids[n] * D;
    const pos = (past + (n % T)) * D;
    for (let d = 0; d < D; d++) x[n * D + d] = copy.wte[tok + d] + copy.wpe[pos + d];
  }
  const h = new Float32Array(N * D); // LayerNorm output [N, D]
  for (let i = 0; i < w.blocks.length; i++) {
    const blk = w.blocks[i];
    const c = copy.blocks[i];
    _layerNorm(x, h, N, D, c.ln1g, c.ln1b);
    const qkv = _dense(native, h, N, D, blk.wqkv, c.bqkv); // [N, 3D]
    // Split heads: q/k/v[b, h, t, :] = qkv[b * T + t, {0, D, 2D} + h * hd + :].
    const q = new Float32Array(N * D);
    const k = new Float32Array(N * D);
    const v = new Float32Array(N * D);
    const scale = Math.fround(1 / Math.sqrt(hd)); // applied to q, as the tensor pass does
    for (let b = 0; b < B; b++) {
      for (let hh = 0; hh < H; hh++) {
        for (let t = 0; t < T; t++) {
          const src = (b * T + t) * 3 * D + hh * hd;
          const dst = ((b * H + hh) * T + t) * hd;
          for (let d = 0; d < hd; d++) {
            q[dst + d] = qkv[src + d] * scale;
            k[dst + d] = qkv[src + D + d];
            v[dst + d] = qkv[src + 2 * D + d];
          }
        }
      }
    }
    state.write(i, k, v, T, hd);
    const merged = native !== null && T === 1
      ? _attentionBlas(native.blas, dnn, state, i, q, { B, H, hd, past }) // [B, D]
      : _attention(state, i, q, { B, H, T, hd, past }); // [N, D]
    const attnOut = _dense(native, merged, N, D, blk.wo, c.bo); // [N, D]
    for (let j = 0; j < N * D; j++) x[j] += attnOut[j];
    _layerNorm(x, h, N, D, c.ln2g, c.ln2b);
    const hidden = _dense(native, h, N, D, blk.w1, c.b1); // [N, M]
    if (dnn !== null) dnn.eltwise("gelu_tanh", hidden, hidden); // the tensor pass's large-tensor kernel
    else _gelu(hidden);
    const mlpOut = _dense(native, hidden, N, M, blk.w2, c.b2); // [N, D]
    for (let j = 0; j < N * D; j++) x[j] += mlpOut[j];
  }
  state.length = past + T;
  _layerNorm(x, h, N, D, copy.lnfg, copy.lnfb);
  if (native !== null) {
    // logits = h · wteᵀ straight into the output tensor's heap buffer.
    const logits = tf.buffer([B, T, V], "float32").toTensor() as tf.Tensor3D;
    native.blas.useThreadsFor(N * V * D);
    native.blas.sgemm(
      false,
      true,
      N,
      V,
      D,
      h,
      D,
      native.heapView(w.wte),
      D,
      native.heapView(logits),
      V,
    );
    return logits;
  }
  return tf.tidy(() => {
    const hf = tf.tensor2d(h, [N, D]); // [N, D]
    return tf.reshape(tf.matMul(hf, w.wte, false, true), [B, T, V]) as tf.Tensor3D; // [B, T, V]
  });
}

/**
 * `x [N, K] · w [K, C] + bias`; returns a JS array `[N, C]`. On wasm with OpenBLAS one `sgemm`
 * reads the weights in the wasm heap directly (no tfjs tensors: at batch 1 the engine's cost of
 * upload, kernel and read-back exceeded the product's); elsewhere one tfjs matMul.
 */
function _dense(
  native: HeapBlas | null,
  x: Float32Array,
  N: number,
  K: number,
  w: tf.Tensor,
  bias: Float32Array,
) {
  const C = bias.length;
  let y: Float32Array;
  if (native !== null) {
    y = new Float32Array(N * C);
    native.blas.useThreadsFor(N * C * K);
    native.blas.sgemm(false, false, N, C, K, x, K, native.heapView(w), C, y, C);
  } else {
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(x, [N, K]), w as tf.Tensor2D)); // [N, C]
    y = out.dataSync() as Float32Array; // a copy owned by JS
    out.dispose();
  }
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < C; j++) y[n * C + j] += bias[j];
  }
  return y;
}

/** LayerNorm of `N` rows of width `D` into `out` (the tensor pass's rounding, see layerNormRows). */
function _layerNorm(
  x: Float32Array,
  out: Float32Array,
  N: number,
  D: number,
  gamma: Float32Array,
  beta: Float32Array,
): void {
  layerNormRows({ x, out, rows: N, width: D, gamma, beta, eps: _LN_EPS });
}

/**
 * GELU (tanh approximation) in place, in the tensor pass's form `x * sigmoid(x (c1 + c2 x^2))`
 * with `c1 = 2 sqrt(2/pi)`, `c2 = 0.044715 c1` (see `gelu` of _fused.ts; its fused wasm kernel rounds the same way).
 */
function _gelu(x: Float32Array): void {
  const c1 = Math.fround(2 * Math.sqrt(2 / Math.PI));
  const c2 = Math.fround(0.044715 * 2 * Math.sqrt(2 / Math.PI));
  for (let j = 0; j < x.length; j++) {
    const a = x[j];
    const u2 = Math.fround(a * Math.fround(Math.fround(Math.fround(a * a) * c2) + c1));
    x[j] = a * Math.fround(1 / (1 + Math.exp(-u2)));
  }
}

/**
 * {@link _attention} for one new position per row (`T = 1`, every decoding step after the
 * prefill) on OpenBLAS: per row and head, the scores are one `sgemv` with the cached keys
 * `[S, hd]` and the context one transposed `sgemv` with the cached values, written straight into
 * the merged output; the softmax of all `B·H` score rows is one oneDNN call where it is loaded.
 * The JS loops cost about 1 ns a multiply-add and `Math.exp` 20 ns; at batch 16 they were 40% of
 * a reference-model step (`deno run -A --cpu-prof`).
 */
function _attentionBlas(
  blas: OpenBlas,
  dnn: OneDnn | null,
  state: DecodeState,
  layer: number,
  q: Float32Array,
  s: { B: number; H: number; hd: number; past: number },
): Float32Array {
  const { B, H, hd, past } = s;
  const D = H * hd, BH = B * H, S = past + 1, cap = state.capacity;
  const keys = state.keys[layer];
  const values = state.values[layer];
  // Rows of the full capacity, -Infinity past S: one oneDNN softmax shape for the whole decode
  // (a new shape costs a kernel compile), and exp(-Infinity) = 0 leaves the first S unchanged.
  const W = dnn === null ? S : cap;
  const scores = new Float32Array(BH * W).fill(-Infinity); // [B·H, W]
  blas.useThreadsFor(BH * S * hd);
  for (let bh = 0; bh < BH; bh++) {
    const base = bh * cap * hd; // position 0 of this (row, head)
    blas.sgemv({
      trans: false,
      rows: S,
      cols: hd,
      a: keys.subarray(base, base + S * hd),
      x: q.subarray(bh * hd, (bh + 1) * hd),
      y: scores.subarray(bh * W, bh * W + S),
    });
  }
  const probs = new Float32Array(BH * W);
  if (dnn !== null) dnn.softmax({ x: scores, y: probs, rows: BH, cols: W });
  else {
    for (let o = 0; o < BH * W; o += W) {
      let max = -Infinity, z = 0;
      for (let j = o; j < o + S; j++) max = Math.max(max, scores[j]);
      for (let j = o; j < o + S; j++) z += probs[j] = Math.fround(Math.exp(scores[j] - max));
      for (let j = o; j < o + S; j++) probs[j] = probs[j] / z;
    }
  }
  const out = new Float32Array(B * D); // out[b, h * hd + d]
  for (let bh = 0; bh < BH; bh++) {
    const base = bh * cap * hd, o = Math.floor(bh / H) * D + (bh % H) * hd;
    blas.sgemv({
      trans: true,
      rows: S,
      cols: hd,
      a: values.subarray(base, base + S * hd),
      x: probs.subarray(bh * W, bh * W + S),
      y: out.subarray(o, o + hd),
    });
  }
  return out;
}

/**
 * Causal attention of the new queries `q [B, H, T, hd]` (already scaled by `1/sqrt(hd)`) over the
 * cached keys/values of `layer` (positions `0 … past + t` for query `t`); returns the heads merged
 * back to `[B * T, D]` (`out[b * T + t, h * hd + :]`).
 */
function _attention(
  state: DecodeState,
  layer: number,
  q: Float32Array,
  s: { B: number; H: number; T: number; hd: number; past: number },
): Float32Array {
  const { B, H, T, hd, past } = s;
  const D = H * hd;
  const cap = state.capacity;
  const keys = state.keys[layer];
  const values = state.values[layer];
  const out = new Float32Array(B * T * D);
  const scores = new Float64Array(past + T);
  const ctx = new Float64Array(hd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * cap * hd; // position 0 of this (row, head)
      for (let t = 0; t < T; t++) {
        const qo = ((b * H + h) * T + t) * hd;
        const S = past + t + 1; // visible positions
        let max = -Infinity;
        for (let j = 0; j < S; j++) {
          const ko = base + j * hd;
          // Four partial sums: the dot product is the hot loop of a decoding step.
          let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
          let d = 0;
          for (; d + 3 < hd; d += 4) {
            d0 += q[qo + d] * keys[ko + d];
            d1 += q[qo + d + 1] * keys[ko + d + 1];
            d2 += q[qo + d + 2] * keys[ko + d + 2];
            d3 += q[qo + d + 3] * keys[ko + d + 3];
          }
          for (; d < hd; d++) d0 += q[qo + d] * keys[ko + d];
          const sc = Math.fround(d0 + d1 + (d2 + d3));
          scores[j] = sc;
          if (sc > max) max = sc;
        }
        let z = 0;
        for (let j = 0; j < S; j++) {
          const e = Math.fround(Math.exp(scores[j] - max));
          scores[j] = e;
          z += e;
        }
        ctx.fill(0);
        for (let j = 0; j < S; j++) {
          const p = Math.fround(scores[j] / z);
          const vo = base + j * hd;
          for (let d = 0; d < hd; d++) ctx[d] += p * values[vo + d];
        }
        const oo = (b * T + t) * D + h * hd;
        for (let d = 0; d < hd; d++) out[oo + d] = ctx[d];
      }
    }
  }
  return out;
}
