import assert from "node:assert/strict";
import type { CodeVersion, Pair, Trajectory } from "../../lib/core/mod.ts";
import {
  computeSynthStats,
  diffSizeBucket,
  formatSynthStats,
  type PairDropRecord,
} from "../../lib/synth/mod.ts";

const teacher = { kind: "openai", model: "m", baseUrl: "http://x/v1" } as const;
const v = (
  iteration: number,
  verdict: CodeVersion["verdict"],
  errorType?: string,
): CodeVersion => ({
  iteration,
  code: errorType === "MalformedAnswer" ? "" : `code${iteration}\n`,
  verdict,
  ...(errorType ? { errorType } : {}),
  passedTests: verdict === "pass" ? 1 : 0,
  totalTests: 1,
});
const traj = (taskId: string, versions: CodeVersion[]): Trajectory => ({
  schema: "codeflow.trajectory/v1",
  taskId,
  teacher,
  prompt: "p",
  entryPoint: "f",
  tests: "assert f()",
  versions,
});
const pair = (taskId: string, minus: number, plus: number): Pair => ({
  schema: "codeflow.pair/v1",
  taskId,
  teacher,
  prompt: "p",
  chosen: "c",
  rejected: "r",
  chosenIteration: 1,
  rejectedIteration: 0,
  selection: { rule: "random", seed: 0 },
  diff: {
    method: "lcs",
    rejectedLines: Array.from({ length: minus }, (_, i) => i),
    chosenLines: Array.from({ length: plus }, (_, i) => i),
    hunks: [],
  },
  filters: {},
});

Deno.test("computeSynthStats: pass rates, funnel, histograms and error types by hand", () => {
  const trajectories = [
    traj("a", [v(0, "pass")]),
    traj("b", [v(0, "fail", "NameError"), v(1, "pass")]),
    traj("c", [v(0, "fail", "AssertionError"), v(1, "error", "MalformedAnswer"), v(2, "pass")]),
    traj("d", [v(0, "timeout", "TimeoutError"), v(1, "fail", "AssertionError")]),
    traj("e", [v(0, "error", "SyntaxError"), v(1, "pass")]),
  ];
  const drops: PairDropRecord[] = [
    { schema: "synth.pair-drop/v1", taskId: "c", reason: "too-many-lines", pair: pair("c", 25, 3) },
    { schema: "synth.pair-drop/v1", taskId: "e", reason: "judge", pair: pair("e", 7, 0) },
  ];
  const s = computeSynthStats({
    trajectories,
    pairs: [pair("b", 1, 2)],
    drops,
    skips: [{ schema: "synth.skip/v1", index: 9, taskId: "#9", reason: "malformed task answer" }],
    maxRefinements: 3,
  });
  assert.deepEqual(s.passCountByIteration, [1, 3, 4, 4]);
  assert.deepEqual(s.passRateByIteration, [0.2, 0.6, 0.8, 0.8]);
  assert.equal(s.tasksFinished, 6);
  assert.equal(s.discarded, 1);
  assert.equal(s.malformedAnswers, 1);
  assert.deepEqual(s.funnel, {
    trajectories: 5,
    passing: 4,
    withFailingVersion: 3,
    afterRules: 2,
    afterJudge: 1,
    drops: { "too-many-lines": 1, judge: 1 },
  });
  assert.deepEqual(s.diffSizes.rejected, {
    "0": 0,
    "1": 1,
    "2": 0,
    "3": 0,
    "4": 0,
    "5": 0,
    "6-10": 1,
    "11-20": 0,
    ">20": 1,
  });
  assert.deepEqual(s.diffSizes.chosen, {
    "0": 1,
    "1": 0,
    "2": 1,
    "3": 1,
    "4": 0,
    "5": 0,
    "6-10": 0,
    "11-20": 0,
    ">20": 0,
  });
  assert.deepEqual(s.errorTypesAtIteration0, {
    AssertionError: 1,
    NameError: 1,
    SyntaxError: 1,
    TimeoutError: 1,
  });
  const table = formatSynthStats(s);
  assert.match(table, /pass rate by iteration 1 +60\.0% \(3\)/);
  assert.match(table, /\n {2}dropped by judge +1\n/);
  assert.match(table, /\|D-\| histogram +1:1 6-10:1 >20:1/);
});

Deno.test("diffSizeBucket edges", () => {
  assert.deepEqual([0, 5, 6, 10, 11, 20, 21].map(diffSizeBucket), [
    "0",
    "5",
    "6-10",
    "6-10",
    "11-20",
    "11-20",
    ">20",
  ]);
});
