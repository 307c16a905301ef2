import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  buildPairMasks,
  LOSS_VARIANTS,
  lossForVariant,
  needsReference,
  parseLossVariant,
  spanMask,
} from "../../lib/loss/mod.ts";

Deno.test("spanMask sets ones on the spans and clips them to the kept tokens", () => {
  deepStrictEqual(Array.from(spanMask({ length: 5, spans: [[0, 2], [3, 5]] })), [
    1,
    1,
    0,
    1,
    1,
  ]);
  deepStrictEqual(Array.from(spanMask({ length: 5, spans: [[1, 4]], keep: 3 })), [0, 1, 1]);
  deepStrictEqual(Array.from(spanMask({ length: 3, spans: [] })), [0, 0, 0]);
});

Deno.test("spanMask names bad spans", () => {
  throws(
    () => spanMask({ length: 4, spans: [[2, 3], [1, 2]], where: "pair 7 rejected" }),
    /pair 7 rejected: span 1 \[1, 2\) overlaps or precedes the previous span \(ended at 3\)/,
  );
  throws(() => spanMask({ length: 4, spans: [[3, 9]] }), /span 0 \[3, 9\) ends past the 4/);
  throws(() => spanMask({ length: 4, spans: [[2, 2]] }), /span 0 is \[2, 2\)/);
});

Deno.test("buildPairMasks: full masks include EOS, diff masks come from spans", () => {
  const m = buildPairMasks({
    chosenTextTokens: 4,
    rejectedTextTokens: 3,
    masks: { chosen: [[2, 4]], rejected: [[0, 1], [2, 3]] },
  });
  deepStrictEqual(Array.from(m.chosen), [1, 1, 1, 1, 1]);
  deepStrictEqual(Array.from(m.rejected), [1, 1, 1, 1]);
  deepStrictEqual(Array.from(m.chosenDiff), [0, 0, 1, 1, 0]);
  deepStrictEqual(Array.from(m.rejectedDiff), [1, 0, 1, 0]);
  const t = buildPairMasks({
    chosenTextTokens: 4,
    rejectedTextTokens: 3,
    masks: { chosen: [[2, 4]], rejected: [[0, 1], [2, 3]] },
    chosenKept: 3,
    rejectedKept: 2,
  });
  deepStrictEqual(Array.from(t.chosenDiff), [0, 0, 1]);
  deepStrictEqual(Array.from(t.rejectedDiff), [1, 0]);
  throws(
    () =>
      buildPairMasks({
        chosenTextTokens: 2,
        rejectedTextTokens: 2,
        masks: { chosen: [], rejected: [] },
        chosenKept: 4,
        where: "pair 3",
      }),
    /pair 3 chosen: kept tokens must be in \[1, 3\], found 4/,
  );
});

Deno.test("every variant dispatches to a distinct loss; parse names the bad value", () => {
  const fns = new Set(LOSS_VARIANTS.map(lossForVariant));
  equal(fns.size, LOSS_VARIANTS.length);
  equal(LOSS_VARIANTS.filter(needsReference).length, 6);
  equal(parseLossVariant("target-rpo"), "target-rpo");
  throws(() => parseLossVariant("kto"), /unknown loss variant "kto"; expected one of sft/);
});
