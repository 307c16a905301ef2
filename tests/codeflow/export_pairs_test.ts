import assert from "node:assert/strict";
import { writeReferenceJson, writeTrlJsonl } from "../../lib/codeflow/export_pairs.ts";
import { pair } from "./_fixtures.ts";

Deno.test("export: reference JSON list and TRL JSONL, filtered pairs left out by default", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kept = {
      ...pair("t1"),
      masks: {
        tokenizer: "tok",
        chosen: [[3, 5]] as [number, number][],
        rejected: [[3, 6]] as [number, number][],
      },
    };
    const filtered = { ...pair("t2"), filters: { "same-ast": false } };
    const ref = `${dir}/ref.json`;
    assert.equal(await writeReferenceJson(ref, [kept, filtered]), 1);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(ref)), [
      { prompt: "p", chosen: kept.chosen, rejected: kept.rejected },
    ]);
    assert.equal(await writeReferenceJson(ref, [kept, filtered], { onlyPassing: false }), 2);
    assert.equal(JSON.parse(await Deno.readTextFile(ref)).length, 2);

    const trl = `${dir}/trl.jsonl`;
    assert.equal(await writeTrlJsonl(trl, [kept, filtered, pair("t3")]), 2);
    const lines = (await Deno.readTextFile(trl)).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], {
      prompt: "p",
      chosen: kept.chosen,
      rejected: kept.rejected,
      rejected_mask_spans: [[3, 6]],
      chosen_mask_spans: [[3, 5]],
      mask_tokenizer: "tok",
      rejected_lines: [1],
      chosen_lines: [1],
      diff_method: "lcs",
      task_id: "t1",
      teacher: "miniflow:miniflow-v1",
    });
    assert.equal(lines[1].task_id, "t3");
    assert.equal(lines[1].rejected_mask_spans, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
