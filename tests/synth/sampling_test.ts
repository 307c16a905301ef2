import assert from "node:assert/strict";
import { join } from "node:path";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import {
  codeflowPairBuilder,
  formatSynthStats,
  OpenAITeacher,
  readSynthRecords,
  SYNTH_FILES,
  synthesize,
} from "../../lib/synth/mod.ts";
import { startTestServer, type TaskScript } from "../../testing/openai/mod.ts";

const id = (i: number) => `openai-0-${String(i).padStart(6, "0")}`;
const dbl = (body: string) => `def dbl(x):\n${body}`;
const TESTS = "assert dbl(0) == 0\nassert dbl(1) == 2\nassert dbl(3) == 6\nassert dbl(-2) == -4\n";
const RIGHT = dbl("    y = x\n    return y * 2\n");
const PLUS = dbl("    y = x\n    return y + 2\n"); // passes none of the four tests
const SQUARE = dbl("    y = x\n    return y * y\n"); // passes dbl(0)
const SELF = dbl("    y = x\n    return y + x\n"); // right, written differently

const script = (versions: string[], samples: string[], extra: Partial<TaskScript> = {}) => ({
  instruction: "Double x.",
  entryPoint: "dbl",
  tests: TESTS,
  versions,
  samples,
  ...extra,
});

/** Four tasks, four samples each: sample 0 is the task answer's code, then the scripted ones. */
const SCRIPTS: Record<string, TaskScript> = {
  // 0: pass, fail (0/4), fail (1/4), pass (other code): the fewest-passed sample 1 is rejected.
  [id(0)]: script([RIGHT], [PLUS, SQUARE, SELF]),
  // 1: every sample fails: no pair. The first sample request gets a 500 (retried).
  [id(1)]: script([PLUS], [SQUARE, PLUS, SQUARE], {
    faults: { sample: [{ kind: "status", status: 500 }] },
  }),
  // 2: every sample passes: no pair.
  [id(2)]: script([RIGHT], [SELF, RIGHT, SELF]),
  // 3: the first attempt fails (1/4), sample 1 too (0/4); sample 2 is malformed; 3 passes.
  [id(3)]: script([SQUARE], [PLUS, "no code here", RIGHT], {
    faults: { sample: [{ kind: "ok" }, { kind: "malformed", text: "Sorry, I cannot." }] },
  }),
};

Deno.test("synthesis by sampling against the scripted server: exact samples, pass-vs-fail pairs, cost", async () => {
  const out = await Deno.makeTempDir();
  const server = startTestServer({ scripts: SCRIPTS });
  const sandbox = new Sandbox({ workers: 2 });
  const pairs = await codeflowPairBuilder({
    selection: "pass-vs-fail",
    passFail: { ranking: "fewest-passed" },
  });
  const teacher = new OpenAITeacher({
    baseUrl: server.baseUrl,
    model: "scripted",
    retryBaseMs: 1,
    concurrency: 2,
    logPath: join(out, SYNTH_FILES.requests),
  });
  try {
    const { stats } = await synthesize({
      teacher,
      runner: sandbox,
      outDir: out,
      tasks: 4,
      concurrency: 2,
      samples: 4,
      pairBuilder: pairs.build,
    });
    const rec = await readSynthRecords(out);
    const outcome = (i: number) =>
      rec.trajectories.find((t) => t.taskId === id(i))!.versions.map((v) =>
        `${v.iteration}:${v.verdict}:${v.passedTests}/${v.totalTests}`
      );
    assert.deepEqual(rec.trajectories.map((t) => t.source), Array(4).fill("sampling"));
    assert.deepEqual(outcome(0), ["0:pass:4/4", "1:fail:0/4", "2:fail:1/4", "3:pass:4/4"]);
    assert.deepEqual(outcome(1), ["0:fail:0/4", "1:fail:1/4", "2:fail:0/4", "3:fail:1/4"]);
    assert.deepEqual(outcome(2), ["0:pass:4/4", "1:pass:4/4", "2:pass:4/4", "3:pass:4/4"]);
    assert.deepEqual(outcome(3), ["0:fail:1/4", "1:fail:0/4", "2:error:0/0", "3:pass:4/4"]);
    // The sample passing the fewest tests is rejected (task 3's malformed sample 2 carries no
    // code and is never a candidate); task 0's chosen is one of its two passing samples.
    assert.deepEqual(
      rec.pairs.map((p) => [p.taskId, p.chosenIteration, p.rejectedIteration, p.selection.rule]),
      [[id(0), rec.pairs[0].chosenIteration, 1, "pass-vs-fail"], [id(3), 3, 1, "pass-vs-fail"]],
    );
    assert.ok([0, 3].includes(rec.pairs[0].chosenIteration));
    assert.deepEqual(rec.pairs.map((p) => p.diff.rejectedLines), [[2], [2]]);
    assert.equal(rec.pairs[1].rejected, PLUS);
    assert.equal(rec.pairs[1].chosen, RIGHT);
    // Pass within k samples: tasks 0 and 2 at sample 0, task 3 at sample 3.
    assert.deepEqual(stats.passCountByIteration, [2, 2, 2, 3]);
    assert.equal(stats.source, "sampling");
    assert.match(formatSynthStats(stats), /pass rate within 4 samples\s+75\.0% \(3\)/);
    // 16 calls: 4 task answers and 12 sample answers (the 500 retry is a request, not a call);
    // 15 sandbox runs (the malformed sample never runs); 2 kept pairs.
    assert.equal(stats.cost.teacherCalls, 16);
    assert.equal(stats.cost.sandboxRuns, 15);
    assert.equal(stats.cost.keptPairs, 2);
    assert.equal(stats.cost.perPair?.teacherCalls, 8);
    assert.ok(stats.cost.promptTokens > 0 && stats.cost.completionTokens > 0);
    assert.equal(teacher.usage.calls, 16);
    assert.equal(teacher.usage.promptTokens, stats.cost.promptTokens);
    assert.equal(teacher.usage.completionTokens, stats.cost.completionTokens);
    assert.equal(rec.sessions.length, 1);
    assert.ok(stats.cost.wallS > 0 && stats.cost.wallS === rec.sessions[0].wallS);
    assert.equal(server.requests.get(`${id(1)}/sample`), 4);
  } finally {
    await teacher.close();
    await pairs.close();
    await sandbox.close();
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
