import assert from "node:assert/strict";
import type { Trajectory } from "../../lib/core/mod.ts";
import { resolvePython, Sandbox } from "../../lib/sandbox/mod.ts";
import {
  codeflowPairBuilder,
  coverageSitePackages,
  lowCoverage,
  measureCoverage,
  OpenAITeacher,
  readSynthRecords,
  synthesize,
} from "../../lib/synth/mod.ts";
import { startTestServer, type TaskScript } from "../../testing/openai/mod.ts";

// Five statements (def, if, return x, y = -x, return y) and two branch arcs out of the `if`.
const ABS = "def f(x):\n    if x > 0:\n        return x\n    y = -x\n    return y\n";
const trajectory = (id: string, tests: string, code = ABS): Trajectory => ({
  schema: "codeflow.trajectory/v1",
  taskId: id,
  teacher: { kind: "miniflow", model: "miniflow-v1" },
  prompt: "",
  entryPoint: "f",
  tests,
  versions: [
    {
      iteration: 0,
      code: "def f(x):\n    return x\n",
      verdict: "fail",
      passedTests: 1,
      totalTests: 2,
    },
    { iteration: 1, code, verdict: "pass", passedTests: 2, totalTests: 2 },
  ],
});

Deno.test("coverage.py in the sandbox: line and branch counts by hand; a failed run is named", async () => {
  const sandbox = new Sandbox({
    workers: 2,
    sitePackages: [coverageSitePackages(resolvePython().path)],
  });
  try {
    const { records, failures } = await measureCoverage(sandbox, [
      trajectory("positive-only", "assert f(2) == 2\nassert f(3) == 3\n"),
      trajectory("both", "assert f(2) == 2\nassert f(-1) == 1\n"),
      trajectory("check-style", "def check(candidate):\n    assert candidate(-2) == 2\n"),
      // A failing test still counts what it ran; the program's own crash does not hide counts.
      trajectory("failing-test", "assert f(-1) == 99\n"),
      trajectory("hostile", "assert True\n", "import os\nos._exit(0)\n"),
      { ...trajectory("never-passes", ""), versions: [] },
    ]);
    assert.deepEqual(
      records.map((
        r,
      ) => [
        r.taskId,
        r.iteration,
        r.lines.covered,
        r.lines.total,
        r.branches.covered,
        r.branches.total,
      ]),
      [
        ["positive-only", 1, 3, 5, 1, 2],
        ["both", 1, 5, 5, 2, 2],
        ["check-style", 1, 4, 5, 1, 2],
        ["failing-test", 1, 4, 5, 1, 2],
      ],
    );
    assert.equal(failures.length, 1);
    assert.equal(failures[0].taskId, "hostile");
    assert.match(failures[0].reason, /^coverage run failed \(error, HarnessIncomplete/);
    assert.equal(lowCoverage(records[0], { lines: 0.6, branches: 0 }), undefined);
    assert.equal(
      lowCoverage(records[0], { lines: 0.61, branches: 0 }),
      "line coverage 60.0% < 61.0%",
    );
    assert.equal(
      lowCoverage(records[2], { lines: 0, branches: 0.75 }),
      "branch coverage 50.0% < 75.0%",
    );
  } finally {
    await sandbox.close();
  }
});

Deno.test("the synth coverage filter drops a task whose tests miss a branch", async () => {
  const out = await Deno.makeTempDir();
  const id = (i: number) => `openai-0-${String(i).padStart(6, "0")}`;
  const script = (tests: string): TaskScript => ({
    instruction: "Absolute value.",
    entryPoint: "f",
    tests,
    versions: ["def f(x):\n    return -x\n", ABS],
  });
  const server = startTestServer({
    scripts: {
      [id(0)]: script("assert f(2) == 2\nassert f(-1) == 1\n"), // both branches: kept
      [id(1)]: script("assert f(2) == 2\nassert f(5) == 5\n"), // never x <= 0: dropped
    },
  });
  const sandbox = new Sandbox({ workers: 2 });
  const coverageSandbox = new Sandbox({
    workers: 2,
    sitePackages: [coverageSitePackages(sandbox.config.pythonPath)],
  });
  const pairs = await codeflowPairBuilder();
  const teacher = new OpenAITeacher({ baseUrl: server.baseUrl, retryBaseMs: 1 });
  try {
    const { stats } = await synthesize({
      teacher,
      runner: sandbox,
      outDir: out,
      tasks: 2,
      concurrency: 1,
      pairBuilder: pairs.build,
      coverage: { runner: coverageSandbox, minLines: 0.8, minBranches: 1 },
    });
    const rec = await readSynthRecords(out);
    assert.deepEqual(rec.coverage.map((c) => [c.taskId, c.lines.covered, c.branches.covered]), [
      [id(0), 5, 2],
      [id(1), 3, 1],
    ]);
    assert.deepEqual(rec.pairs.map((p) => p.taskId), [id(0)]);
    assert.deepEqual(rec.drops, [{
      schema: "synth.pair-drop/v1",
      taskId: id(1),
      reason: "low-coverage",
      detail: "line coverage 60.0% < 80.0%",
    }]);
    assert.deepEqual(stats.funnel.drops, { "low-coverage": 1 });
  } finally {
    await teacher.close();
    await pairs.close();
    await sandbox.close();
    await coverageSandbox.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
