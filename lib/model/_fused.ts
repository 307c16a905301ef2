/**
 * The model's GELU, softmax and LayerNorm with fused kernels where the backend has them.
 *
 * On wasm, lib/backend registers {@link FUSED_KERNELS}: GELU forward and backward, the
 * softmax gradient, and LayerNorm forward (keeping the row statistics) and backward, each one
 * kernel (on oneDNN where it loads, lib/_dnnl_kernels.ts). Elsewhere (cpu, webgpu) these functions are
 * the plain tfjs compositions ({@link geluComposite}, {@link layerNormComposite}). Both forms are
 * the same functions and agree to float32 rounding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FUSED_KERNELS, GELU_C1, GELU_C3 } from "../backend/mod.ts";

function _has(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * GELU, tanh approximation (GPT-2): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, computed
 * through the identity `0.5 (1 + tanh(u)) = sigmoid(2u)` as `x * sigmoid(x (c1 + c2 x^2))` with
 * `c1 = 2 sqrt(2/pi)`, `c2 = 0.044715 c1` (wasm's vectorised Sigmoid is ~8× faster than its Tanh).
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return (_has(FUSED_KERNELS.gelu) ? _fusedGelu(x) : geluComposite(x)) as T;
}

/** {@link gelu} as tfjs ops (6 kernels), on every backend. */
export function geluComposite<T extends tf.Tensor>(x: T): T {
  const u2 = tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_C3), GELU_C1)); // 2u
  return tf.mul(x, tf.sigmoid(u2)) as T;
}

const _fusedGelu = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.engine().runKernel(FUSED_KERNELS.gelu, { x }) as tf.Tensor;
  save([x]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.engine().runKernel(FUSED_KERNELS.geluGrad, { x: saved[0], dy }) as tf.Tensor,
  };
});

/** Softmax over the last axis; its gradient is one fused kernel where the backend has it. */
export function softmaxLast<T extends tf.Tensor>(x: T): T {
  if (!_has(FUSED_KERNELS.softmaxGrad)) return tf.softmax(x, -1) as T;
  return _fusedSoftmax(x) as T;
}

const _fusedSoftmax = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.softmax(x, -1);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.engine().runKernel(FUSED_KERNELS.softmaxGrad, { y: saved[0], dy }) as tf.Tensor,
  };
});

/**
 * LayerNorm over the last axis, `(x - mean) / sqrt(var + eps) * gamma + beta` (population
 * variance, as `tf.moments`); forward and backward are one fused kernel each where the backend
 * has them.
 */
export function layerNorm<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
): T {
  if (!_has(FUSED_KERNELS.layerNorm)) return layerNormComposite(x, gamma, beta, eps);
  return _fusedLayerNorm(eps)(x, gamma, beta) as T;
}

/** {@link layerNorm} as tfjs ops, on every backend. */
export function layerNormComposite<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
): T {
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1] each
  const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(norm, gamma), beta) as T;
}

const _layerNormByEps = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

function _fusedLayerNorm(eps: number) {
  let f = _layerNormByEps.get(eps);
  if (f === undefined) {
    f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const attrs = { eps } as unknown as tf.NamedAttrMap;
      const [y, mean, variance] = tf.engine().runKernel(
        FUSED_KERNELS.layerNorm,
        { x, gamma, beta },
        attrs,
      ) as tf.Tensor[];
      save([x, mean, variance, gamma]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [x, mean, variance, gamma] = saved;
          return tf.engine().runKernel(
            FUSED_KERNELS.layerNormGrad,
            { dy, x, mean, variance, gamma },
            attrs,
          ) as tf.Tensor[];
        },
      };
    }) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    _layerNormByEps.set(eps, f);
  }
  return f;
}
