/**
 * Per-token log-probabilities `l_i = log pi(y_i | x, y_<i)` gathered from logits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * How the target log-prob is gathered (none uses `gatherND`, which has no gradient in tfjs):
 * - `closed-form`: forward `sum_v(logSoftmax(logits) * onehot)`, with the hand-written gradient
 *   `dL/dlogits = dy * (onehot - softmax)`; fastest on wasm (bench/train_bench.ts);
 * - `log-softmax`: the same forward, differentiated by tfjs;
 * - `logsumexp`: `sum_v(logits * onehot) - logsumexp(logits)`, differentiated by tfjs (its
 *   `max` gradient makes the backward pass about 6x slower on wasm).
 */
export type TokenLogpsMethod = "closed-form" | "log-softmax" | "logsumexp";

/** Options of {@link tokenLogps}. */
export interface TokenLogpsOptions {
  /**
   * Gathering formulation; all three agree to float32 rounding, values and gradients.
   * @default {"closed-form"}
   */
  readonly method?: TokenLogpsMethod;
}

/**
 * Log-softmax of `logits` gathered at `targets`, differentiable with respect to `logits`.
 *
 * @param logits `[B, T, V]` next-token logits.
 * @param targets `[B, T]` int32 target ids (padding positions may hold any valid id; mask them).
 * @returns `[B, T]` log-probabilities.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { tokenLogps } from "./token_logps.ts";
 * // uniform logits over V = 2: every token has log-prob ln(1/2)
 * const l = tokenLogps(tf.zeros([1, 1, 2]) as tf.Tensor3D, tf.tensor2d([[1]], [1, 1], "int32"));
 * equal(Math.abs(l.dataSync()[0] - Math.log(0.5)) < 1e-6, true);
 * ```
 */
export function tokenLogps(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  options: TokenLogpsOptions = {},
): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  if (targets.shape[0] !== b || targets.shape[1] !== t) {
    throw new Error(
      `tokenLogps: targets shape [${targets.shape}] does not match logits [${b}, ${t}, ${v}]`,
    );
  }
  const method = options.method ?? "closed-form";
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(targets, "int32"), v).toFloat(); // [B, T, V], constant
    switch (method) {
      case "closed-form":
        return _closedForm(logits, oneHot as tf.Tensor3D);
      case "log-softmax":
        return tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHot), -1) as tf.Tensor2D; // [B, T]
      case "logsumexp": {
        const picked = tf.sum(tf.mul(logits, oneHot), -1); // [B, T]
        return tf.sub(picked, tf.logSumExp(logits, -1)) as tf.Tensor2D; // [B, T]
      }
      default: {
        const unknown: never = method;
        throw new Error(`tokenLogps: unknown method ${JSON.stringify(unknown)}`);
      }
    }
  });
}

