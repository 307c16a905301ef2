import assert from "node:assert/strict";
import { join } from "node:path";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import {
  codeflowPairBuilder,
  OpenAITeacher,
  readSynthRecords,
  SYNTH_FILES,
  synthesize,
} from "../../lib/synth/mod.ts";
import { incrementScript, startTestServer, type TaskScript } from "../../testing/openai/mod.ts";

const id = (i: number) => `openai-0-${String(i).padStart(6, "0")}`;
const INC_WRONG = "def inc(x):\n    return x + 2\n";
const INC_RIGHT = "def inc(x):\n    return x + 1\n";
const inc = (versions: string[], extra: Partial<TaskScript> = {}): TaskScript => ({
  ...incrementScript("x0"),
  versions,
  ...extra,
});
const sumList = (init: string) =>
  `def sum_list(xs):\n    total = ${init}\n    for x in xs:\n        total += x\n    return total\n`;
const maxv = (body: string) => `def maxv(xs):\n${body}`;
const neg = (expr: string) => `def neg(x):\n    return ${expr}\n`;

/** Nine scripted conversations (see the expected values below). */
const SCRIPTS: Record<string, TaskScript> = {
  // 0: passes at iteration 0; the task request first gets a 429 with Retry-After: 0.
  [id(0)]: inc([INC_RIGHT], {
    faults: { task: [{ kind: "status", status: 429, retryAfter: "0" }] },
  }),
  // 1: fixed at iteration 1; the fix request first gets a 500.
  [id(1)]: inc([INC_WRONG, INC_RIGHT], {
    faults: { "refine:1": [{ kind: "status", status: 500 }] },
  }),
  // 2: fixed at iteration 3 (NameError, TypeError, AssertionError); one answer is too slow.
  [id(2)]: {
    instruction: "Sum a list.",
    entryPoint: "sum_list",
    tests: "assert sum_list([1, 2, 3]) == 6\nassert sum_list([]) == 0\n",
    versions: ["def sum_list(xs):\n    return totl\n", sumList("''"), sumList("1"), sumList("0")],
    faults: { "refine:2": [{ kind: "slow", delayMs: 4000 }] },
  },
  // 3: fixed at iteration 5.
  [id(3)]: {
    instruction: "Largest element.",
    entryPoint: "maxv",
    tests: "assert maxv([3, 9, 2]) == 9\nassert maxv([-5, -2]) == -2\n",
    versions: [
      maxv("    return min(xs)\n"),
      maxv(
        "    best = 0\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n",
      ),
      maxv(
        "    best = xs[0]\n    for x in xs:\n        if x < best:\n            best = x\n    return best\n",
      ),
      maxv("    return sorted(xs)[0]\n"),
      maxv("    return max(xs[:-1])\n"),
      maxv("    return max(xs)\n"),
    ],
  },
  // 4: never passes: discarded after 5 refinements.
  [id(4)]: {
    instruction: "Negate x.",
    entryPoint: "neg",
    tests: "assert neg(3) == -3\n",
    versions: ["x", "x + 0", "abs(x)", "x * 1", "-abs(x) + 1", "0 - x + 1"].map(neg),
  },
  // 5: a malformed answer spends iteration 1; fixed at iteration 2.
  [id(5)]: inc([INC_WRONG, INC_RIGHT], {
    faults: { "refine:1": [{ kind: "malformed", text: "Let me think step by step." }] },
  }),
  // 6: the fix only adds lines and removes a comment: D- is comment-only, dropped.
  [id(6)]: {
    instruction: "First element or None.",
    entryPoint: "first",
    tests: "assert first([4, 5]) == 4\nassert first([]) is None\n",
    versions: [
      "def first(xs):\n    # naive\n    return xs[0]\n",
      "def first(xs):\n    if not xs:\n        return None\n    return xs[0]\n",
    ],
  },
  // 7: the judge says the difference is not logical: dropped by the judge.
  [id(7)]: inc([INC_WRONG, INC_RIGHT], { judge: "no" }),
  // 8: the task answer is malformed: no trajectory, a skip record.
  [id(8)]: inc([INC_RIGHT], { faults: { task: [{ kind: "malformed", text: "Happy to help!" }] } }),
};

