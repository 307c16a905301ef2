/**
 * Faster replacements for tfjs-backend-wasm 4.22 kernels that dominated a training step
 * (profile of one reference LM step, bench/train_bench.ts `--profile`):
 *
 * - `Identity`, and `Cast` to the same dtype, COPY their input on wasm (the cpu backend shares
 *   the buffer). The engine clones every tensor it saves for the backward pass through
 *   `Identity`, so on wasm the gradient tape held a second copy of every saved activation: this
 *   doubled the memory of a training step (a 32-sequence DPO batch exceeded the 4 GiB heap) and
 *   cost ~10% of the step in copies. The replacements share the buffer by reference count, as the
 *   cpu backend does; tensors are immutable, so this is safe.
 * - `Sum` over leading axes (every bias, LayerNorm and broadcast-add gradient) first transposes
 *   the input in wasm with a cache-hostile loop; the replacement accumulates rows in float32 in
 *   the same order as the wasm loop (bit-identical results) without the transpose.
 * - `Transpose`: a cache-blocked 2-D transpose (batched over leading axes) and row copies for
 *   permutations that keep the last axis, instead of wasm's element-wise strided loop.
 * - `BatchMatMul` reaches XNNPACK only for one untransposed 2-D product; with `transposeA`,
 *   `transposeB` or a batch it ran a naive loop (~10× slower). The replacement transposes
 *   explicitly and runs one XNNPACK product per batch entry on zero-copy views of the heap, so
 *   tfjs' own matMul gradient (which uses both transpose flags) and batched attention are fast.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Marks kernel functions registered by the kit (so registration is idempotent and reported). */
export const KIT_KERNEL = Symbol.for("target-dpo-kit.kernel");

/** The parts of tfjs' `BackendWasm` these kernels use. */
export interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  wasm: WasmModuleInternals;
  incRef(dataId: tf.DataId): void;
  disposeData(dataId: tf.DataId): boolean;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
}

/** The parts of the wasm module these kernels use. */
export interface WasmModuleInternals {
  HEAPU8: Uint8Array;
  cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
  tfjs: { disposeData(id: number): void };
}

/**
 * The heap bytes of a 4-byte tensor (float32 or int32) as an `Int32Array` of 32-bit words, or
 * `null` for other dtypes. Copy loops over words see one array type whatever the dtype: with
 * tfjs' per-dtype views a loop that met both Float32Array and Int32Array ran 4-10x slower.
 */
export function heapWords(backend: WasmBackendInternals, t: tf.TensorInfo): Int32Array | null {
  if (t.dtype !== "float32" && t.dtype !== "int32") return null;
  const { memoryOffset } = backend.dataIdMap.get(t.dataId)!;
  return new Int32Array(backend.wasm.HEAPU8.buffer, memoryOffset, tf.util.sizeFromShape(t.shape));
}

type _Args = Parameters<tf.KernelFunc>[0];

/** Replace `name`'s wasm kernel by `make(original)`; no-op when already replaced. */
export function replaceWasmKernel(
  name: string,
  make: (original: tf.KernelFunc) => tf.KernelFunc,
): boolean {
  const kernel = tf.getKernel(name, "wasm");
  if (kernel === undefined || KIT_KERNEL in kernel.kernelFunc) return false;
  const kernelFunc = Object.assign(make(kernel.kernelFunc), { [KIT_KERNEL]: true });
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...kernel, kernelFunc });
  return true;
}

/** `Identity` sharing the input buffer (reference count), like the cpu backend. */
export function shareIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return original(args);
    (args.backend as unknown as WasmBackendInternals).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** `Cast` that shares the buffer when the dtype does not change. */
