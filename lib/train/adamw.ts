/**
 * AdamW (Loshchilov & Hutter, decoupled weight decay) with global-norm gradient clipping,
 * written with tfjs ops: `tf.train.adam` has no decoupled weight decay.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Hyper-parameters of {@link AdamW}. */
export interface AdamWConfig {
  /**
   * Peak learning rate (the schedule scales it).
   * @default {3e-4}
   */
  readonly lr?: number;
  /** @default {0.9} */
  readonly beta1?: number;
  /** @default {0.999} */
  readonly beta2?: number;
  /** @default {1e-8} */
  readonly eps?: number;
  /**
   * Decoupled weight decay `wd`: `p <- p - lr * wd * p`, applied only to matrices (rank >= 2:
   * linear weights and embeddings), never to biases or LayerNorm gains/shifts (rank 1).
   * @default {0.01}
   */
  readonly weightDecay?: number;
  /**
   * Clip gradients to this global L2 norm; `0` disables clipping.
   * @default {1}
   */
  readonly gradClipNorm?: number;
}

/** {@link AdamWConfig} with every default filled in. */
export type ResolvedAdamWConfig = Required<AdamWConfig>;

/** Fills in the defaults of an {@link AdamWConfig}. */
export function resolveAdamWConfig(config: AdamWConfig = {}): ResolvedAdamWConfig {
  return {
    lr: config.lr ?? 3e-4,
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8,
    weightDecay: config.weightDecay ?? 0.01,
    gradClipNorm: config.gradClipNorm ?? 1,
  };
}

/**
 * Which variables get weight decay: rank >= 2 (matrices, embeddings), not biases or LayerNorm
 * parameters (rank 1), as in nanoGPT.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual } from "node:assert/strict";
 * import { decayMask } from "./adamw.ts";
 * deepStrictEqual(decayMask([tf.variable(tf.zeros([2, 2])), tf.variable(tf.zeros([2]))]), [true, false]);
 * ```
 */
export function decayMask(variables: readonly tf.Variable[]): boolean[] {
  return variables.map((v) => v.rank >= 2);
}

/**
 * Global L2 norm of a list of gradients and the gradients scaled to at most `maxNorm`
 * (`g * min(1, maxNorm / (norm + 1e-6))`); `maxNorm = 0` returns them unscaled.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { clipByGlobalNorm } from "./adamw.ts";
 * const { norm, grads } = clipByGlobalNorm([tf.tensor1d([3]), tf.tensor1d([4])], 1);
 * equal(norm.dataSync()[0], 5);
 * equal(Math.abs(grads[0].dataSync()[0] - 0.6) < 1e-5, true);
 * ```
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { readonly norm: tf.Scalar; readonly grads: tf.Tensor[] } {
  // A chain of adds, not tf.addN: the webgpu AddN kernel returns stale values for more than
  // about 8 inputs (more storage buffers than a shader stage may bind).
  const norm = tf.tidy(() =>
    tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b))) as tf.Scalar
  );
  if (maxNorm <= 0) return { norm, grads: grads.map((g) => tf.clone(g)) };
  const clipped = tf.tidy(() => {
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return grads.map((g) => tf.mul(g, scale));
  });
  return { norm, grads: clipped };
}

/** Serialisable optimizer state (moments in variable order). */
export interface AdamWState {
  /** Number of updates applied so far (Adam's `t`). */
  readonly step: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

/**
 * AdamW over a fixed list of variables. The update for each variable `p` with gradient `g`
 * at step `t` (1-based), learning rate `lr`:
 *
 *   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
 *   p = p - lr * wd * p          (decoupled decay, matrices only)
 *   p = p - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 */
export class AdamW {
  /** Resolved hyper-parameters. */
  readonly config: ResolvedAdamWConfig;
  readonly #vars: readonly tf.Variable[];
  readonly #decay: readonly boolean[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  #step = 0;

  constructor(variables: readonly tf.Variable[], config: AdamWConfig = {}) {
    this.config = resolveAdamWConfig(config);
    this.#vars = variables;
    this.#decay = decayMask(variables);
    this.#m = variables.map((p) => _zerosVariable(p));
    this.#v = variables.map((p) => _zerosVariable(p));
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /** Applies one update with already clipped gradients (variable order) at learning rate `lr`. */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.#vars.length) {
      throw new Error(`AdamW.apply: ${grads.length} gradients for ${this.#vars.length} variables`);
    }
    const { beta1, beta2, eps, weightDecay } = this.config;
    const t = this.#step + 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (let i = 0; i < this.#vars.length; i++) {
        const p = this.#vars[i];
        const g = grads[i];
        const m = tf.add(tf.mul(beta1, this.#m[i]), tf.mul(1 - beta1, g));
        const v = tf.add(tf.mul(beta2, this.#v[i]), tf.mul(1 - beta2, tf.square(g)));
        this.#m[i].assign(m);
        this.#v[i].assign(v);
        const decayed = this.#decay[i] && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        p.assign(tf.sub(decayed, tf.mul(lr, update)));
      }
    });
    this.#step = t;
  }

  /** Reads the moments back (for checkpoints). */
  async getState(): Promise<AdamWState> {
    const m = await Promise.all(this.#m.map((x) => x.data() as Promise<Float32Array>));
    const v = await Promise.all(this.#v.map((x) => x.data() as Promise<Float32Array>));
    return { step: this.#step, m, v };
  }

  /** Restores moments and step saved by {@link getState}; sizes must match. */
  setState(state: AdamWState): void {
    for (const [name, list, vars] of [["m", state.m, this.#m], ["v", state.v, this.#v]] as const) {
      if (list.length !== vars.length) {
        throw new Error(
          `AdamW.setState: ${name} has ${list.length} entries, expected ${vars.length}`,
        );
      }
      list.forEach((data, i) => {
        if (data.length !== vars[i].size) {
          throw new Error(
            `AdamW.setState: ${name}[${i}] has ${data.length} values, expected ${vars[i].size} ` +
              `(shape [${vars[i].shape}])`,
          );
        }
        tf.tidy(() => vars[i].assign(tf.tensor(data, vars[i].shape, "float32")));
      });
    }
    this.#step = state.step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    tf.dispose([...this.#m, ...this.#v]);
  }
}

/** A non-trainable zero variable shaped like `p` (the temporary zeros tensor is freed). */
function _zerosVariable(p: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(p);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}
