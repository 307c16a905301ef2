import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { languageModelLoss, sftChosen, sftRejected } from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf } from "./_helpers.ts";

await initBackend("cpu");

const batch = {
  policyChosen: [[-1, -2, -3], [-4, -100, -100]],
  policyRejected: [[-2, -2, -2], [-1, -5, -100]],
  chosenMask: [[1, 1, 1], [1, 0, 0]],
  rejectedMask: [[1, 1, 1], [1, 1, 0]],
};

Deno.test("sftChosen is the per-sequence mean NLL of y+, averaged over pairs", async () => {
  // pair 0: (1+2+3)/3 = 2 ; pair 1: 4/1 = 4 -> 3
  const r = await metricsOf(sftChosen(inputsOf(batch)));
  assertClose(r.loss, 3, 1e-6, "loss");
  assertClose(r.nll, 3, 1e-6, "nll");
  assertClose(r["logps/chosen"], (-6 - 4) / 2, 1e-6, "logps/chosen");
  assertClose(r["rewards/chosen"] ?? 0, 0, 0, "no rewards without reference");
});

Deno.test("sftRejected is the NLL of y-, and nll still reports y+", async () => {
  // pair 0: 6/3 = 2 ; pair 1: (1+5)/2 = 3 -> 2.5
  const r = await metricsOf(sftRejected(inputsOf(batch)));
  assertClose(r.loss, 2.5, 1e-6, "loss");
  assertClose(r.nll, 3, 1e-6, "nll");
});

Deno.test("sft reports DPO rewards when reference log-probs are given", async () => {
  // r+ = 0.1 * (S_th - S_ref): pair 0: 0.1*(-6 - -5) = -0.1, pair 1: 0.1*(-4 - -4) = 0
  const r = await metricsOf(sftChosen(inputsOf({
    ...batch,
    refChosen: [[-1, -2, -2], [-4, 0, 0]],
    refRejected: [[-2, -2, -2], [-1, -5, 0]],
  })));
  assertClose(r["rewards/chosen"], -0.05, 1e-6, "rewards/chosen");
  assertClose(r["rewards/accuracies"], 0, 0, "rewards/accuracies");
});

Deno.test("languageModelLoss is a token mean over the whole batch", async () => {
  // tokens: 1, 2, 3, 4 -> 10 / 4 = 2.5
  const r = await metricsOf(
    languageModelLoss(tf.tensor2d(batch.policyChosen), tf.tensor2d(batch.chosenMask)),
  );
  assertClose(r.loss, 2.5, 1e-6, "loss");
});
