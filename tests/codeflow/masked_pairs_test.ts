/**
 * lib/codeflow's `maskedPairOf` and `readMaskedPairs`: a synthesised pair without masks gets the
 * caller's context lines and empty-`D-` policy (a pure insertion is dropped under `drop`, kept
 * under `keep`, anchored under `anchor`); a pair with masks keeps its own; a cell's stored pair is
 * read as it is; files may mix both schemas.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { maskedPairOf, readMaskedPairs } from "../../lib/codeflow/mod.ts";
import type { Pair } from "../../lib/core/mod.ts";

const insertion: Pair = {
  schema: "codeflow.pair/v1",
  taskId: "t/insert",
  teacher: { kind: "miniflow", model: "miniflow-v1" },
  prompt: "def f(x):\n",
  chosen: "    y = x\n    return y\n",
  rejected: "    y = x\n",
  chosenIteration: 1,
  rejectedIteration: 0,
  selection: { rule: "random", seed: 0 },
  filters: {},
  diff: {
    method: "lcs",
    chosenLines: [1],
    rejectedLines: [],
    hunks: [{ rejectedStart: 1, rejectedEnd: 1, chosenStart: 1, chosenEnd: 2 }],
  },
};

Deno.test("maskedPairOf: the empty-D- policy decides a pure insertion, the pair's own masks win", () => {
  assert.equal(maskedPairOf(insertion, { emptyRejected: "drop" }), null);
  assert.equal(maskedPairOf(insertion, { emptyRejected: "keep" })?.emptyRejected, "keep");
  assert.match(maskedPairOf(insertion, { emptyRejected: "anchor" })!.emptyRejected, /^anchor-/);
  assert.equal(maskedPairOf(insertion)?.emptyRejected, "keep");
  const k = maskedPairOf(insertion, { contextLines: 2 })!;
  assert.equal(k.contextLines, 2);
  assert.equal(k.chosen, insertion.chosen);
  const recorded: Pair = {
    ...insertion,
    masks: { tokenizer: "x", contextLines: 1, emptyRejected: "keep", chosen: [], rejected: [] },
  };
  const own = maskedPairOf(recorded, { emptyRejected: "drop", contextLines: 2 })!;
  assert.deepEqual([own.contextLines, own.emptyRejected], [1, "keep"]);
  const drawn = [0, 1, 2, 3].map((seed) =>
    maskedPairOf(insertion, { contextLines: "random1to2", seed })!.contextLines
  );
  assert.ok(drawn.every((n) => n === 1 || n === 2), String(drawn));
});

Deno.test("readMaskedPairs: both schemas in one file, drops counted, bad lines named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const stored = {
      schema: "pipeline.preference-pair/v1",
      taskId: "t/stored",
      prompt: "p",
      chosen: "a\n",
      rejected: "b\n",
      chosenIteration: 1,
      rejectedIteration: 0,
      diff: {
        method: "lcs",
        chosenLines: [0],
        rejectedLines: [0],
        hunks: [{ rejectedStart: 0, rejectedEnd: 1, chosenStart: 0, chosenEnd: 1 }],
      },
      contextLines: 0,
      emptyRejected: "non-empty",
      masks: { tokenizer: "x", chosen: [[0, 1]], rejected: [[0, 1]] },
    };
    const file = join(dir, "pairs.jsonl");
    await Deno.writeTextFile(
      file,
      [insertion, stored].map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
    const kept = await readMaskedPairs(file, { emptyRejected: "drop" });
    assert.deepEqual(kept.pairs.map((p) => p.taskId), ["t/stored"]);
    assert.equal(kept.dropped, 1);
    assert.equal((await readMaskedPairs(file)).pairs.length, 2);
    await Deno.writeTextFile(file, JSON.stringify({ ...stored, emptyRejected: "empty" }) + "\n");
    await assert.rejects(readMaskedPairs(file), (e: Error) => {
      assert.match(e.message, /pairs\.jsonl:1: field "emptyRejected": expected one of "non-empty"/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
