import assert from "node:assert/strict";
import {
  allCompositions,
  compositionsBySplit,
  MAX_BODY_LINES,
  splitOf,
} from "../../lib/miniflow/compositions.ts";
import { PRIMITIVES } from "../../lib/miniflow/primitives.ts";
import { buildTaskSpec } from "../../lib/miniflow/task_spec.ts";
import type { MiniflowSplit } from "../../lib/miniflow/types.ts";

const _SPLITS: readonly MiniflowSplit[] = ["train", "validation", "test"];

Deno.test("the grammar has 8-15+ primitives per family and thousands of compositions", () => {
  const byInput = new Map<string, number>();
  for (const p of PRIMITIVES) byInput.set(p.input, (byInput.get(p.input) ?? 0) + 1);
  // ints: 17 list-specific + 8 generic (`any`) steps; words: 11 (+8 generic); text: 8; int: 5.
  assert.equal(byInput.get("ints")! + byInput.get("any")!, 29);
  assert.equal(byInput.get("words")! + byInput.get("any")!, 19);
  assert.equal(byInput.get("text"), 8);
  assert.equal(byInput.get("dict"), 6);
  assert.equal(byInput.get("int"), 5);
  const all = allCompositions();
  assert.equal(all.length, 8788);
  assert.equal(new Set(all.map((c) => c.key)).size, all.length);
  for (const c of all) {
    assert.ok(c.steps.length === 2 || c.steps.length === 3, c.key);
  }
});

Deno.test("every composition key belongs to exactly one split, train holds ~80%", () => {
  const seen = new Map<string, MiniflowSplit>();
  for (const split of _SPLITS) {
    for (const list of compositionsBySplit(split).values()) {
      for (const c of list) {
        assert.equal(seen.get(c.key), undefined, `${c.key} in ${seen.get(c.key)} and ${split}`);
        seen.set(c.key, split);
        assert.equal(splitOf(c.key), split);
      }
    }
  }
  assert.equal(seen.size, allCompositions().length);
  const train = [...seen.values()].filter((s) => s === "train").length / seen.size;
  assert.ok(train > 0.77 && train < 0.83, `train share ${train}`);
  assert.equal(splitOf("anything", { validation: 0, test: 0 }), "train");
});

Deno.test("no test-split task shares its composition with a training task (2000 each)", () => {
  const keys = (split: MiniflowSplit) =>
    new Set(
      Array.from({ length: 2000 }, (_, index) =>
        buildTaskSpec({ seed: 11, split, index }).compositionKey),
    );
  const train = keys("train");
  const validation = keys("validation");
  const test = keys("test");
  assert.ok(train.size > 1000, `${train.size} distinct train compositions`);
  assert.ok(test.size > 400, `${test.size} distinct test compositions`);
  for (const k of test) assert.ok(!train.has(k) && !validation.has(k), k);
  for (const k of validation) assert.ok(!train.has(k), k);
});

Deno.test("task specs: 3-12 body lines, ids, family cycle, determinism, varying constants", () => {
  const a = buildTaskSpec({ seed: 5, split: "train", index: 6 });
  assert.deepEqual(buildTaskSpec({ seed: 5, split: "train", index: 6 }), a);
  assert.equal(a.taskId, "miniflow/train/6");
  assert.equal(a.family, "number");
  assert.equal(a.argName, "n");
  assert.equal(a.inputs.length, 8);
  for (let index = 0; index < 400; index++) {
    const s = buildTaskSpec({ seed: 5, split: "train", index });
    assert.ok(s.program.lines.length >= 3 && s.program.lines.length <= MAX_BODY_LINES, s.taskId);
    assert.ok(s.program.sites.length >= 2, `${s.taskId} has ${s.program.sites.length} sites`);
  }
  // Same composition, different seeds: the constants (and inputs) vary.
  const keys = new Set<string>();
  const bodies = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const s = buildTaskSpec({ seed, split: "test", index: 0 });
    keys.add(s.compositionKey);
    bodies.add(`${s.compositionKey}|${s.inputs.join(";")}`);
  }
  // Nearby seeds do not share draws: 40 seeds give (almost) 40 compositions of 542.
  assert.ok(keys.size >= 36, `${keys.size} compositions over 40 seeds`);
  assert.equal(bodies.size, 40);
  assert.throws(
    () => buildTaskSpec({ seed: 1, split: "test", index: -1 }),
    /non-negative integer, found -1/,
  );
  assert.throws(
    () => buildTaskSpec({ seed: 1, split: "test", index: 0, cases: 11 }),
    /5\.\.10, found 11/,
  );
});
