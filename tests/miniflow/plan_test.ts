import assert from "node:assert/strict";
import { DEFAULT_PLAN_CONFIG, intendedCategory } from "../../lib/miniflow/plan.ts";

Deno.test("intendedCategory realises the configured fractions on consecutive indexes", () => {
  for (const [start, n] of [[0, 500], [500, 500], [0, 2000]]) {
    const counts = { correct: 0, fixable: 0, hard: 0 };
    for (let i = start; i < start + n; i++) counts[intendedCategory(i, DEFAULT_PLAN_CONFIG)]++;
    // Low-discrepancy sequence: within 1% of 0.35 / 0.325 / 0.325 on 500 consecutive tasks.
    assert.ok(Math.abs(counts.correct / n - 0.35) < 0.01, JSON.stringify(counts));
    assert.ok(Math.abs(counts.hard / n - 0.325) < 0.01, JSON.stringify(counts));
    assert.ok(Math.abs(counts.fixable / n - 0.325) < 0.01, JSON.stringify(counts));
  }
  const allCorrect = { ...DEFAULT_PLAN_CONFIG, correctFraction: 1, hardFraction: 0 };
  assert.equal(intendedCategory(17, allCorrect), "correct");
  const allHard = { ...DEFAULT_PLAN_CONFIG, correctFraction: 0, hardFraction: 1 };
  assert.equal(intendedCategory(17, allHard), "hard");
});

Deno.test("intendedCategory depends on the seed", () => {
  const a = Array.from({ length: 50 }, (_, i) => intendedCategory(i, DEFAULT_PLAN_CONFIG));
  const b = Array.from(
    { length: 50 },
    (_, i) => intendedCategory(i, { ...DEFAULT_PLAN_CONFIG, seed: 9 }),
  );
  assert.notDeepEqual(a, b);
});
