import { initBackend } from "../../lib/backend/mod.ts";
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  dpo,
  hybrid,
  hybridTargetFlags,
  seededPermutation,
  targetDpo,
} from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf, type PlainBatch } from "./_helpers.ts";

await initBackend("cpu");

Deno.test("hybridTargetFlags marks floor(B/2) pairs, chosen by the seeded permutation", () => {
  for (const b of [1, 2, 4, 5, 8]) {
    for (const seed of [0, 1, 99]) {
      const flags = hybridTargetFlags(b, seed);
      const perm = seededPermutation(b, seed);
      const expected = new Float32Array(b);
      perm.slice(0, Math.floor(b / 2)).forEach((i) => expected[i] = 1);
      deepStrictEqual(flags, expected);
      equal(flags.reduce((s, x) => s + x, 0), Math.floor(b / 2));
    }
  }
  // Regression values: the split is a pure function of (B, seed).
  deepStrictEqual(Array.from(hybridTargetFlags(4, 0)), Array.from(hybridTargetFlags(4, 0)));
  const splits = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((s) => hybridTargetFlags(4, s).join("")));
  equal(splits.size > 1, true, "different seeds must give different splits");
});

// Four pairs. On every pair the DPO margin is 0 (rejected policy == reference on all tokens
// except token 1, which is off D- and where the policy is 1 nat worse), so:
//   DPO (full mask):     r- = 0.1 * (-1) = -0.1 -> margin 0.1 -> loss ln(1 + e^-0.1)
//   Target-DPO (m- = token 0 only): r- = 0  -> margin 0   -> loss ln 2
const four: PlainBatch = {
  policyChosen: [[-1, -1], [-1, -1], [-1, -1], [-1, -1]],
  refChosen: [[-1, -1], [-1, -1], [-1, -1], [-1, -1]],
  policyRejected: [[-2, -3], [-2, -3], [-2, -3], [-2, -3]],
  refRejected: [[-2, -2], [-2, -2], [-2, -2], [-2, -2]],
  chosenMask: [[1, 1], [1, 1], [1, 1], [1, 1]],
  rejectedMask: [[1, 1], [1, 1], [1, 1], [1, 1]],
  rejectedDiff: [[1, 0], [1, 0], [1, 0], [1, 0]],
};

Deno.test("hybrid applies Target-DPO masks to the flagged half and DPO masks to the rest", async () => {
  const flags = Array.from(hybridTargetFlags(4, 12345));
  const r = await metricsOf(hybrid(inputsOf({ ...four, hybridTarget: flags })));
  // two pairs at ln 2, two at ln(1 + e^-0.1)
  assertClose(r.loss, (2 * Math.LN2 + 2 * Math.log1p(Math.exp(-0.1))) / 4, 1e-6, "loss");
  assertClose(r["rewards/rejected"], (2 * 0 + 2 * -0.1) / 4, 1e-6, "rewards/rejected");
  // per pair it matches the variant it was assigned
  for (let i = 0; i < 4; i++) {
    const one = (x?: number[][]) => x && [x[i]];
    const pair: PlainBatch = {
      policyChosen: one(four.policyChosen)!,
      refChosen: one(four.refChosen),
      policyRejected: one(four.policyRejected)!,
      refRejected: one(four.refRejected),
      chosenMask: one(four.chosenMask)!,
      rejectedMask: one(four.rejectedMask)!,
      rejectedDiff: one(four.rejectedDiff),
    };
    const h = await metricsOf(hybrid(inputsOf({ ...pair, hybridTarget: [flags[i]] })));
    const expected = await metricsOf((flags[i] === 1 ? targetDpo : dpo)(inputsOf(pair)));
    assertClose(h.loss, expected.loss!, 1e-7, `pair ${i}`);
  }
});

Deno.test("hybrid with all flags 1 equals targetDpo and with all flags 0 equals dpo", async () => {
  const all = await metricsOf(hybrid(inputsOf({ ...four, hybridTarget: [1, 1, 1, 1] })));
  assertClose(all.loss, Math.LN2, 1e-6, "all target");
  const none = await metricsOf(hybrid(inputsOf({ ...four, hybridTarget: [0, 0, 0, 0] })));
  assertClose(none.loss, Math.log1p(Math.exp(-0.1)), 1e-6, "all dpo");
});

Deno.test("hybrid names missing or mis-sized flags", () => {
  throws(() => hybrid(inputsOf(four)), /needs masks.hybridTarget/);
  throws(
    () => hybrid(inputsOf({ ...four, hybridTarget: [1, 0] })),
    /has 2 flags for a batch of 4/,
  );
});
