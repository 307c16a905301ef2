import assert from "node:assert/strict";
import { readPairs } from "../../lib/codeflow/jsonl.ts";
import { appendJsonl } from "../../lib/core/mod.ts";
import { resumeJsonl } from "../../lib/codeflow/resume.ts";
import { validatePair } from "../../lib/codeflow/validate.ts";
import { pair } from "./_fixtures.ts";

async function tmp(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("resume drops a torn last line, truncates it away, and appending continues cleanly", async () => {
  const full = JSON.stringify(pair("t1")) + "\n" + JSON.stringify(pair("t2")) + "\n";
  const torn = JSON.stringify(pair("t3")).slice(0, 40);
  const path = await tmp(full + torn);
  try {
    const state = await resumeJsonl(path, validatePair);
    assert.deepEqual([...state.taskIds], ["t1", "t2"]);
    assert.equal(state.records, 2);
    assert.equal(state.truncatedBytes, 40);
    assert.equal(await Deno.readTextFile(path), full);
    await appendJsonl(path, [pair("t3")]);
    const ids: string[] = [];
    for await (const p of readPairs(path)) ids.push(p.taskId);
    assert.deepEqual(ids, ["t1", "t2", "t3"]);
    // A clean file is left untouched.
    assert.equal((await resumeJsonl(path)).truncatedBytes, 0);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("resume: a malformed line in the middle, or a complete bad last line, is an error", async () => {
  const middle = await tmp('{"taskId":"a"}\n{"taskId":\n{"taskId":"c"}\n');
  const last = await tmp('{"taskId":"a"}\n{"taskId":"b"\n');
  const noId = await tmp('{"taskId":"a"}\n{"id":"b"}\n');
  try {
    await assert.rejects(() => resumeJsonl(middle), (e: Error) => {
      assert.match(e.message, new RegExp(`^${middle}:2: invalid JSON`));
      return true;
    });
    await assert.rejects(() => resumeJsonl(last), (e: Error) => {
      assert.match(e.message, new RegExp(`^${last}:2: invalid JSON`));
      return true;
    });
    await assert.rejects(() => resumeJsonl(noId), {
      message: `${noId}:2: field "taskId": expected string, found nothing`,
    });
    // Nothing was truncated.
    assert.equal(await Deno.readTextFile(middle), '{"taskId":"a"}\n{"taskId":\n{"taskId":"c"}\n');
  } finally {
    for (const p of [middle, last, noId]) await Deno.remove(p);
  }
});

Deno.test("resume of a missing file finds nothing finished", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const state = await resumeJsonl(`${dir}/none.jsonl`);
    assert.equal(state.taskIds.size, 0);
    assert.equal(state.records, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
