import assert from "node:assert/strict";
import { join } from "node:path";
import { ResultsFile } from "../../lib/eval/results_file.ts";
import type { SampleResult } from "../../lib/eval/types.ts";

function sample(taskId: string, sampleIndex: number): SampleResult {
  return {
    taskId,
    sampleIndex,
    completion: "c",
    program: "p",
    verdict: "fail",
    errorType: "NameError",
    passedTests: 0,
    totalTests: 3,
    wallMs: 12,
  };
}

Deno.test("results resume: done pairs are skipped and a truncated last line is dropped", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "samples.jsonl");
  const a = await ResultsFile.open(path);
  a.append(sample("T/0", 0));
  a.append(sample("T/0", 1));
  a.append(sample("T/1", 0));
  a.close();
  const full = await Deno.readTextFile(path);
  // A kill in the middle of the third write leaves half a line.
  const cut = full.length - 20;
  await Deno.writeTextFile(path, full.slice(0, cut));

  const b = await ResultsFile.open(path);
  assert.deepEqual(b.all().map((s) => [s.taskId, s.sampleIndex]), [["T/0", 0], ["T/0", 1]]);
  assert.equal(b.has("T/0", 1), true);
  assert.equal(b.has("T/1", 0), false);
  assert.equal(await Deno.readTextFile(path), full.split("\n").slice(0, 2).join("\n") + "\n");
  b.append(sample("T/1", 0));
  b.close();
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.deepEqual(JSON.parse(lines[2]), sample("T/1", 0));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a corrupt complete line is an error naming the file and line", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "samples.jsonl");
  await Deno.writeTextFile(path, JSON.stringify(sample("T/0", 0)) + "\n{nope\n");
  await assert.rejects(
    () => ResultsFile.open(path),
    (e: Error) => e.message.startsWith(`${path}:2: invalid JSON`),
  );
  await Deno.remove(dir, { recursive: true });
});
