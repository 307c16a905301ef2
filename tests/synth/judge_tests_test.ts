import assert from "node:assert/strict";
import { join } from "node:path";
import { toJsonl, type Trajectory } from "../../lib/core/mod.ts";
import { KIT_ROOT, runTool } from "../../testing/cli/mod.ts";
import { startTestServer, type TaskScript } from "../../testing/openai/mod.ts";

const CLI = join(KIT_ROOT, "tools", "judge_tests.ts");

const judgeTests = (args: string[]) => runTool(CLI, args);

const task = (id: string): Trajectory => ({
  schema: "codeflow.trajectory/v1",
  taskId: id,
  teacher: { kind: "miniflow", model: "miniflow-v1" },
  prompt: "def inc(x):\n",
  entryPoint: "inc",
  tests: "assert inc(1) == 2\n",
  versions: [{
    iteration: 0,
    code: "def inc(x):\n    return x + 1\n",
    verdict: "pass",
    passedTests: 1,
    totalTests: 1,
  }],
});
const scores = (a: number, e: number, r: number, extra: Partial<TaskScript> = {}): TaskScript => ({
  instruction: "",
  entryPoint: "inc",
  tests: "",
  versions: [""],
  testQuality: `{"accuracy": ${a}, "effectiveness": ${e}, "reasonableness": ${r}}`,
  ...extra,
});

Deno.test("judge-tests against the scripted server: scores per task, distribution by hand, resumes", async () => {
  const dir = await Deno.makeTempDir();
  const server = startTestServer({
    scripts: {
      a: scores(5, 4, 5),
      b: scores(3, 2, 5),
      // The first answer is malformed: a rerun judges c again.
      c: scores(5, 4, 1, {
        faults: { "judge-tests": [{ kind: "malformed", text: "Fine tests." }] },
      }),
    },
  });
  try {
    const runFile = join(dir, "run.jsonl");
    await Deno.writeTextFile(runFile, toJsonl([task("a"), task("b"), task("c")]));
    const out = join(dir, "out");
    const args = [
      "--runs",
      runFile,
      "--base-url",
      server.baseUrl,
      "--out",
      out,
      "--concurrency",
      "1",
    ];
    const first = await judgeTests(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /malformed answer: c: test-quality answer has no integer 1-5 for accuracy/,
    );
    assert.match(first.stderr, /1 malformed answers; rerun to retry them/);
    const second = await judgeTests(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.requests.get("a/judge-tests"), 1); // judged once, kept across the rerun
    assert.equal(server.requests.get("c/judge-tests"), 2);
    const md = await Deno.readTextFile(join(out, "test_quality.md"));
    assert.match(md, /Tasks judged per run: 3\./);
    // accuracy 5, 3, 5: mean 4.33, two of three scored 4 or 5; reasonableness 5, 5, 1.
    assert.match(md, /\| accuracy \| 4\.33 \(n=1\) \| 66\.7 \(n=1\) \|/);
    assert.match(md, /\| effectiveness \| 3\.33 \(n=1\) \| 66\.7 \(n=1\) \|/);
    assert.match(md, /\| reasonableness \| 3\.67 \(n=1\) \| 66\.7 \(n=1\) \|/);
    const lines = (await Deno.readTextFile(join(out, "test_quality_0.jsonl"))).trim().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l).taskId).sort(), ["a", "b", "c"]);
    await Deno.stat(join(out, "test_quality.png"));
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