Deno.test("synthesize against the scripted server: exact trajectories, pairs, funnel and pass rates; a rerun resumes", async () => {
  const out = await Deno.makeTempDir();
  const server = startTestServer({ scripts: SCRIPTS });
  const sandbox = new Sandbox({ workers: 2 });
  const pairs = await codeflowPairBuilder({ selection: "last", diff: "lcs" });
  const teacher = new OpenAITeacher({
    baseUrl: server.baseUrl,
    model: "scripted",
    timeoutMs: 1500,
    retryBaseMs: 5,
    concurrency: 4,
    logPath: join(out, SYNTH_FILES.requests),
  });
  const run = () =>
    synthesize({
      teacher,
      runner: sandbox,
      outDir: out,
      tasks: 9,
      concurrency: 4,
      pairBuilder: pairs.build,
      judge: teacher,
    });
  try {
    const first = await run();
    assert.equal(first.processed, 9);
    assert.equal(first.resumed, 0);
    const s = first.stats;
    assert.deepEqual(s.passCountByIteration, [1, 4, 5, 6, 6, 7]);
    assert.deepEqual(s.passRateByIteration, [1 / 8, 4 / 8, 5 / 8, 6 / 8, 6 / 8, 7 / 8]);
    assert.deepEqual(s.funnel, {
      trajectories: 8,
      passing: 7,
      withFailingVersion: 6,
      afterRules: 5,
      afterJudge: 4,
      drops: { "comment-only": 1, judge: 1 },
    });
    assert.equal(s.skipped, 1);
    assert.equal(s.discarded, 1);
    assert.equal(s.malformedAnswers, 1);
    assert.deepEqual(s.errorTypesAtIteration0, { AssertionError: 5, IndexError: 1, NameError: 1 });
    assert.deepEqual(s.diffSizes.rejected, {
      "0": 0,
      "1": 6,
      "2": 0,
      "3": 0,
      "4": 0,
      "5": 0,
      "6-10": 0,
      "11-20": 0,
      ">20": 0,
    });
    assert.deepEqual(s.diffSizes.chosen, {
      "0": 0,
      "1": 5,
      "2": 1,
      "3": 0,
      "4": 0,
      "5": 0,
      "6-10": 0,
      "11-20": 0,
      ">20": 0,
    });

    const rec = await readSynthRecords(out);
    const byId = new Map(rec.trajectories.map((t) => [t.taskId, t]));
    const shape = (i: number) =>
      byId.get(id(i))!.versions.map((v) => [v.iteration, v.verdict, v.errorType ?? null]);
    assert.deepEqual(shape(0), [[0, "pass", null]]);
    assert.deepEqual(shape(2), [
      [0, "fail", "NameError"],
      [1, "fail", "TypeError"],
      [2, "fail", "AssertionError"],
      [3, "pass", null],
    ]);
    assert.deepEqual(shape(3).map((v) => v[1]), ["fail", "fail", "fail", "fail", "fail", "pass"]);
    assert.deepEqual(shape(4).map((v) => v[1]), ["fail", "fail", "fail", "fail", "fail", "fail"]);
    assert.deepEqual(byId.get(id(5))!.versions[1], {
      iteration: 1,
      code: "",
      verdict: "error",
      errorType: "MalformedAnswer",
      errorMessage: "answer has no Python code block defining inc()",
      passedTests: 0,
      totalTests: 2,
    });
    assert.deepEqual(byId.get(id(1))!.versions.map((v) => [v.passedTests, v.totalTests]), [
      [0, 2],
      [2, 2],
    ]);
    assert.equal(byId.has(id(8)), false);
    assert.deepEqual(rec.skips, [{
      schema: "synth.skip/v1",
      index: 8,
      taskId: id(8),
      reason: "malformed task answer: answer has no instruction section",
    }]);

    const kept = [...rec.pairs].sort((a, b) => a.taskId.localeCompare(b.taskId));
    assert.deepEqual(
      kept.map((p) => [p.taskId, p.rejectedIteration, p.chosenIteration, p.rejected, p.chosen]),
      [
        [id(1), 0, 1, INC_WRONG, INC_RIGHT],
        [id(2), 2, 3, sumList("1"), sumList("0")],
        [id(3), 4, 5, maxv("    return max(xs[:-1])\n"), maxv("    return max(xs)\n")],
        [id(5), 0, 2, INC_WRONG, INC_RIGHT], // the malformed iteration 1 is never rejected
      ],
    );
    for (const p of kept) {
      assert.deepEqual(p.diff.rejectedLines, [1]);
      assert.deepEqual(p.diff.chosenLines, [1]);
      assert.deepEqual(p.selection, { rule: "last", seed: 0 });
      assert.deepEqual(p.filters, {
        "comment-only": true,
        "too-many-lines": true,
        "too-long": true,
        "same-ast": true,
        judge: true,
      });
      assert.deepEqual(p.teacher, { kind: "openai", model: "scripted", baseUrl: server.baseUrl });
    }
    const drops = [...rec.drops].sort((a, b) => a.taskId.localeCompare(b.taskId));
    assert.deepEqual(drops.map((d) => [d.taskId, d.reason, d.pair?.diff.rejectedLines]), [
      [id(6), "comment-only", [1]],
      [id(7), "judge", [1]],
    ]);
    assert.equal(drops[1].pair?.filters.judge, false);

    // Faults were retried: one 429, one 500, one timeout; the judge ran only on rule survivors.
    assert.equal(server.statuses.get(429), 1);
    assert.equal(server.statuses.get(500), 1);
    assert.equal(server.requests.get(`${id(2)}/refine:2`), 2);
    assert.equal(teacher.usage.retries, 3);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => server.requests.get(`${id(i)}/judge-pair`) ?? 0),
      [0, 1, 1, 1, 0, 1, 0, 1],
    );
    const log = (await Deno.readTextFile(join(out, SYNTH_FILES.requests))).trim().split("\n");
    const served = [...server.requests.values()].reduce((a, b) => a + b, 0);
    assert.equal(log.length, 2 * served); // one request and one response line per attempt

    // Annotation cost: 26 versions (iteration 0 comes with the proposal), 1 skipped proposal and
    // 5 judged pairs are 32 teacher calls; 25 versions carry code (sandbox runs); 4 pairs kept.
    assert.equal(s.cost.teacherCalls, 32);
    assert.equal(s.cost.sandboxRuns, 25);
    assert.equal(s.cost.perPair?.teacherCalls, 8);
    assert.equal(s.cost.promptTokens, teacher.usage.promptTokens);
    assert.equal(s.cost.completionTokens, teacher.usage.completionTokens);
    assert.equal(teacher.usage.calls, 32);

    const statsFile = JSON.parse(await Deno.readTextFile(join(out, SYNTH_FILES.stats)));
    assert.deepEqual(statsFile.funnel, s.funnel);

    // A rerun finds every task finished: no model call, no new line, same statistics.
    const sizes = async () =>
      await Promise.all(
        [SYNTH_FILES.trajectories, SYNTH_FILES.pairs, SYNTH_FILES.drops, SYNTH_FILES.skips].map(
          async (f) => (await Deno.stat(join(out, f))).size,
        ),
      );
    const before = await sizes();
    const calls = teacher.usage.calls;
    const again = await run();
    assert.equal(again.processed, 0);
    assert.equal(again.resumed, 9);
    assert.equal(teacher.usage.calls, calls);
    assert.deepEqual(await sizes(), before);
    // Only the annotation cost's wall time grows: it sums the sessions.
    const { cost, ...rest } = again.stats;
    const { cost: firstCost, ...firstRest } = s;
    assert.deepEqual(rest, firstRest);
    assert.deepEqual({ ...cost, wallS: 0, perPair: null }, {
      ...firstCost,
      wallS: 0,
      perPair: null,
    });
    assert.ok(cost.wallS > firstCost.wallS);
  } finally {
    await teacher.close();
    await pairs.close();
    await sandbox.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("synthesize: a request that fails for good stops the run (resumable); the test judge skips a task", async () => {
  const out = await Deno.makeTempDir();
  const scripts: Record<string, TaskScript> = {
    [id(0)]: inc([INC_RIGHT]),
    [id(2)]: inc([INC_RIGHT], {
      testQuality: '{"accuracy": 2, "effectiveness": 5, "reasonableness": 5}',
    }),
  };
  const server = startTestServer({ scripts });
  const sandbox = new Sandbox({ workers: 1 });
  const pairs = await codeflowPairBuilder();
  const teacher = new OpenAITeacher({ baseUrl: server.baseUrl, retryBaseMs: 1 });
  const run = () =>
    synthesize({
      teacher,
      runner: sandbox,
      outDir: out,
      tasks: 3,
      concurrency: 1,
      pairBuilder: pairs.build,
      testJudge: { judge: teacher, minScore: 3 },
    });
  try {
    // No script for task 1 yet: the server answers 400, which is not retried.
    await assert.rejects(run, {
      name: "TeacherRequestError",
      message: `task call for task "${id(1)}" to ${server.baseUrl} failed after 1 attempt(s): ` +
        `400: 400 no script for task "${id(1)}"`,
    });
    const stopped = JSON.parse(await Deno.readTextFile(join(out, SYNTH_FILES.stats)));
    assert.equal(stopped.trajectories, 1);
    scripts[id(1)] = inc([INC_WRONG, INC_RIGHT]);
    const resumed = await run();
    assert.equal(resumed.resumed, 1);
    assert.equal(resumed.processed, 2);
    assert.equal(resumed.stats.trajectories, 2);
    assert.equal(resumed.stats.funnel.afterJudge, 1);
    const rec = await readSynthRecords(out);
    assert.deepEqual(rec.skips, [{
      schema: "synth.skip/v1",
      index: 2,
      taskId: id(2),
      reason: "tests rejected: accuracy=2 effectiveness=5 reasonableness=5 (min 3)",
    }]);
    assert.equal(server.requests.get(`${id(0)}/task`), 1); // task 0 was not proposed again
    // Every judged task's scores are stored, the rejected one's too (Figure 8's distribution).
    assert.deepEqual(
      rec.testQuality.map((q) => [q.taskId, q.accuracy, q.effectiveness, q.reasonableness]),
      [[id(0), 5, 4, 5], [id(1), 5, 4, 5], [id(2), 2, 5, 5]],
    );
  } finally {
    await teacher.close();
    await pairs.close();
    await sandbox.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
