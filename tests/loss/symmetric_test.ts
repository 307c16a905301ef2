import { initBackend } from "../../lib/backend/mod.ts";
import { symmetric, targetDpo } from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf } from "./_helpers.ts";

await initBackend("cpu");

Deno.test("symmetric masks the chosen side to D+ tokens", async () => {
  // chosen: token 0 is off D+ (policy much worse there), token 1 on D+ (policy +1 nat)
  //   S_th(y+; D+) = -1, S_ref(y+; D+) = -2 -> r+ = 0.1
  // rejected on D- (token 1): S_th = -1, S_ref = -1 -> r- = 0
  // margin 0.1 -> loss ln(1 + e^-0.1); logps/chosen = -1
  const batch = {
    policyChosen: [[-9, -1]],
    refChosen: [[-1, -2]],
    policyRejected: [[-5, -1]],
    refRejected: [[-1, -1]],
    chosenMask: [[1, 1]],
    rejectedMask: [[1, 1]],
    chosenDiff: [[0, 1]],
    rejectedDiff: [[0, 1]],
  };
  const r = await metricsOf(symmetric(inputsOf(batch)));
  assertClose(r.loss, Math.log1p(Math.exp(-0.1)), 1e-6, "loss");
  assertClose(r["rewards/chosen"], 0.1, 1e-6, "rewards/chosen");
  assertClose(r["logps/chosen"], -1, 1e-6, "logps/chosen");
  // Target-DPO on the same batch counts every chosen token: r+ = 0.1 * (-10 - (-3)) = -0.7
  const t = await metricsOf(targetDpo(inputsOf(batch)));
  assertClose(t["rewards/chosen"], -0.7, 1e-6, "target-dpo rewards/chosen");
});
