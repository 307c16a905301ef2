import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { initBackend } from "../../lib/backend/mod.ts";
import { AdamW, clipByGlobalNorm, cosineWithWarmup, decayMask } from "../../lib/train/mod.ts";

await initBackend("cpu");

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  expected.forEach((e, i) => {
    if (!(Math.abs(actual[i] - e) <= tol)) {
      throw new Error(`${what}[${i}]: expected ${e} ± ${tol}, found ${actual[i]}`);
    }
  });
}

Deno.test("AdamW: first two steps match the hand-computed update, decay on matrices only", () => {
  const w = tf.variable(tf.tensor2d([[1, -2]]), true); // rank 2: decayed
  const b = tf.variable(tf.tensor1d([0.5]), true); // rank 1: not decayed
  deepStrictEqual(decayMask([w, b]), [true, false]);
  const opt = new AdamW([w, b], { lr: 0.1, weightDecay: 0.5, eps: 0, beta1: 0.9, beta2: 0.999 });
  // step 1, g_w = [2, -4], g_b = [1]: m_hat = g, v_hat = g^2 -> update = sign(g)
  // w = [1, -2] * (1 - 0.1*0.5) - 0.1 * [1, -1] = [0.95 - 0.1, -1.9 + 0.1] = [0.85, -1.8]
  // b = 0.5 - 0.1 * 1 = 0.4
  opt.apply([tf.tensor2d([[2, -4]]), tf.tensor1d([1])], 0.1);
  close(w.dataSync(), [0.85, -1.8], 1e-6, "w after step 1");
  close(b.dataSync(), [0.4], 1e-6, "b after step 1");
  // step 2, g_b = [3]: m = 0.9*0.1 + 0.1*3 = 0.39, v = 0.999*0.001 + 0.001*9 = 0.009999
  // m_hat = 0.39 / (1 - 0.81) = 2.0526316, v_hat = 0.009999 / (1 - 0.998001) = 5.0020010
  // b = 0.4 - 0.1 * 2.0526316 / sqrt(5.0020010) = 0.4 - 0.0917772 = 0.3082228
  opt.apply([tf.tensor2d([[0, 0]]), tf.tensor1d([3])], 0.1);
  close(b.dataSync(), [0.3082228], 1e-6, "b after step 2");
  equal(opt.step, 2);
  opt.dispose();
});

Deno.test("AdamW state round-trips and restores the same next update", async () => {
  const make = () => tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true);
  const a = make();
  const optA = new AdamW([a], { lr: 0.01 });
  optA.apply([tf.tensor2d([[1, -1], [0.5, 2]])], 0.01);
  const state = await optA.getState();
  const b = tf.variable(tf.tensor(a.dataSync(), [2, 2]), true);
  const optB = new AdamW([b], { lr: 0.01 });
  optB.setState(state);
  const g = tf.tensor2d([[0.3, 0.1], [-2, 1]]);
  optA.apply([g], 0.01);
  optB.apply([g], 0.01);
  deepStrictEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  throws(() => optB.setState({ step: 1, m: [new Float32Array(3)], v: [new Float32Array(4)] }), {
    message: "AdamW.setState: m[0] has 3 values, expected 4 (shape [2,2])",
  });
});

Deno.test("clipByGlobalNorm scales to the max norm and leaves small gradients alone", () => {
  // norm of [3, 4] and [12] = sqrt(9 + 16 + 144) = 13
  const { norm, grads } = clipByGlobalNorm([tf.tensor1d([3, 4]), tf.tensor1d([12])], 1);
  close(norm.dataSync(), [13], 1e-5, "norm");
  close(grads[0].dataSync(), [3 / 13, 4 / 13], 1e-6, "clipped 0");
  close(grads[1].dataSync(), [12 / 13], 1e-6, "clipped 1");
  const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
  close(small.grads[0].dataSync(), [0.3, 0.4], 1e-6, "unclipped");
});

Deno.test("cosineWithWarmup: 3% warm-up then cosine to minLrRatio", () => {
  // 200 steps: W = ceil(6) = 6
  close([cosineWithWarmup(0, 200, 1)], [1 / 6], 1e-12, "warm-up start");
  close([cosineWithWarmup(5, 200, 1)], [1], 1e-12, "warm-up end");
  close([cosineWithWarmup(6, 200, 1)], [1], 1e-12, "peak");
  // halfway through the decay: (6 + 97) -> 0.5
  close([cosineWithWarmup(103, 200, 1)], [0.5], 1e-12, "half");
  close([cosineWithWarmup(200, 200, 1, { minLrRatio: 0.1 })], [0.1], 1e-12, "end");
  close([cosineWithWarmup(0, 10, 2, { warmupFraction: 0 })], [2], 1e-12, "no warm-up");
  throws(() => cosineWithWarmup(0, 10, 1, { warmupFraction: 2 }), /warmupFraction must be in/);
});