export function shareCast(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
    if (x.dtype !== dtype || x.dtype === "string") return original(args);
    (args.backend as unknown as WasmBackendInternals).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** A float32 `Sum` over leading axes seen as `[rows, cols]` to `[cols]`, with its output shape. */
export interface LeadingSum {
  readonly x: tf.TensorInfo;
  readonly rows: number;
  readonly cols: number;
  readonly outShape: number[];
}

/**
 * The geometry of a `Sum` call over the leading `r` axes (`r < rank`) of a float32 tensor, or
 * `null` for every other reduction.
 */
export function leadingSumGeometry(args: _Args): LeadingSum | null {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as {
    axis: number | number[];
    keepDims: boolean;
  };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const r = axes.length;
  if (x.dtype !== "float32" || r === 0 || r >= rank || axes.some((a, i) => a !== i)) return null;
  return {
    x,
    rows: tf.util.sizeFromShape(x.shape.slice(0, r)),
    cols: tf.util.sizeFromShape(x.shape.slice(r)),
    outShape: keepDims ? [...x.shape.slice(0, r).map(() => 1), ...x.shape.slice(r)] : x.shape
      .slice(r),
  };
}

/**
 * `Sum` over the leading `r` axes (`r < rank`) of a float32 tensor by row accumulation:
 * `acc[j] += x[i, j]` for `i = 0, 1, …` in float32, the order wasm's own loop uses after its
 * transpose, so results are bit-identical. Other reductions go to the original kernel.
 */
export function leadingAxesSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const g = leadingSumGeometry(args);
    if (g === null) return original(args);
    const { x, rows, cols, outShape } = g;
    const backend = args.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(outShape, "float32");
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const acc = backend.typedArrayFromHeap(out) as Float32Array;
    acc.fill(0);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) acc[j] += src[o + j];
    }
    return out;
  };
}

/** Cache block of the 2-D transpose (elements per side). */
const _BLOCK = 32;

/** `dst[b, j, i] = src[b, i, j]` for `batch` row-major `[m, n]` matrices (cache-blocked). */
export function transposeBlocks(
  src: Int32Array,
  dst: Int32Array,
  batch: number,
  m: number,
  n: number,
): void {
  const size = m * n;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let i0 = 0; i0 < m; i0 += _BLOCK) {
      const i1 = Math.min(i0 + _BLOCK, m);
      for (let j0 = 0; j0 < n; j0 += _BLOCK) {
        const j1 = Math.min(j0 + _BLOCK, n);
        for (let i = i0; i < i1; i++) {
          const s = base + i * n;
          for (let j = j0; j < j1; j++) dst[base + j * m + i] = src[s + j];
        }
      }
    }
  }
}

/**
 * Collapse adjacent input axes that stay adjacent and in order under `perm`, and drop size-1
 * axes; returns the reduced input shape and permutation.
 */
export function simplifyPermutation(shape: number[], perm: number[]): [number[], number[]] {
  const keep = perm.filter((p) => shape[p] !== 1);
  if (keep.length === 0) return [[], []];
  // Groups of consecutive input axes in output order.
  const groups: number[][] = [];
  for (const p of keep) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[last.length - 1] + 1 === p) last.push(p);
    else groups.push([p]);
  }
  // The input order of the groups is the order of their first axis.
  const order = groups.map((g, i) => [g[0], i]).sort((a, b) => a[0] - b[0]);
  const newShape = order.map(([, gi]) => groups[gi].reduce((s, a) => s * shape[a], 1));
  const inputIndexOfGroup = new Array<number>(groups.length);
  order.forEach(([, gi], k) => inputIndexOfGroup[gi] = k);
  return [newShape, groups.map((_, gi) => inputIndexOfGroup[gi])];
}

/**
 * `Transpose`: after merging axes that move together, a batched 2-D transpose (`[…, 1, 0]`
 * swaps of the last two axes with the leading axes fixed) runs cache-blocked, and a permutation
 * that keeps the last axis copies whole rows; anything else goes to the original kernel.
 */
