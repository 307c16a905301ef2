import { initBackend } from "../../lib/backend/mod.ts";
import { throws } from "node:assert/strict";
import { dpo, targetDpo } from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf, negLogSigmoid, type PlainBatch } from "./_helpers.ts";

await initBackend("cpu");

Deno.test("dpo at margin 0 is ln 2", async () => {
  const l = [[-1.3, -0.2, -4]];
  const m = [[1, 1, 1]];
  const r = await metricsOf(dpo(inputsOf({
    policyChosen: l,
    policyRejected: [[-2, -2, -2]],
    refChosen: l,
    refRejected: [[-2, -2, -2]],
    chosenMask: m,
    rejectedMask: m,
  })));
  assertClose(r.loss, 0.6931471805599453, 1e-6, "loss");
  assertClose(r["rewards/margins"], 0, 1e-7, "margins");
});

// Two pairs, beta = 0.5, T = 3 where column 2 is padding (mask 0, garbage log-probs).
//
// pair 0: S_th(y+) = -1 - 2 = -3, S_ref(y+) = -2 - 2 = -4  -> r+ = 0.5 * ( 1) =  0.5
//         S_th(y-) = -3 - 1 = -4, S_ref(y-) = -2 - 1 = -3  -> r- = 0.5 * (-1) = -0.5
//         margin = 1,  loss_0 = -log sigmoid(1)  = ln(1 + e^-1) = 0.3132616875
// pair 1: S_th(y+) = -4, S_ref(y+) = -2 -> r+ = -1 ; S_th(y-) = -2, S_ref(y-) = -2 -> r- = 0
//         margin = -1, loss_1 = -log sigmoid(-1) = ln(1 + e^1)  = 1.3132616875
// loss = (0.3132616875 + 1.3132616875) / 2 = 0.8132616875
// rewards/chosen = (0.5 - 1) / 2 = -0.25, rewards/rejected = (-0.5 + 0) / 2 = -0.25
// rewards/margins = (1 - 1) / 2 = 0, rewards/accuracies = (1 + 0) / 2 = 0.5
// logps/chosen = (-3 - 4) / 2 = -3.5, logps/rejected = (-4 - 2) / 2 = -3
// nll = mean(3/2, 4/2) = 1.75
const twoPairs: PlainBatch = {
  policyChosen: [[-1, -2, -100], [-2, -2, -100]],
  refChosen: [[-2, -2, -50], [-1, -1, -50]],
  policyRejected: [[-3, -1, -100], [-1, -1, -100]],
  refRejected: [[-2, -1, -50], [-1, -1, -50]],
  chosenMask: [[1, 1, 0], [1, 1, 0]],
  rejectedMask: [[1, 1, 0], [1, 1, 0]],
};

Deno.test("dpo on a two-pair batch gives the hand-computed loss and TRL metrics", async () => {
  const r = await metricsOf(dpo(inputsOf(twoPairs), { beta: 0.5 }));
  assertClose(r.loss, 0.8132616875, 1e-6, "loss");
  assertClose(r.loss, (negLogSigmoid(1) + negLogSigmoid(-1)) / 2, 1e-6, "loss formula");
  assertClose(r["rewards/chosen"], -0.25, 1e-6, "rewards/chosen");
  assertClose(r["rewards/rejected"], -0.25, 1e-6, "rewards/rejected");
  assertClose(r["rewards/margins"], 0, 1e-6, "rewards/margins");
  assertClose(r["rewards/accuracies"], 0.5, 0, "rewards/accuracies");
  assertClose(r["logps/chosen"], -3.5, 1e-6, "logps/chosen");
  assertClose(r["logps/rejected"], -3, 1e-6, "logps/rejected");
  assertClose(r.nll, 1.75, 1e-6, "nll");
});

Deno.test("dpo uses beta as a scale on the rewards (default beta = 0.1)", async () => {
  // beta = 0.1: margins 0.2 and -0.2 -> loss = (ln(1+e^-0.2) + ln(1+e^0.2)) / 2
  const r = await metricsOf(dpo(inputsOf(twoPairs)));
  assertClose(r.loss, (negLogSigmoid(0.2) + negLogSigmoid(-0.2)) / 2, 1e-6, "loss");
  assertClose(r["rewards/chosen"], -0.05, 1e-6, "rewards/chosen");
});

Deno.test("targetDpo with an all-ones rejected diff mask equals dpo", async () => {
  const a = await metricsOf(dpo(inputsOf(twoPairs), { beta: 0.5 }));
  const b = await metricsOf(targetDpo(inputsOf(twoPairs), { beta: 0.5 }));
  for (const k of Object.keys(a) as (keyof typeof a)[]) assertClose(b[k], a[k]!, 1e-7, k);
});

Deno.test("targetDpo counts only the D- tokens of the rejected side", async () => {
  // rejectedDiff keeps token 0 of pair 0 and nothing of pair 1 (empty D-, `keep` policy).
  // pair 0: S_th(y-; m-) = -3, S_ref(y-; m-) = -2 -> r- = 0.5 * (-1) = -0.5; r+ = 0.5 as before
  //         margin 1 -> ln(1 + e^-1)
  // pair 1: rejected term is exactly 0; r+ = -1 -> margin -1 -> ln(1 + e^1)
  // logps/rejected = (-3 + 0) / 2 = -1.5
  const r = await metricsOf(targetDpo(
    inputsOf({ ...twoPairs, rejectedDiff: [[1, 0, 0], [0, 0, 0]] }),
    { beta: 0.5 },
  ));
  assertClose(r.loss, 0.8132616875, 1e-6, "loss");
  assertClose(r["rewards/rejected"], -0.25, 1e-6, "rewards/rejected");
  assertClose(r["logps/rejected"], -1.5, 1e-6, "logps/rejected");
  // The NLL stays over every chosen token (no diff mask).
  assertClose(r.nll, 1.75, 1e-6, "nll");
});

Deno.test("targetDpo with an empty D- under `keep` has a zero rejected term", async () => {
  // one pair: r+ = 0.1 * (-3 - (-4)) = 0.1; rejected term 0 -> loss = ln(1 + e^-0.1)
  const r = await metricsOf(targetDpo(inputsOf({
    policyChosen: [[-1, -2]],
    refChosen: [[-2, -2]],
    policyRejected: [[-7, -7]],
    refRejected: [[-1, -1]],
    chosenMask: [[1, 1]],
    rejectedMask: [[1, 1]],
    rejectedDiff: [[0, 0]],
  })));
  assertClose(r.loss, negLogSigmoid(0.1), 1e-6, "loss");
  assertClose(r["rewards/rejected"], 0, 0, "rewards/rejected");
  assertClose(r["logps/rejected"], 0, 0, "logps/rejected");
});

Deno.test("preference losses name the missing reference", () => {
  const inputs = inputsOf({ ...twoPairs, refChosen: undefined, refRejected: undefined });
  throws(() => dpo(inputs), /loss variant 'dpo' needs reference log-probs, found none/);
});
