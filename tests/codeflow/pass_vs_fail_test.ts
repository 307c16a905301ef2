import assert from "node:assert/strict";
import { buildPairs, passVsFailPairs } from "../../lib/codeflow/mod.ts";
import type { CodeVersion, Trajectory } from "../../lib/core/mod.ts";

/** Sample `i` with `passed` of 4 tests passing (4 = pass); a distinct body per sample. */
const v = (i: number, passed: number, code = `def f(x):\n    return x + ${i}\n`): CodeVersion => ({
  iteration: i,
  code,
  verdict: passed === 4 ? "pass" : "fail",
  passedTests: passed,
  totalTests: 4,
});

// Samples 1 and 4 pass; 0 passes 3 of 4, 2 passes none, 3 passes 1, 5 is 2's code again, 6 is a
// malformed answer (no code), 7 fails with the code of passing sample 1.
const SAMPLES: CodeVersion[] = [
  v(0, 3),
  v(1, 4),
  v(2, 0),
  v(3, 1),
  v(4, 4),
  v(5, 0, v(2, 0).code),
  {
    iteration: 6,
    code: "",
    verdict: "error",
    errorType: "MalformedAnswer",
    passedTests: 0,
    totalTests: 0,
  },
  v(7, 2, v(1, 4).code),
];
const ids = (pairs: { chosen: CodeVersion; rejected: CodeVersion }[]) =>
  pairs.map((p) => [p.chosen.iteration, p.rejected.iteration]);

Deno.test("pass-vs-fail by hand: rankings, gap, distinct code, pairs per task", () => {
  // Failing candidates, distinct and not equal to a passing code: 0 (3/4), 2 (0/4), 3 (1/4).
  const fewest = passVsFailPairs("t", SAMPLES, { ranking: "fewest-passed", pairsPerTask: 5 });
  assert.deepEqual(fewest.map((p) => p.rejected.iteration), [2, 3, 0]);
  const most = passVsFailPairs("t", SAMPLES, { ranking: "most-passed", pairsPerTask: 5 });
  assert.deepEqual(most.map((p) => p.rejected.iteration), [0, 3, 2]);
  // Chosen versions take turns: the first drawn, then the other, then the first again.
  const chosen = fewest.map((p) => p.chosen.iteration);
  assert.deepEqual(new Set(chosen.slice(0, 2)), new Set([1, 4]));
  assert.equal(chosen[2], chosen[0]);
  // A gap of 0.75 keeps the rejected passing at most 1 of 4 tests.
  const gap = passVsFailPairs("t", SAMPLES, {
    ranking: "most-passed",
    minGap: 0.75,
    pairsPerTask: 5,
  });
  assert.deepEqual(gap.map((p) => p.rejected.iteration), [3, 2]);
  assert.deepEqual(passVsFailPairs("t", SAMPLES, { minGap: 1, pairsPerTask: 5 }).length, 1);
  // One pair by default; random ranking is seeded by (seed, task id) only.
  const a = passVsFailPairs("t", SAMPLES, { seed: 3 });
  assert.equal(a.length, 1);
  assert.deepEqual(ids(passVsFailPairs("t", [...SAMPLES], { seed: 3 })), ids(a));
  const draws = new Set(
    Array.from(
      { length: 40 },
      (_, s) => passVsFailPairs("t", SAMPLES, { seed: s })[0].rejected.iteration,
    ),
  );
  assert.deepEqual(draws, new Set([0, 2, 3]));
});

Deno.test("pass-vs-fail gives nothing without a passing or a failing version; bad options are named", () => {
  assert.deepEqual(passVsFailPairs("t", [v(0, 1), v(1, 2)]), []);
  assert.deepEqual(passVsFailPairs("t", [v(0, 4), v(1, 4)]), []);
  assert.deepEqual(passVsFailPairs("t", [v(0, 4), v(1, 1, v(0, 4).code)]), []);
  assert.throws(
    () => passVsFailPairs("t", SAMPLES, { minGap: 1.5 }),
    /minGap must be in \[0, 1\], found 1.5/,
  );
  assert.throws(
    () => passVsFailPairs("t", SAMPLES, { pairsPerTask: 0 }),
    /pairsPerTask .* found 0/,
  );
});

Deno.test("buildPairs under pass-vs-fail: a sampling trajectory gives its pairs, diffed by LCS", async () => {
  const t: Trajectory = {
    schema: "codeflow.trajectory/v1",
    taskId: "s/1",
    teacher: { kind: "miniflow", model: "miniflow-v1" },
    source: "sampling",
    prompt: "def f(x):\n",
    entryPoint: "f",
    tests: "",
    // The passing sample comes first: the order-based rules find no failing version before it.
    versions: [
      v(0, 4, "def f(x):\n    y = x\n    return y + 1\n"),
      v(1, 0, "def f(x):\n    y = x\n    return y - 1\n"),
      v(2, 2, "def f(x):\n    y = 2 * x\n    return y + 1\n"),
    ],
  };
  const results = await buildPairs([t], {
    rule: "pass-vs-fail",
    passFail: { ranking: "fewest-passed", pairsPerTask: 2 },
  });
  assert.deepEqual(results.map((r) => r.kind), ["pair", "pair"]);
  const pairs = results.flatMap((r) => r.kind === "pair" ? [r.pair] : []);
  assert.deepEqual(pairs.map((p) => [p.chosenIteration, p.rejectedIteration]), [[0, 1], [0, 2]]);
  assert.deepEqual(pairs.map((p) => p.diff.rejectedLines), [[2], [1]]);
  assert.deepEqual(pairs.map((p) => p.selection.rule), ["pass-vs-fail", "pass-vs-fail"]);
  const [last] = await buildPairs([t], { rule: "last" });
  assert.deepEqual(last, { kind: "skipped", taskId: "s/1", reason: "no-failing-version" });
});
