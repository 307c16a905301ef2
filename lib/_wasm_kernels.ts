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
  incRef(dataId: tf.DataId): void;
  disposeData(dataId: tf.DataId): boolean;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
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

/**
 * `Sum` over the leading `r` axes (`r < rank`) of a float32 tensor by row accumulation:
 * `acc[j] += x[i, j]` for `i = 0, 1, …` in float32, the order wasm's own loop uses after its
 * transpose, so results are bit-identical. Other reductions go to the original kernel.
 */
export function leadingAxesSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as {
      axis: number | number[];
      keepDims: boolean;
    };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const r = axes.length;
    if (x.dtype !== "float32" || r === 0 || r >= rank || axes.some((a, i) => a !== i)) {
      return original(args);
    }
    const backend = args.backend as unknown as WasmBackendInternals;
    const rows = tf.util.sizeFromShape(x.shape.slice(0, r));
    const inner = tf.util.sizeFromShape(x.shape.slice(r));
    const outShape = keepDims ? [...x.shape.slice(0, r).map(() => 1), ...x.shape.slice(r)] : x
      .shape.slice(r);
    const out = backend.makeOutput(outShape, "float32");
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const acc = backend.typedArrayFromHeap(out) as Float32Array;
    acc.fill(0);
    for (let i = 0; i < rows; i++) {
      const o = i * inner;
      for (let j = 0; j < inner; j++) acc[j] += src[o + j];
    }
    return out;
  };
}

/** Cache block of the 2-D transpose (elements per side). */
const _BLOCK = 32;

/** `dst[b, j, i] = src[b, i, j]` for `batch` row-major `[m, n]` matrices (cache-blocked). */
export function transposeBlocks(
  src: Float32Array | Int32Array | Uint8Array,
  dst: Float32Array | Int32Array | Uint8Array,
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
function _simplifyPermutation(shape: number[], perm: number[]): [number[], number[]] {
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
    const [shape, p] = _simplifyPermutation(x.shape, perm);
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
    const out = backend.makeOutput(outShape, x.dtype);
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
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
    const idx = new Array<number>(k - 1).fill(0);
    let offset = 0;
    for (let r = 0; r < nRows; r++) {
      const o = r * row;
      for (let j = 0; j < row; j++) dst[o + j] = src[offset + j];
      // Increment the multi-index (last output axis fastest) and the input offset with it.
      for (let d = k - 2; d >= 0; d--) {
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

/**
 * `BatchMatMul` on XNNPACK for every form: operands flagged for transposition are transposed
 * (cache-blocked), then each batch entry runs the backend's fast untransposed 2-D product on
 * zero-copy views of the heap, writing straight into the output. Broadcasting a batch of 1
 * against N is supported; other broadcasts and non-float32 go to the original kernel.
 */
export function xnnBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args: _Args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
    };
    const ra = a.shape.length, rb = b.shape.length;
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    if (
      a.dtype !== "float32" || b.dtype !== "float32" ||
      (batchA !== batchB && batchA !== 1 && batchB !== 1) ||
      (!transposeA && !transposeB && batchA === 1 && batchB === 1)
    ) {
      return original(args);
    }
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
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(
      a.shape.slice(0, -2),
      b.shape.slice(0, -2),
    );
    const batch = Math.max(batchA, batchB);
    if (tf.util.sizeFromShape(outer) !== batch || m * n * k === 0) {
      return original(args); // a two-sided broadcast ([2, 1] with [1, 2]) or an empty product
    }
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
        backend.typedArrayFromHeap(t),
        backend.typedArrayFromHeap(info),
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
          backend.typedArrayFromHeap(res),
          backend.typedArrayFromHeap(out),
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