export function fastTranspose(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as unknown as { perm: number[] }).perm;
    if (x.dtype === "string") return original(args);
    const [shape, p] = simplifyPermutation(x.shape, perm);
    const k = p.length;
    const outShape = perm.map((a) => x.shape[a]);
    const backend = args.backend as unknown as WasmBackendInternals;
    if (k <= 1) {
      // A pure relabelling of axes: the data order does not change.
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: outShape, dtype: x.dtype };
    }
    const batchedSwap = p[k - 1] === k - 2 && p[k - 2] === k - 1 &&
      p.slice(0, k - 2).every((a, i) => a === i);
    const keepsLast = p[k - 1] === k - 1;
    if (!batchedSwap && !keepsLast) return original(args);
    if (x.dtype !== "float32" && x.dtype !== "int32") return original(args);
    const out = backend.makeOutput(outShape, x.dtype);
    const src = heapWords(backend, x)!;
    const dst = heapWords(backend, out)!;
    if (batchedSwap) {
      const batch = shape.slice(0, k - 2).reduce((a, b) => a * b, 1);
      transposeBlocks(src, dst, batch, shape[k - 2], shape[k - 1]);
      return out;
    }
    // Rows of length `row` move as a whole: walk the output rows in order.
    const row = shape[k - 1];
    const inStrides = tf.util.computeStrides(shape); // [k - 1]
    const outDims = p.slice(0, k - 1).map((a) => shape[a]);
    const stride = p.slice(0, k - 1).map((a) => inStrides[a]);
    const nRows = outDims.reduce((a, b) => a * b, 1);
    // The last moved axis runs in a tight loop; the multi-index of the others (last fastest)
    // advances once per run.
    const lastDim = outDims[k - 2], lastStride = stride[k - 2];
    const idx = new Array<number>(k - 2).fill(0);
    let offset = 0, o = 0;
    for (let r = 0; r < nRows; r += lastDim) {
      let off = offset;
      for (let t = 0; t < lastDim; t++) {
        for (let j = 0; j < row; j++) dst[o + j] = src[off + j];
        o += row;
        off += lastStride;
      }
      for (let d = k - 3; d >= 0; d--) {
        idx[d]++;
        offset += stride[d];
        if (idx[d] < outDims[d]) break;
        offset -= stride[d] * outDims[d];
        idx[d] = 0;
      }
    }
    return out;
  };
}

/** Cost of XNNPACK's weight packing per element, in units of a blocked transpose's (measured). */
const _PACK_COST = 4;

type _WasmMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;
let _wasmMatMul: _WasmMatMul | null = null;

/** Sizes of a `BatchMatMul`: `op(A)` `[m, k]`, `op(B)` `[k, n]` per batch entry. */
export interface MatMulGeometry {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly batchA: number;
  readonly batchB: number;
  /** Entries of the output batch, `max(batchA, batchB)`. */
  readonly batch: number;
  /** The output's leading (batch) shape. */
  readonly outer: number[];
}

/**
 * The geometry of a `BatchMatMul` call, or `null` when it is not a float32 product with equal
 * batches or a one-sided batch broadcast (a two-sided broadcast `[2, 1]` with `[1, 2]`, an
 * empty product, another dtype): the kernels hand those to the original. Throws when the inner
 * sizes differ, naming both shapes.
 */