/** `sum_v(logSoftmax(x) * oneHot)` with gradient `dy * (oneHot - softmax(x))` (none to oneHot). */
const _closedForm = tf.customGrad(
  // The one-hot is an input (not a closure) so the tape keeps it alive until the backward pass.
  ((x: tf.Tensor, oneHot: tf.Tensor, save: tf.GradSaveFunc) => {
    const logSoftmax = tf.logSoftmax(x, -1); // [B, T, V]
    save([logSoftmax, oneHot]);
    return {
      value: tf.sum(tf.mul(logSoftmax, oneHot), -1), // [B, T]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ls, oh] = saved;
        const dx = tf.mul(tf.expandDims(dy, -1), tf.sub(oh, tf.exp(ls))); // [B, T, V]
        return [dx, tf.zerosLike(oh)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (x: tf.Tensor3D, oneHot: tf.Tensor3D) => tf.Tensor2D;

/** Options of {@link headTokenLogps}. */
export interface HeadTokenLogpsOptions {
  /**
   * Rows per chunk: at most `[chunkRows, V]` logits exist at a time, forward or backward.
   * @default {256}
   */
  readonly chunkRows?: number;
  /**
   * Differentiate with respect to `head` too (full fine-tuning); otherwise it is a constant.
   * @default {false}
   */
  readonly trainHead?: boolean;
}

/**
 * Log-probs of `targets` under the logits `hidden · head`, computed in row chunks so the
 * `[N, V]` logits are never held whole (a 152k vocabulary): `l_n = h_n·w_{t_n} - logsumexp(h_n·W)`.
 * With `trainHead` the backward pass recomputes each chunk's softmax `p` and returns
 * `dh = (dy · (onehot - p)) · Wᵀ` and `dW = hᵀ · (dy · (onehot - p))`; with a constant head the
 * forward pass computes `(onehot - p) · Wᵀ` while a tape records, and the backward pass scales it.
 *
 * @param hidden `[N, H]` final hidden states.
 * @param head `[H, V]` LM head (kept transposed; it must outlive the backward pass).
 * @param targets `N` target ids.
 * @returns `[N]` log-probabilities.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { headTokenLogps } from "./token_logps.ts";
 * const l = headTokenLogps(tf.ones([3, 2]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D,
 *   Int32Array.of(0, 1, 3), { chunkRows: 2 });
 * equal(Math.abs(l.dataSync()[2] - Math.log(1 / 4)) < 1e-6, true);
 * ```
 */
export function headTokenLogps(
  hidden: tf.Tensor2D,
  head: tf.Tensor2D,
  targets: Int32Array,
  options: HeadTokenLogpsOptions = {},
): tf.Tensor1D {
  const n = hidden.shape[0];
  if (targets.length !== n) {
    throw new Error(`headTokenLogps: ${targets.length} targets for ${n} rows`);
  }
  const rows = options.chunkRows ?? 256;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`headTokenLogps: chunkRows must be an integer >= 1, found ${rows}`);
  }
  const chunks: [number, number][] = [];
  for (let s = 0; s < n; s += rows) chunks.push([s, Math.min(n, s + rows)]);
  // Each chunk in its own scope, so one chunk's [c, V] logits exist at a time.
  const logits = (h: tf.Tensor, w: tf.Tensor, [s, e]: [number, number]) => {
    const hc = tf.slice(h, [s, 0], [e - s, -1]) as tf.Tensor2D;
    const t = tf.tensor1d(targets.subarray(s, e), "int32");
    return { hc, t, logits: tf.matMul(hc, w) }; // [c, V]
  };
  /**
   * Chunk `c`'s log-probs and, with `withGrad`, their gradients `w_t - p·Wᵀ` (`[c, H]`, for a
   * constant head). Two `[c, V]` tensors at most: the logits and their softmax `p`;
   * `logsumexp(z) = max(z) - log(max(p))`, and `max(p) >= 1/V`, so its logarithm loses nothing.
   */
  const logps = (h: tf.Tensor, w: tf.Tensor, c: [number, number], withGrad: boolean) =>
    tf.tidy(() => {
      const { hc, t, logits: z } = logits(h, w, c);
      const wt = tf.transpose(tf.gather(w, t, 1)); // [c, H]
      const zMax = tf.max(z, -1);
      const p = tf.softmax(z);
      z.dispose();
      const lse = tf.sub(zMax, tf.log(tf.max(p, -1)));
      const logp = tf.sub(tf.sum(tf.mul(hc, wt), -1), lse);
      return withGrad ? [logp, tf.sub(wt, tf.matMul(p, w, false, true))] : [logp];
    });
  const forward = (h: tf.Tensor, w: tf.Tensor) =>
    _concatDisposing(chunks.map((c) => logps(h, w, c, false)[0])) as tf.Tensor1D;
  /** `dh` of every chunk and, with `dw`, `hᵀ·g` summed into it; `g = dy · (onehot - softmax)`. */
  const backward = (h: tf.Tensor, w: tf.Tensor, dy: tf.Tensor, withDw: boolean) => {
    let dw: tf.Tensor | null = null;
    const dh = chunks.map((c) =>
      tf.tidy(() => {
        const { hc, t, logits: z } = logits(h, w, c);
        const dyc = tf.reshape(tf.slice(dy, [c[0]], [c[1] - c[0]]), [-1, 1]);
        const g = tf.mul(tf.sub(tf.oneHot(t, w.shape[1]!), tf.softmax(z)), dyc); // [c, V]
        if (withDw) {
          const prev = dw;
          dw = tf.keep(
            prev === null ? tf.matMul(hc, g, true) : tf.add(prev, tf.matMul(hc, g, true)),
          );
          if (prev !== null) prev.dispose();
        }
        return tf.matMul(g, w, false, true); // [c, H]
      })
    );
    const out = tf.concat(dh);
    tf.dispose(dh);
    return { dh: out, dw: dw as tf.Tensor | null };
  };
  if (!options.trainHead) {
    return _frozenHeadLogps(hidden, chunks, (h, c, withGrad) => logps(h, head, c, withGrad));
  }
  const f = tf.customGrad(
    ((h: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
      save([h, w]);
      return {
        value: forward(h, w),
        gradFunc: (dy: tf.Tensor, [hs, ws]: tf.Tensor[]) => {
          const { dh, dw } = backward(hs, ws, dy, true);
          return [dh, dw!];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (f as unknown as (h: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor1D)(hidden, head);
}

/**
 * {@linkcode headTokenLogps} with a constant head. A row's log-prob depends on its hidden state
 * alone, so its gradient `(onehot - p)·Wᵀ = w_t - p·Wᵀ` (`[H]`) is known in the forward pass:
 * while a tape records, each chunk computes it beside its log-probs and the backward pass only
 * scales it by `dy`, instead of computing the `[c, V]` logits a second time. Without a tape
 * (reference log-probs, evaluation) only the log-probs are computed.
 */
function _frozenHeadLogps(
  hidden: tf.Tensor2D,
  chunks: readonly [number, number][],
  logps: (h: tf.Tensor, c: [number, number], withGrad: boolean) => tf.Tensor[],
): tf.Tensor1D {
  const taping = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
  if (!taping) {
    return _concatDisposing(chunks.map((c) => logps(hidden, c, false)[0])) as tf.Tensor1D;
  }
  const f = tf.customGrad(
    ((h: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const parts = chunks.map((c) => logps(h, c, true));
      save([tf.concat(parts.map((p) => p[1]))]); // [N, H], the gradient of each row's log-prob
      return {
        value: tf.concat(parts.map((p) => p[0])),
        gradFunc: (dy: tf.Tensor, [grad]: tf.Tensor[]) => [tf.mul(grad, tf.reshape(dy, [-1, 1]))],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return (f as unknown as (h: tf.Tensor2D) => tf.Tensor1D)(hidden);
}

/** `tf.concat(parts)`, the parts disposed. */
function _concatDisposing(parts: tf.Tensor[]): tf.Tensor {
  const out = tf.concat(parts);
  tf.dispose(parts);
  return out;
}
