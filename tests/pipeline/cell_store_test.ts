import assert from "node:assert/strict";
import { PREFERENCE_BASE, PREFERENCE_PRESETS } from "../../experiments/_defaults.ts";
import { cellFingerprint } from "../../lib/pipeline/cell_store.ts";

const ID = {
  base: PREFERENCE_BASE,
  scale: PREFERENCE_PRESETS.paper.scale,
  seed: 0,
  checkpointHash: "0123abcd",
  prepared: [],
  masks: [{ tokenizer: "t", chosen: [[0, 1]], rejected: [] }],
};

Deno.test("cellFingerprint: the default MiniFlow target keeps every fingerprint of earlier runs", () => {
  // Computed with the fingerprint formula and defaults of commit 5154013 (before the evaluation
  // target, the shared train hyper-parameters and lib/loss's defaults existed): the same inputs
  // must give the same cell, so stored cells and the README's numbers stay valid.
  assert.equal(cellFingerprint(ID), "59c01ac9cf369199");
  // Execution settings are not part of it.
  const runtime = { ...PREFERENCE_BASE.runtime, matmul: "xnnpack" as const, blasThreads: 1 };
  assert.equal(
    cellFingerprint({ ...ID, base: { ...PREFERENCE_BASE, runtime } }),
    "59c01ac9cf369199",
  );
});

Deno.test("cellFingerprint: another target, a task subset or a loss hyper-parameter is another cell", () => {
  const withEval = (e: Partial<typeof PREFERENCE_BASE.eval>) =>
    cellFingerprint({
      ...ID,
      base: { ...PREFERENCE_BASE, eval: { ...PREFERENCE_BASE.eval, ...e } },
    });
  const prints = [
    cellFingerprint(ID),
    withEval({ target: "humaneval+" }),
    withEval({ target: "humaneval+", tasks: ["HumanEval/0"] }),
    withEval({ target: "mbpp+" }),
    cellFingerprint({
      ...ID,
      base: { ...PREFERENCE_BASE, train: { ...PREFERENCE_BASE.train, beta: 0.3 } },
    }),
  ];
  assert.equal(new Set(prints).size, prints.length, prints.join(" "));
});
