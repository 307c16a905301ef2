import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  buildPairMasks,
  dpo,
  LOSS_VARIANTS,
  lossForVariant,
  maskModeOf,
  needsReference,
  pairMasksFor,
} from "../../lib/loss/mod.ts";
import { assertClose, inputsOf, metricsOf } from "./_helpers.ts";

await initBackend("cpu");

Deno.test("maskModeOf covers every variant; hybrid needs its flag", () => {
  deepStrictEqual(
    LOSS_VARIANTS.filter((v) => v !== "hybrid").map((v) => maskModeOf(v)),
    ["full", "full", "full", "target", "full", "target", "symmetric"],
  );
  equal(maskModeOf("hybrid", { hybridTarget: true }), "target");
  throws(() => maskModeOf("hybrid"), /needs hybridTarget/);
});

// One pair: chosen text 3 tokens + EOS, D+ = token 1; rejected text 2 tokens + EOS, D- = token 0.
const masks = buildPairMasks({
  chosenTextTokens: 3,
  rejectedTextTokens: 2,
  masks: { chosen: [[1, 2]], rejected: [[0, 1]] },
});
const policyChosen = [-1, -2, -3, -0.5];
const refChosen = [-1.5, -1, -3, -1];
const policyRejected = [-4, -1, -0.25];
const refRejected = [-2, -2, -1];

Deno.test("each preference variant's loss is DPO over the masks of its mode", async () => {
  for (const variant of LOSS_VARIANTS.filter((v) => needsReference(v) && v !== "hybrid")) {
    const mode = maskModeOf(variant);
    const m = pairMasksFor(mode, masks);
    // Reference: plain DPO (Eq. 2) on the masks of the mode, as m = 1 "full" masks.
    const pad = (x: number[]) => [...x, ...Array(4 - x.length).fill(0)];
    const plain = {
      policyChosen: [policyChosen],
      refChosen: [refChosen],
      policyRejected: [pad(policyRejected)],
      refRejected: [pad(refRejected)],
    };
    const expected = await metricsOf(dpo(inputsOf({
      ...plain,
      chosenMask: [Array.from(m.chosen)],
      rejectedMask: [pad(Array.from(m.rejected))],
    })));
    const actual = await metricsOf(
      lossForVariant(variant)(inputsOf({
        ...plain,
        chosenMask: [Array.from(masks.chosen)],
        rejectedMask: [pad(Array.from(masks.rejected))],
        chosenDiff: [Array.from(masks.chosenDiff)],
        rejectedDiff: [pad(Array.from(masks.rejectedDiff))],
      })),
    );
    // RPO variants add lambda * NLL(y+) = (1 + 2 + 3 + 0.5) / 4 = 1.625 on top
    const extra = variant.endsWith("rpo") ? 1.625 : 0;
    assertClose(actual.loss, expected.loss! + extra, 1e-6, variant);
    assertClose(actual["rewards/margins"], expected["rewards/margins"]!, 1e-6, variant);
  }
});
