import { initBackend } from "../../lib/backend/mod.ts";
import { rpo, targetRpo } from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf, negLogSigmoid } from "./_helpers.ts";

await initBackend("cpu");

// One pair, T = 4: the first position is a prompt token (mask 0), then 2 code tokens and EOS.
// The rejected diff mask keeps only its token 1.
const batch = {
  policyChosen: [[-9, -1, -2, -0.5]],
  refChosen: [[-9, -1, -2, -0.5]],
  policyRejected: [[-9, -1, -3, -0.5]],
  refRejected: [[-9, -1, -1, -0.5]],
  chosenMask: [[0, 1, 1, 1]],
  rejectedMask: [[0, 1, 1, 1]],
  rejectedDiff: [[0, 0, 1, 0]],
};

Deno.test("rpo adds lambda times the per-token mean NLL over chosen completion tokens", async () => {
  // DPO: r+ = 0, r- = 0.1 * (-4.5 - (-2.5)) = -0.2 -> margin 0.2 -> ln(1 + e^-0.2)
  // NLL(y+) = (1 + 2 + 0.5) / 3 (EOS included, prompt excluded) = 1.1666667
  // loss = ln(1 + e^-0.2) + 2 * 1.1666667
  const r = await metricsOf(rpo(inputsOf(batch), { lambda: 2 }));
  assertClose(r.nll, 3.5 / 3, 1e-6, "nll");
  assertClose(r.loss, negLogSigmoid(0.2) + 2 * (3.5 / 3), 1e-6, "loss");
});

Deno.test("targetRpo masks the rejected side but not the NLL", async () => {
  // rejected on D- only: r- = 0.1 * (-3 - (-1)) = -0.2 -> same margin 0.2
  // NLL ignores every diff mask: still 3.5 / 3; default lambda = 1
  const r = await metricsOf(targetRpo(inputsOf({ ...batch, chosenDiff: [[0, 0, 0, 0]] })));
  assertClose(r.loss, negLogSigmoid(0.2) + 3.5 / 3, 1e-6, "loss");
  assertClose(r["logps/rejected"], -3, 1e-6, "logps/rejected");
  assertClose(r["logps/chosen"], -3.5, 1e-6, "logps/chosen");
});

Deno.test("rpo NLL averages per pair, then over pairs", async () => {
  // pair 0: NLL = (1 + 3) / 2 = 2 ; pair 1: NLL = 6 / 1 = 6 -> nll = 4 (a token mean would be 10/3)
  const l = [[-1, -3], [-6, -100]];
  const m = [[1, 1], [1, 0]];
  const r = await metricsOf(rpo(inputsOf({
    policyChosen: l,
    refChosen: l,
    policyRejected: l,
    refRejected: l,
    chosenMask: m,
    rejectedMask: m,
  })));
  assertClose(r.nll, 4, 1e-6, "nll");
  assertClose(r.loss, Math.LN2 + 4, 1e-6, "loss");
});
