/**
 * wasm-backend kernels that run on oneDNN (lib/_native_dnnl.ts) on zero-copy views of the heap:
 * the fused GELU, softmax-gradient and LayerNorm kernels of lib/_wasm_kernels.ts
 * (`FUSED_KERNELS`, same contracts), and tfjs' `Softmax`, `Exp`, `Transpose` and the broadcast
 * `Add`, `Sub` and `Multiply`. Each falls back to the kernel it replaces for what oneDNN is not
 * given here: other dtypes, tensors under {@link DNNL_MIN_ELEMENTS} elements (where a native call
 * costs more than it saves), softmax over another axis, and two-sided broadcasts.
 *
 * Measured on the project's 2-core Xeon, one reference LM step (bench/train_bench.ts
 * `--profile`): these kernels took about 0.75 CPU-s in the JS and wasm forms.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BinaryAlg, OneDnn } from "./_native_dnnl.ts";
import { FUSED_KERNELS, simplifyPermutation, type WasmBackendInternals } from "./_wasm_kernels.ts";

/** Tensors smaller than this (in elements) stay on the kernel oneDNN replaces. */
export const DNNL_MIN_ELEMENTS = 16384;

/** The kernels {@link oneDnnKernels} provides, in registration order. */
export const ONEDNN_KERNELS = [
  FUSED_KERNELS.gelu,
  FUSED_KERNELS.geluGrad,
  FUSED_KERNELS.softmaxGrad,
  FUSED_KERNELS.layerNorm,
  FUSED_KERNELS.layerNormGrad,
  "Softmax",
  "Exp",
  "Transpose",
  "Add",
  "Sub",
  "Multiply",
] as const;

type _Args = Parameters<tf.KernelFunc>[0];

/**
 * The {@link ONEDNN_KERNELS} on `dnn`; `fallback(name)` is the kernel each replaces (called for
 * what oneDNN is not given).
 */