export function matMulGeometry(args: _Args): MatMulGeometry | null {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const ra = a.shape.length, rb = b.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `BatchMatMul: inner shapes ${k} and ${kb} of [${a.shape}] and [${b.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
  );
  const batch = Math.max(batchA, batchB);
  if (tf.util.sizeFromShape(outer) !== batch || m * n * k === 0) return null;
  return { a, b, transposeA, transposeB, m, k, n, batchA, batchB, batch, outer };
}

/**
 * `BatchMatMul` on XNNPACK for every form: operands flagged for transposition are transposed
 * (cache-blocked), then each batch entry runs the backend's fast untransposed 2-D product on
 * zero-copy views of the heap, writing straight into the output. Broadcasting a batch of 1
 * against N is supported; other broadcasts and non-float32 go to the original kernel.
 */
export function xnnBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const g = matMulGeometry(args);
    // tfjs' own kernel is fast for one untransposed 2-D product (and handles the rest).
    if (g === null || (!g.transposeA && !g.transposeB && g.batchA === 1 && g.batchB === 1)) {
      return original(args);
    }
    const { a, b, transposeA, transposeB, m, k, n, batchA, batchB, batch, outer } = g;
    const backend = args.backend as unknown as WasmBackendInternals;
    _wasmMatMul ??= backend.wasm.cwrap("BatchMatMul", null, [
      "number",
      "array",
      "number",
      "number",
      "array",
      "number",
      "number",
      "number",
      "number",
    ]) as unknown as _WasmMatMul;
    // XNNPACK re-packs its right operand (the "weights") on every call, at ~4× the cost per
    // element of a blocked transpose; a weight-gradient product Xᵀ·dY with a wide dY is cheaper
    // as (dYᵀ·X)ᵀ. Pick the orientation with the smaller estimated copy cost (equal maths).
    const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + _PACK_COST * k * n;
    const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * n +
      _PACK_COST * k * m;
    const swap = swapped < direct;
    // The product X [bt, r, k] · W [bt, k, c] as row-major operands (transposed copies if needed).
    const temps: tf.TensorInfo[] = [];
    const rowMajor = (t: tf.TensorInfo, bt: number, rows: number, cols: number, flip: boolean) => {
      if (!flip) return t;
      const info = backend.makeOutput([bt, rows, cols], "float32");
      temps.push(info);
      transposeBlocks(
        heapWords(backend, t)!,
        heapWords(backend, info)!,
        bt,
        cols,
        rows,
      );
      return info;
    };
    const [r, c] = swap ? [n, m] : [m, n];
    const [batchX, batchW] = swap ? [batchB, batchA] : [batchA, batchB];
    const x3 = swap
      ? rowMajor(b, batchB, n, k, !transposeB)
      : rowMajor(a, batchA, m, k, transposeA);
    const w3 = swap
      ? rowMajor(a, batchA, k, m, !transposeA)
      : rowMajor(b, batchB, k, n, transposeB);
    const out = backend.makeOutput([...outer, m, n], "float32");
    const res = swap ? backend.makeOutput([batch, r, c], "float32") : out;
    if (swap) temps.push(res);
    const offX = backend.dataIdMap.get(x3.dataId)!.memoryOffset;
    const offW = backend.dataIdMap.get(w3.dataId)!.memoryOffset;
    const offRes = backend.dataIdMap.get(res.dataId)!.memoryOffset;
    const xShape = new Uint8Array(new Int32Array([1, r, k]).buffer);
    const wShape = new Uint8Array(new Int32Array([1, k, c]).buffer);
    const shared: tf.TensorInfo[] = [];
    const step: tf.TensorInfo[] = [];
    const view = (list: tf.TensorInfo[], offset: number, shape: number[]) => {
      const info = backend.makeOutput(shape, "float32", offset);
      list.push(info);
      return backend.dataIdMap.get(info.dataId)!.id;
    };
    try {
      // One view of a broadcast operand serves every batch entry (XNNPACK packs it once).
      const xShared = batchX === 1 ? view(shared, offX, [1, r, k]) : -1;
      const wShared = batchW === 1 ? view(shared, offW, [1, k, c]) : -1;
      for (let i = 0; i < batch; i++) {
        const xId = xShared >= 0 ? xShared : view(step, offX + 4 * i * r * k, [1, r, k]);
        const wId = wShared >= 0 ? wShared : view(step, offW + 4 * i * k * c, [1, k, c]);
        const outId = view(step, offRes + 4 * i * r * c, [1, r, c]);
        _wasmMatMul(xId, xShape, 3, wId, wShape, 3, false, false, outId);
        for (const v of step.splice(0)) _releaseView(backend, v);
      }
      if (swap) {
        transposeBlocks(
          heapWords(backend, res)!,
          heapWords(backend, out)!,
          batch,
          r,
          c,
        );
      }
    } finally {
      for (const v of [...step, ...shared]) _releaseView(backend, v);
      for (const t of temps) backend.disposeData(t.dataId);
    }
    return out;
  };
}

/** Forget a view created with `makeOutput(shape, dtype, offset)` without freeing its memory. */
function _releaseView(backend: WasmBackendInternals, info: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) return;
  backend.wasm.tfjs.disposeData(data.id); // runs disposal callbacks (cached XNNPACK operators)
  (backend.dataIdMap as unknown as Map<tf.DataId, unknown>).delete(info.dataId);
}

/**
 * `GatherV2` (`batchDims` 0) of a float32 or int32 tensor by copying whole inner blocks: tfjs
 * 4.22's wasm kernel took 46 ms to gather 4096 rows of 128 floats (an embedding lookup of one
 * reference batch), this about 1 ms. Indices outside `[0, x.shape[axis])` throw, naming the
 * index and its position. Other dtypes and `batchDims` go to the original kernel.
 */
export function fastGather(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    if (
      (x.dtype !== "float32" && x.dtype !== "int32") || indices.dtype !== "int32" ||
      (batchDims ?? 0) !== 0
    ) {
      return original(args);
    }
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const outer = tf.util.sizeFromShape(x.shape.slice(0, ax));
    const dim = x.shape[ax];
    const inner = tf.util.sizeFromShape(x.shape.slice(ax + 1));
    const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    const backend = args.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(outShape, x.dtype);
    const idx = heapWords(backend, indices)!;
    const n = idx.length;
    for (let i = 0; i < n; i++) {
      const v = idx[i];
      if (v < 0 || v >= dim) {
        backend.disposeData(out.dataId);
        throw new Error(`GatherV2: indices[${i}] = ${v} is not in [0, ${dim - 1}]`);
      }
    }
    const src = heapWords(backend, x)!;
    const dst = heapWords(backend, out)!;
    let o = 0;
    for (let b = 0; b < outer; b++) {
      const base = b * dim * inner;
      for (let i = 0; i < n; i++) {
        const s = base + idx[i] * inner;
        for (let j = 0; j < inner; j++) dst[o + j] = src[s + j];
        o += inner;
      }
    }
    return out;
  };
}

/** Arguments of {@link layerNormRows}. */
export interface LayerNormRows {
  /** Input rows `[rows, width]`. */
  readonly x: Float32Array;
  /** Output rows `norm · gamma + beta`, `[rows, width]`. */
  readonly out: Float32Array;
  readonly rows: number;
  readonly width: number;
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly eps: number;
  /** Where to keep each row's mean, for a backward pass. */
  readonly mean?: Float32Array;
  /** Where to keep each row's population variance, for a backward pass. */
  readonly variance?: Float32Array;
}

/**
 * LayerNorm of each row, rounding to float32 at each step of tfjs' composite form (mean, centred
 * value, variance, reciprocal root, scale, shift): the fused kernel and the KV-cache decoder
 * (lib/model/_decode.ts) share it, so cached decoding matches the tensor pass.
 */
export function layerNormRows(a: LayerNormRows): void {
  const { x, out, rows, width: D, gamma, beta, eps, mean: means, variance: variances } = a;
  for (let n = 0; n < rows; n++) {
    const o = n * D;
    let sum = 0;
    for (let d = 0; d < D; d++) sum += x[o + d];
    const mean = Math.fround(sum / D);
    let sq = 0;
    for (let d = 0; d < D; d++) {
      const c = Math.fround(x[o + d] - mean);
      sq += c * c;
    }
    const variance = Math.fround(sq / D);
    if (means !== undefined) means[n] = mean;
    if (variances !== undefined) variances[n] = variance;
    const r = _rstd(variance, eps);
    for (let d = 0; d < D; d++) {
      const h = Math.fround(Math.fround(x[o + d] - mean) * r);
      out[o + d] = Math.fround(h * gamma[d]) + beta[d];
    }
  }
}

/** `1/√(variance + eps)` rounded as tfjs' composite form rounds it. */
function _rstd(variance: number, eps: number): number {
  return Math.fround(1 / Math.sqrt(Math.fround(variance + eps)));
}

/** Names of the fused kernels the model calls where the backend has them (lib/model/_fused.ts). */
export const FUSED_KERNELS = {
  /** `{x}` -> `y`: tanh-approximate GELU `y = x·σ(u)`, `u = 2√(2/π)(x + 0.044715x³)`. */
  gelu: "KitGelu",
  /** `{x, dy}` -> `dx = dy·(σ(u) + x·σ(u)·(1 - σ(u))·du/dx)`. */
  geluGrad: "KitGeluGrad",
  /** `{y, dy}` -> `dx = y·(dy - Σ dy·y)` over the last axis: the gradient of a softmax `y`. */
  softmaxGrad: "KitSoftmaxGrad",
  /**
   * `{x, gamma, beta}` (attr `eps`) -> `[y, mean, variance]`: LayerNorm over the last axis,
   * `y = (x - mean)/√(variance + eps)·gamma + beta` (population variance), and the row
   * statistics `[..., 1]`.
   */
  layerNorm: "KitLayerNorm",
  /**
   * `{dy, x, mean, variance, gamma}` (attr `eps`) -> `[dx, dgamma, dbeta]`, with `mean` and
   * `variance` from the forward.
   */
  layerNormGrad: "KitLayerNormGrad",
} as const;

/** `2√(2/π)` and `0.044715·2√(2/π)`, the GELU constants (the model's composite form uses them). */
export const GELU_C1 = 2 * Math.sqrt(2 / Math.PI), GELU_C3 = 0.044715 * GELU_C1;

function _floatInputs(args: _Args, names: readonly string[]): tf.TensorInfo[] {
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  return names.map((n) => {
    const t = inputs[n];
    if (t === undefined || t.dtype !== "float32") {
      throw new Error(`fused kernel: input "${n}" must be a float32 tensor, found ${t?.dtype}`);
    }
    return t;
  });
}

/**
 * `σ(u)`, `u = x·(c3·x² + c1)`, for the GELU kernels: `u` in one JS pass (float32 rounding at each
 * step, as the composite and the KV-cache decoder), then the backend's vectorised Sigmoid (V8's
 * `Math.exp` costs ~20 ns an element, 5x the whole Sigmoid kernel). The caller disposes it.
 */
function _geluSigmoid(args: _Args, x: tf.TensorInfo): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackendInternals;
  const u = backend.makeOutput(x.shape, "float32");
  const c1 = Math.fround(GELU_C1), c3 = Math.fround(GELU_C3);
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const uv = backend.typedArrayFromHeap(u) as Float32Array;
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    uv[i] = v * Math.fround(Math.fround(Math.fround(v * v) * c3) + c1);
  }
  const sigmoid = tf.getKernel("Sigmoid", "wasm");
  if (sigmoid === undefined) throw new Error("KitGelu: the wasm backend has no Sigmoid kernel");
  const s = sigmoid.kernelFunc({ inputs: { x: u }, backend: args.backend, attrs: {} });
  backend.disposeData(u.dataId);
  return s as tf.TensorInfo;
}

/**
 * Register the {@link FUSED_KERNELS} for the wasm backend, in JS over views of the heap: the
 * GELU forward and backward are two passes around the backend's Sigmoid kernel (the composite
 * forms take 6 and about 10 kernels), the softmax gradient and LayerNorm one pass per row
 * (composites: 4 and about 10 kernels). They agree with the float32 composites to rounding (the
 * GELU forward rounds like the composite, step by step). `initBackend` (lib/backend.ts) puts oneDNN's
 * versions (lib/_dnnl_kernels.ts) in front of them where oneDNN loads. Idempotent.
 *
 * @returns the names of the kernels this call registered.
 */
export function registerWasmFusedKernels(): string[] {
  const kernels: Record<string, tf.KernelFunc> = {
    [FUSED_KERNELS.gelu]: (args) => {
      const [x] = _floatInputs(args, ["x"]);
      const backend = args.backend as unknown as WasmBackendInternals;
      const s = _geluSigmoid(args, x);
      const y = backend.makeOutput(x.shape, "float32");
      const xv = backend.typedArrayFromHeap(x) as Float32Array;
      const sv = backend.typedArrayFromHeap(s) as Float32Array;
      const yv = backend.typedArrayFromHeap(y) as Float32Array;
      for (let i = 0; i < xv.length; i++) yv[i] = xv[i] * sv[i];
      backend.disposeData(s.dataId);
      return y;
    },
    [FUSED_KERNELS.geluGrad]: (args) => {
      const [x, dy] = _floatInputs(args, ["x", "dy"]);
      const backend = args.backend as unknown as WasmBackendInternals;
      const s = _geluSigmoid(args, x);
      const dx = backend.makeOutput(x.shape, "float32");
      const xv = backend.typedArrayFromHeap(x) as Float32Array;
      const sv = backend.typedArrayFromHeap(s) as Float32Array;
      const gv = backend.typedArrayFromHeap(dy) as Float32Array;
      const dv = backend.typedArrayFromHeap(dx) as Float32Array;
      for (let i = 0; i < xv.length; i++) {
        const v = xv[i], sig = sv[i];
        dv[i] = gv[i] * (sig + v * sig * (1 - sig) * (GELU_C1 + 3 * GELU_C3 * v * v));
      }
      backend.disposeData(s.dataId);
      return dx;
    },
    [FUSED_KERNELS.softmaxGrad]: (args) => {
      const [y, dy] = _floatInputs(args, ["y", "dy"]);
      const backend = args.backend as unknown as WasmBackendInternals;
      const dx = backend.makeOutput(y.shape, "float32");
      const yv = backend.typedArrayFromHeap(y) as Float32Array;
      const gv = backend.typedArrayFromHeap(dy) as Float32Array;
      const dv = backend.typedArrayFromHeap(dx) as Float32Array;
      const n = y.shape[y.shape.length - 1];
      for (let o = 0; o < yv.length; o += n) {
        let dot = 0;
        for (let j = o; j < o + n; j++) dot += gv[j] * yv[j];
        for (let j = o; j < o + n; j++) dv[j] = yv[j] * (gv[j] - dot);
      }
      return dx;
    },
    [FUSED_KERNELS.layerNorm]: (args) => {
      const [x, gamma, beta] = _floatInputs(args, ["x", "gamma", "beta"]);
      const eps = (args.attrs as unknown as { eps: number }).eps;
      const backend = args.backend as unknown as WasmBackendInternals;
      const D = x.shape[x.shape.length - 1];
      const N = tf.util.sizeFromShape(x.shape) / D;
      const y = backend.makeOutput(x.shape, "float32");
      const mean = backend.makeOutput([...x.shape.slice(0, -1), 1], "float32");
      const variance = backend.makeOutput([...x.shape.slice(0, -1), 1], "float32");
      const [xv, gv, bv, yv, mv, vv] = [x, gamma, beta, y, mean, variance].map((t) =>
        backend.typedArrayFromHeap(t) as Float32Array
      );
      layerNormRows({
        x: xv,
        out: yv,
        rows: N,
        width: D,
        gamma: gv,
        beta: bv,
        eps,
        mean: mv,
        variance: vv,
      });
      return [y, mean, variance];
    },
    [FUSED_KERNELS.layerNormGrad]: (args) => {
      const [dy, x, mean, variance, gamma] = _floatInputs(
        args,
        ["dy", "x", "mean", "variance", "gamma"],
      );
      const eps = (args.attrs as unknown as { eps: number }).eps;
      const backend = args.backend as unknown as WasmBackendInternals;
      const D = dy.shape[dy.shape.length - 1];
      const N = tf.util.sizeFromShape(dy.shape) / D;
      const dx = backend.makeOutput(dy.shape, "float32");
      const dgamma = backend.makeOutput(gamma.shape, "float32");
      const dbeta = backend.makeOutput(gamma.shape, "float32");
      const [gv, xv, mv, vv, wv, ov] = [dy, x, mean, variance, gamma, dx].map((t) =>
        backend.typedArrayFromHeap(t) as Float32Array
      );
      const sg = new Float64Array(D), sb = new Float64Array(D), norm = new Float32Array(D);
      for (let n = 0; n < N; n++) {
        const o = n * D, m = mv[n], r = _rstd(vv[n], eps);
        let mg = 0, mgh = 0; // Σ dy·gamma and Σ dy·gamma·norm over the row
        for (let d = 0; d < D; d++) {
          // The forward's normalised value, recomputed with the forward's rounding.
          const h = norm[d] = Math.fround(Math.fround(xv[o + d] - m) * r);
          const g = gv[o + d], gw = g * wv[d];
          mg += gw;
          mgh += gw * h;
          sg[d] += g * h;
          sb[d] += g;
        }
        mg /= D;
        mgh /= D;
        for (let d = 0; d < D; d++) ov[o + d] = r * (gv[o + d] * wv[d] - mg - norm[d] * mgh);
      }
      backend.typedArrayFromHeap(dgamma).set(sg);
      backend.typedArrayFromHeap(dbeta).set(sb);
      return [dx, dgamma, dbeta];
    },
  };
  const added: string[] = [];
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, "wasm") !== undefined) continue;
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: Object.assign(kernelFunc, { [KIT_KERNEL]: true }),
    });
    added.push(kernelName);
  }
  return added;
}
