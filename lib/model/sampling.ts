/**
 * Next-token choice from one row of logits: greedy arg-max, or a seeded draw from the softmax at a
 * temperature truncated to the top-p nucleus. Shared by `generate` and the evaluation model.
 *
 * @module
 */

/**
 * Index of the largest value; the lowest index wins ties.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { argmax } from "./sampling.ts";
 * assert.equal(argmax(new Float32Array([1, 3, 3, 2])), 1);
 * ```
 */
export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/**
 * Draw from softmax(x / temperature), truncated to the smallest top-p nucleus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleTopP } from "./sampling.ts";
 * // a nucleus of 0.5 keeps only the most likely token
 * assert.equal(sampleTopP(new Float32Array([0, 5, 1]), 1, 0.5, () => 0.99), 1);
 * ```
 */
export function sampleTopP(
  x: Float32Array,
  temperature: number,
  topP: number,
  rng: () => number,
): number {
  let max = -Infinity;
  for (const v of x) if (v > max) max = v;
  const probs = new Float64Array(x.length);
  let z = 0;
  for (let i = 0; i < x.length; i++) {
    probs[i] = Math.exp((x[i] - max) / temperature);
    z += probs[i];
  }
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let keep = order.length;
  if (topP < 1) {
    let mass = 0;
    for (let k = 0; k < order.length; k++) {
      mass += probs[order[k]] / z;
      if (mass >= topP) {
        keep = k + 1;
        break;
      }
    }
  }
  let kept = 0;
  for (let k = 0; k < keep; k++) kept += probs[order[k]];
  let r = rng() * kept;
  for (let k = 0; k < keep; k++) {
    r -= probs[order[k]];
    if (r < 0) return order[k];
  }
  return order[keep - 1];
}