export function oneDnnKernels(
  dnn: OneDnn,
  fallback: (name: string) => tf.KernelFunc,
): Record<(typeof ONEDNN_KERNELS)[number], tf.KernelFunc> {
  const binary = (alg: BinaryAlg, commutative: boolean) => {
    const original = fallback(alg === "add" ? "Add" : alg === "sub" ? "Sub" : "Multiply");
    return (args: _Args) => {
      let { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== "float32" || b.dtype !== "float32") return original(args);
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const size = tf.util.sizeFromShape(shape);
      if (size < DNNL_MIN_ELEMENTS) return original(args);
      // oneDNN broadcasts the second operand only.
      if (tf.util.sizeFromShape(a.shape) !== size) {
        if (!commutative || tf.util.sizeFromShape(b.shape) !== size) return original(args);
        [a, b] = [b, a];
      }
      const bDims = [...new Array(shape.length - b.shape.length).fill(1), ...b.shape];
      const backend = args.backend as unknown as WasmBackendInternals;
      const out = backend.makeOutput(shape, "float32");
      dnn.binary({
        alg,
        a: _view(backend, a),
        aDims: shape,
        b: _view(backend, b),
        bDims,
        out: _view(backend, out),
      });
      return out;
    };
  };
  const softmax = fallback("Softmax");
  const exp = fallback("Exp");
  const transpose = fallback("Transpose");
  const gelu = fallback(FUSED_KERNELS.gelu);
  const geluGrad = fallback(FUSED_KERNELS.geluGrad);
  const softmaxGrad = fallback(FUSED_KERNELS.softmaxGrad);
  const layerNorm = fallback(FUSED_KERNELS.layerNorm);
  const layerNormGrad = fallback(FUSED_KERNELS.layerNormGrad);
  return {
    [FUSED_KERNELS.gelu]: (args: _Args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (!_large(x)) return gelu(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const y = backend.makeOutput(x.shape, "float32");
      dnn.eltwise("gelu_tanh", _view(backend, x), _view(backend, y));
      return y;
    },
    [FUSED_KERNELS.geluGrad]: (args: _Args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      if (!_large(x) || dy.dtype !== "float32") return geluGrad(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const dx = backend.makeOutput(x.shape, "float32");
      dnn.eltwiseBackward({
        alg: "gelu_tanh",
        x: _view(backend, x),
        dy: _view(backend, dy),
        dx: _view(backend, dx),
      });
      return dx;
    },
    [FUSED_KERNELS.softmaxGrad]: (args: _Args) => {
      const { y, dy } = args.inputs as { y: tf.TensorInfo; dy: tf.TensorInfo };
      if (!_large(y) || dy.dtype !== "float32") return softmaxGrad(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const dx = backend.makeOutput(y.shape, "float32");
      const cols = y.shape[y.shape.length - 1];
      dnn.softmaxBackward({
        y: _view(backend, y),
        dy: _view(backend, dy),
        dx: _view(backend, dx),
        rows: tf.util.sizeFromShape(y.shape) / cols,
        cols,
      });
      return dx;
    },
    [FUSED_KERNELS.layerNorm]: (args: _Args) => {
      const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
      if (!_large(x) || gamma.dtype !== "float32" || beta.dtype !== "float32") {
        return layerNorm(args);
      }
      const eps = (args.attrs as unknown as { eps: number }).eps;
      const backend = args.backend as unknown as WasmBackendInternals;
      const cols = x.shape[x.shape.length - 1];
      const statShape = [...x.shape.slice(0, -1), 1];
      const y = backend.makeOutput(x.shape, "float32");
      const mean = backend.makeOutput(statShape, "float32");
      const variance = backend.makeOutput(statShape, "float32");
      dnn.layerNorm({
        x: _view(backend, x),
        gamma: _view(backend, gamma),
        beta: _view(backend, beta),
        eps,
        y: _view(backend, y),
        mean: _view(backend, mean),
        variance: _view(backend, variance),
        rows: tf.util.sizeFromShape(x.shape) / cols,
        cols,
      });
      return [y, mean, variance];
    },
    [FUSED_KERNELS.layerNormGrad]: (args: _Args) => {
      const { dy, x, mean, variance, gamma } = args.inputs as Record<string, tf.TensorInfo>;
      if (!_large(x) || [dy, mean, variance, gamma].some((t) => t.dtype !== "float32")) {
        return layerNormGrad(args);
      }
      const eps = (args.attrs as unknown as { eps: number }).eps;
      const backend = args.backend as unknown as WasmBackendInternals;
      const cols = x.shape[x.shape.length - 1];
      const dx = backend.makeOutput(x.shape, "float32");
      const dgamma = backend.makeOutput(gamma.shape, "float32");
      const dbeta = backend.makeOutput(gamma.shape, "float32");
      dnn.layerNormBackward({
        dy: _view(backend, dy),
        x: _view(backend, x),
        mean: _view(backend, mean),
        variance: _view(backend, variance),
        gamma: _view(backend, gamma),
        eps,
        dx: _view(backend, dx),
        dgamma: _view(backend, dgamma),
        dbeta: _view(backend, dbeta),
        rows: tf.util.sizeFromShape(x.shape) / cols,
        cols,
      });
      return [dx, dgamma, dbeta];
    },
    Softmax: (args: _Args) => {
      const x = args.inputs.logits as tf.TensorInfo;
      const dim = (args.attrs as unknown as { dim: number }).dim;
      const rank = x.shape.length;
      if (!_large(x) || (dim !== -1 && dim !== rank - 1)) return softmax(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const y = backend.makeOutput(x.shape, "float32");
      const cols = x.shape[rank - 1];
      dnn.softmax({
        x: _view(backend, x),
        y: _view(backend, y),
        rows: tf.util.sizeFromShape(x.shape) / cols,
        cols,
      });
      return y;
    },
    Exp: (args: _Args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (!_large(x)) return exp(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const y = backend.makeOutput(x.shape, "float32");
      dnn.eltwise("exp", _view(backend, x), _view(backend, y));
      return y;
    },
    Transpose: (args: _Args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const perm = (args.attrs as unknown as { perm: number[] }).perm;
      if (!_large(x)) return transpose(args);
      const [dims, p] = simplifyPermutation(x.shape, perm);
      if (p.length <= 1) return transpose(args); // a relabelling: shares the buffer
      const backend = args.backend as unknown as WasmBackendInternals;
      const out = backend.makeOutput(perm.map((a) => x.shape[a]), "float32");
      dnn.transpose({ x: _view(backend, x), dims, perm: p, out: _view(backend, out) });
      return out;
    },
    Add: binary("add", true),
    Sub: binary("sub", false),
    Multiply: binary("mul", true),
  };
}

function _large(t: tf.TensorInfo): boolean {
  return t.dtype === "float32" && tf.util.sizeFromShape(t.shape) >= DNNL_MIN_ELEMENTS;
}

/** The float32 heap view of `t` (take views after the outputs are made: allocation may move the heap). */
function _view(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}
