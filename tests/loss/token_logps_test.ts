import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { throws } from "node:assert/strict";
import { sequenceLogp, sequenceNll, tokenLogps } from "../../lib/loss/mod.ts";
import { assertClose } from "./_helpers.ts";

await initBackend("cpu");

// logits row [0, ln 2, ln 5]: softmax = [1, 2, 5] / 8
const logits = tf.tensor3d([[[0, Math.LN2, Math.log(5)], [0, 0, 0]]]); // [1, 2, 3]
const targets = tf.tensor2d([[2, 1]], [1, 2], "int32");

for (const method of ["closed-form", "log-softmax", "logsumexp"] as const) {
  Deno.test(`tokenLogps (${method}) gathers log-softmax at the targets`, () => {
    const l = tokenLogps(logits, targets, { method }).dataSync();
    assertClose(l[0], Math.log(5 / 8), 1e-6, "token 0");
    assertClose(l[1], Math.log(1 / 3), 1e-6, "token 1");
  });

  Deno.test(`tokenLogps (${method}) has the softmax gradient: onehot - softmax`, () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(tokenLogps(x as tf.Tensor3D, targets, { method })))(
      logits,
    ).dataSync();
    const expected = [-1 / 8, -2 / 8, 1 - 5 / 8, -1 / 3, 1 - 1 / 3, -1 / 3];
    expected.forEach((e, i) => assertClose(g[i], e, 1e-6, `grad ${i}`));
  });
}

Deno.test("tokenLogps rejects mismatched targets", () => {
  throws(
    () => tokenLogps(logits, tf.tensor2d([[1]], [1, 1], "int32")),
    /targets shape \[1,1\] does not match logits \[1, 2, 3\]/,
  );
});

Deno.test("sequenceLogp is a masked sum and an all-zero mask gives 0", () => {
  const l = tf.tensor2d([[-1, -2, -4], [-8, -16, -32]]);
  const s = sequenceLogp(l, tf.tensor2d([[1, 0, 1], [0, 0, 0]])).dataSync();
  assertClose(s[0], -5, 0, "row 0");
  assertClose(s[1], 0, 0, "row 1");
  const n = sequenceNll(l, tf.tensor2d([[1, 1, 1], [0, 0, 0]])).dataSync();
  assertClose(n[0], 7 / 3, 1e-6, "nll row 0");
  assertClose(n[1], 0, 0, "nll row 1");
  throws(() => sequenceLogp(l, tf.ones([2, 2])), /mask shape \[2,2\] does not match/);
});
