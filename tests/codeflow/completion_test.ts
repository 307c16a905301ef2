import assert from "node:assert/strict";
import {
  buildPairs,
  completionOf,
  pairCompletions,
  shiftDiff,
  toTrlRecord,
} from "../../lib/codeflow/mod.ts";
import type { Trajectory, Verdict } from "../../lib/core/mod.ts";
import { lineDiff } from "../../lib/diff/mod.ts";
import { wsTokenizer } from "./_fixtures.ts";

const PROMPT = "def f(x):\n";
const FIXED = "    y = x + 1\n    return y\n";
const BUGGY = "    y = x - 1\n    return y\n";

Deno.test("completionOf and shiftDiff: the body after a MiniFlow prompt, diff lines shifted", () => {
  assert.deepEqual(completionOf(PROMPT, PROMPT + FIXED), { completion: FIXED, lineOffset: 1 });
  const diff = {
    method: "lcs" as const,
    chosenLines: [1],
    rejectedLines: [1],
    hunks: [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }],
  };
  assert.deepEqual(shiftDiff(diff, 1, "a"), {
    method: "lcs",
    chosenLines: [0],
    rejectedLines: [0],
    hunks: [{ rejectedStart: 0, rejectedEnd: 1, chosenStart: 0, chosenEnd: 1 }],
  });
  assert.throws(
    () => shiftDiff(diff, 2, "task-9"),
    /task-9: the diff changes prompt line 1 \(the prompt has 2 lines\)/,
  );
});

Deno.test("pairCompletions: both versions start with the prompt, or neither", () => {
  const p = { taskId: "t", prompt: PROMPT, diff: lineDiff(PROMPT + BUGGY, PROMPT + FIXED, "lcs") };
  const c = pairCompletions({ ...p, chosen: PROMPT + FIXED, rejected: PROMPT + BUGGY });
  assert.deepEqual(c, {
    promptLines: 1,
    chosen: FIXED,
    rejected: BUGGY,
    diff: {
      method: "lcs",
      chosenLines: [0],
      rejectedLines: [0],
      hunks: [{ rejectedStart: 0, rejectedEnd: 1, chosenStart: 0, chosenEnd: 1 }],
    },
  });
  assert.throws(
    () => pairCompletions({ ...p, chosen: PROMPT + FIXED, rejected: BUGGY }),
    /t: only one of chosen and rejected starts with the prompt/,
  );
  // An instruction prompt: the completions are the whole code, the diff unshifted.
  const whole = pairCompletions({ ...p, prompt: "Write f.", chosen: FIXED, rejected: BUGGY });
  assert.equal(whole.promptLines, 0);
  assert.equal(whole.chosen, FIXED);
});

function _traj(versions: readonly [string, Verdict][]): Trajectory {
  return {
    schema: "codeflow.trajectory/v1",
    taskId: "t",
    teacher: { kind: "miniflow", model: "miniflow-v1" },
    prompt: PROMPT,
    entryPoint: "f",
    tests: "",
    versions: versions.map(([code, verdict], iteration) => ({
      iteration,
      code,
      verdict,
      passedTests: 0,
      totalTests: 1,
    })),
  };
}

Deno.test("buildPairs: masks index the completion, so the TRL export's prompt + chosen is the code", async () => {
  const [r] = await buildPairs([_traj([[PROMPT + BUGGY, "fail"], [PROMPT + FIXED, "pass"]])], {
    tokenizer: wsTokenizer,
  });
  assert.ok(r.kind === "pair");
  assert.deepEqual(r.pair.diff.rejectedLines, [1]); // full code: after the prompt's line
  assert.deepEqual(r.pair.completion.diff.rejectedLines, [0]);
  // wsTokenizer splits at spaces: "    y = x - 1\n" is the tokens before " return".
  const tokens = wsTokenizer.encodeWithOffsets(BUGGY);
  const line0 = tokens.offsets.filter(([s]) => s < BUGGY.indexOf("\n") + 1).length;
  assert.deepEqual(r.pair.masks?.rejected, [[0, line0]]);
  assert.deepEqual(r.tokens?.rejected.ids, tokens.ids);
  const trl = toTrlRecord(r.pair);
  // Before completions existed, chosen repeated the prompt (TRL saw the signature twice) and the
  // masks indexed the prompt's tokens as well.
  assert.equal(trl.prompt + trl.chosen, PROMPT + FIXED);
  assert.equal(trl.rejected, BUGGY);
  assert.deepEqual(trl.rejected_lines, [0]);
  assert.deepEqual(trl.rejected_mask_spans, [[0, line0]]);
});
