import assert from "node:assert/strict";
import { PyAstService } from "../../lib/codeflow/mod.ts";
import type { Trajectory, Verdict } from "../../lib/core/mod.ts";
import { trainTokenizer } from "../../lib/model/mod.ts";
import { buildPreferenceDataset, kitTokenization } from "../../lib/pipeline/preference_dataset.ts";

const PROMPT = "def f(x):\n";

function _traj(taskId: string, bodies: readonly [string, Verdict][]): Trajectory {
  return {
    schema: "codeflow.trajectory/v1",
    taskId,
    teacher: { kind: "miniflow", model: "miniflow-v1" },
    prompt: PROMPT,
    entryPoint: "f",
    tests: "assert f(1) == 2",
    versions: bodies.map(([body, verdict], iteration) => ({
      iteration,
      code: PROMPT + body,
      verdict,
      passedTests: verdict === "pass" ? 1 : 0,
      totalTests: 1,
    })),
  };
}

const FIXED = "    y = x + 1\n    return y\n";
const TRAJECTORIES: Trajectory[] = [
  // a: one wrong operator on completion line 0
  _traj("a", [["    y = x - 1\n    return y\n", "fail"], [FIXED, "pass"]]),
  // b: the fix only adds `return y` after the last line: D- is empty
  _traj("b", [["    y = x + 1\n", "fail"], [FIXED, "pass"]]),
  // c: the fix only removes a comment line: dropped by comment-only (and same-ast)
  _traj("c", [["    # old note\n" + FIXED, "fail"], [FIXED, "pass"]]),
  // d: never passes; e: passes at once (no failing version)
  _traj("d", [["    return x\n", "fail"], ["    return x * 2\n", "fail"]]),
  _traj("e", [[FIXED, "pass"]]),
];

async function _tokenizer() {
  return await trainTokenizer([PROMPT + FIXED, PROMPT + "    y = x - 1\n    return y\n"]);
}

Deno.test("buildPreferenceDataset: hand-checked masks, counts per empty-D- policy", async () => {
  const tokenizer = await _tokenizer();
  // "    y = x - 1\n    return y\n" tokenises as
  // ["   "," y"," ="," x"," ","-"," ","1","\n" | "   "," return"," y","\n"]: line 0 is tokens 0-8
  const a = tokenizer.encodeWithOffsets("    y = x - 1\n    return y\n");
  assert.deepEqual(a.offsets.slice(8, 10), [[13, 14], [14, 17]]);
  const pyAst = new PyAstService();
  await pyAst.start();
  try {
    const keep = await buildPreferenceDataset({
      trajectories: TRAJECTORIES,
      ...kitTokenization(tokenizer),
      pyAst,
      seed: 0,
    });
    assert.deepEqual(keep.counts, {
      trajectories: 5,
      teacherCalls: 9, // one per version
      passing: 4,
      candidates: 3,
      emptyRejected: {
        "non-empty": 2,
        keep: 1,
        drop: 0,
        "anchor-insertion": 0,
        "anchor-last-line": 0,
        "anchor-none": 0,
      },
      filtered: 1,
      filterFailures: { "comment-only": 1, "too-many-lines": 0, "too-long": 0, "same-ast": 1 },
      kept: 2,
    });
    const [pa, pb] = keep.examples;
    assert.deepEqual(keep.records.map((r) => r.taskId), ["a", "b"]);
    assert.equal(pa.id, "a");
    assert.deepEqual(pa.promptIds, [tokenizer.bosId, ...tokenizer.encode(PROMPT)]);
    assert.deepEqual(pa.rejectedIds, a.ids);
    assert.deepEqual(pa.rejectedSpans, [[0, 9]]); // D- = completion line 0
    assert.deepEqual(pa.chosenSpans, [[0, 9]]); // D+ = "    y = x + 1\n", also 9 tokens
    assert.deepEqual(keep.records[0].diff.rejectedLines, [0]);
    assert.deepEqual(pb.rejectedSpans, []); // keep: the rejected term is 0
    assert.equal(keep.records[1].emptyRejected, "keep");

    const k1 = await buildPreferenceDataset({
      trajectories: TRAJECTORIES,
      ...kitTokenization(tokenizer),
      pyAst,
      seed: 0,
      contextLines: 1,
    });
    assert.deepEqual(k1.examples[0].rejectedSpans, [[0, 13]]); // line 0 plus its neighbour
    assert.equal(k1.records[0].contextLines, 1);

    const drop = await buildPreferenceDataset({
      trajectories: TRAJECTORIES,
      ...kitTokenization(tokenizer),
      pyAst,
      seed: 0,
      emptyRejected: "drop",
    });
    assert.equal(drop.counts.emptyRejected.drop, 1);
    assert.equal(drop.counts.emptyRejected.keep, 0);
    assert.equal(drop.counts.kept, 1);
    assert.deepEqual(drop.records.map((r) => r.taskId), ["a"]);

    const anchor = await buildPreferenceDataset({
      trajectories: TRAJECTORIES,
      ...kitTokenization(tokenizer),
      pyAst,
      seed: 0,
      emptyRejected: "anchor",
    });
    // `return y` was inserted after the last rejected line: its first token ("   ") is marked
    assert.equal(anchor.counts.emptyRejected["anchor-last-line"], 1);
    assert.deepEqual(anchor.examples[1].rejectedSpans, [[0, 1]]);
    for (const d of [keep, drop, anchor]) {
      const cases = Object.values(d.counts.emptyRejected).reduce((x, y) => x + y, 0);
      assert.equal(cases, d.counts.candidates);
      assert.equal(
        d.counts.kept,
        d.counts.candidates - d.counts.emptyRejected.drop - d.counts.filtered,
      );
    }

    // "random1to2": one draw per pair per seed, the same on every call
    const r = async (seed: number) =>
      (await buildPreferenceDataset({
        trajectories: TRAJECTORIES,
        ...kitTokenization(tokenizer),
        pyAst,
        seed,
        contextLines: "random1to2",
      })).records.map((x) => x.contextLines);
    const s3 = await r(3);
    assert.deepEqual(await r(3), s3);
    assert.ok(s3.every((k) => k === 1 || k === 2), JSON.stringify(s3));
  } finally {
    await pyAst.close();
  }
});
