import { deepStrictEqual, equal, notDeepStrictEqual, throws } from "node:assert/strict";
import {
  collatePreferenceBatch,
  lmBatches,
  preferenceBatches,
  preparePair,
  tokenStream,
} from "../../lib/train/mod.ts";

const example = {
  id: "ex",
  promptIds: [1, 9, 8, 7],
  chosenIds: [2, 3, 4],
  rejectedIds: [5, 6],
  chosenSpans: [[1, 3]] as [number, number][],
  rejectedSpans: [[0, 1]] as [number, number][],
};

Deno.test("preparePair keeps the prompt end, appends EOS and clips completions + spans", () => {
  const p = preparePair(example, { eosId: 0, contextLength: 6, maxPromptLength: 3 });
  deepStrictEqual(p.promptIds, [9, 8, 7]);
  deepStrictEqual(p.chosenIds, [2, 3, 4]); // 3 + 3 = 6 tokens: EOS truncated away
  deepStrictEqual(p.rejectedIds, [5, 6, 0]);
  deepStrictEqual(Array.from(p.masks.chosen), [1, 1, 1]);
  deepStrictEqual(Array.from(p.masks.chosenDiff), [0, 1, 1]);
  deepStrictEqual(Array.from(p.masks.rejected), [1, 1, 1]);
  deepStrictEqual(Array.from(p.masks.rejectedDiff), [1, 0, 0]);
  throws(
    () => preparePair(example, { eosId: 0, contextLength: 6, maxPromptLength: 6 }),
    /maxPromptLength must be an integer in \[1, 5\] \(contextLength 6\), found 6/,
  );
  throws(
    () => preparePair({ ...example, promptIds: [] }, { eosId: 0, contextLength: 6 }),
    /pair ex: empty prompt/,
  );
});

Deno.test("collatePreferenceBatch aligns masks and reference log-probs with the targets", () => {
  const p = preparePair(example, { eosId: 0, contextLength: 16 });
  const q = preparePair({ ...example, id: "q", promptIds: [1] }, { eosId: 0, contextLength: 16 });
  const b = collatePreferenceBatch([p, q], {
    padId: 15,
    reference: [
      { chosen: Float32Array.of(-1, -2, -3, -4), rejected: Float32Array.of(-5, -6, -7) },
      { chosen: Float32Array.of(-8, -9, -10, -11), rejected: Float32Array.of(-12, -13, -14) },
    ],
  });
  // p chosen sequence: 1 9 8 7 | 2 3 4 0 -> 7 input positions; T = 7
  equal(b.length, 7);
  deepStrictEqual(Array.from(b.inputs.slice(0, 7)), [1, 9, 8, 7, 2, 3, 4]);
  deepStrictEqual(Array.from(b.targets.slice(0, 7)), [9, 8, 7, 2, 3, 4, 0]);
  // completion token i sits at column P - 1 + i = 3 + i
  deepStrictEqual(Array.from(b.masks.chosen.slice(0, 7)), [0, 0, 0, 1, 1, 1, 1]);
  deepStrictEqual(Array.from(b.masks.chosenDiff.slice(0, 7)), [0, 0, 0, 0, 1, 1, 0]);
  deepStrictEqual(Array.from(b.reference!.chosen.slice(0, 7)), [0, 0, 0, -1, -2, -3, -4]);
  // q rejected (row 1 of the rejected half): 1 | 5 6 0 -> columns 0..2, then padding
  deepStrictEqual(Array.from(b.inputs.slice(3 * 7, 4 * 7)), [1, 5, 6, 15, 15, 15, 15]);
  deepStrictEqual(Array.from(b.masks.rejected.slice(7, 14)), [1, 1, 1, 0, 0, 0, 0]);
  deepStrictEqual(Array.from(b.masks.rejectedDiff.slice(7, 14)), [1, 0, 0, 0, 0, 0, 0]);
  deepStrictEqual(Array.from(b.reference!.rejected.slice(7, 14)), [-12, -13, -14, 0, 0, 0, 0]);
  // tokens: p: 7 + 6, q: 4 + 3
  equal(b.tokens, 20);
  throws(
    () =>
      collatePreferenceBatch([p], {
        padId: 0,
        reference: [{ chosen: new Float32Array(2), rejected: new Float32Array(3) }],
      }),
    /pair ex chosen: 2 reference log-probs for 4 completion tokens/,
  );
});

Deno.test("preferenceBatches: every pair once per epoch, order fixed by the seed", () => {
  const pairs = Array.from(
    { length: 6 },
    (_, i) =>
      preparePair({ ...example, id: `p${i}`, promptIds: [1, i + 2] }, {
        eosId: 0,
        contextLength: 16,
      }),
  );
  const firstOf = (b: ReturnType<ReturnType<typeof preferenceBatches>>) =>
    [0, 1].map((r) => b.inputs[r * b.length + 1]);
  const batches = preferenceBatches({ pairs, batchSize: 2, seed: 11, padId: 0 });
  const epoch = [0, 1, 2].flatMap((k) => firstOf(batches(k)));
  deepStrictEqual([...epoch].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7]);
  deepStrictEqual([0, 1, 2].flatMap((k) => firstOf(batches(k))), epoch);
  const other = preferenceBatches({ pairs, batchSize: 2, seed: 12, padId: 0 });
  notDeepStrictEqual([0, 1, 2].flatMap((k) => firstOf(other(k))), epoch);
  // the hybrid split is seeded per batch: 1 of 2 pairs uses Target-DPO masks
  equal(batches(0).hybridTarget.reduce((s, x) => s + x, 0), 1);
});

Deno.test("lmBatches cuts shifted windows at seeded offsets", () => {
  const stream = tokenStream([[2, 3, 4], [5, 6]], { eosId: 0, bosId: 1 });
  deepStrictEqual(Array.from(stream), [1, 2, 3, 4, 0, 1, 5, 6, 0]);
  const batches = lmBatches({ stream, batchSize: 3, length: 4, seed: 2 });
  const b = batches(7);
  for (let r = 0; r < 3; r++) {
    const inp = Array.from(b.inputs.slice(r * 4, r * 4 + 4));
    const tgt = Array.from(b.targets.slice(r * 4, r * 4 + 4));
    const o = Array.from(stream).findIndex((_, i) =>
      Array.from(stream.slice(i, i + 4)).join() === inp.join()
    );
    deepStrictEqual(tgt, Array.from(stream.slice(o + 1, o + 5)));
  }
  deepStrictEqual(batches(7), b);
  throws(() => lmBatches({ stream, batchSize: 1, length: 9, seed: 0 }), /needs length \+ 1 = 10/);
});
