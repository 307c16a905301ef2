import assert from "node:assert/strict";
import { CellGuard } from "../../lib/plot/mod.ts";

Deno.test("CellGuard: one error, later cells skipped, the failed cell reruns and ends the skipping", async () => {
  const notes: string[] = [];
  const guard = new CellGuard({ note: (t) => notes.push(t) });
  let interrupted = true;
  const study = () => {
    if (interrupted) throw new Error("study interrupted\nsecond line");
    return "run";
  };
  const table = () => "table";
  assert.equal(await guard.run(() => "config ok"), "config ok");
  await assert.rejects(guard.run(study), /study interrupted/);
  assert.equal(guard.failure, "Error: study interrupted");
  assert.equal(await guard.run(table), undefined);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^skipped: an earlier cell failed \(Error: study interrupted\); rerun/);
  interrupted = false;
  assert.equal(await guard.run(study), "run", "the failed cell itself runs again");
  assert.equal(guard.failure, null);
  assert.equal(await guard.run(table), "table");
  assert.equal(notes.length, 1);
});

Deno.test("CellGuard: a non-Error throw is named too, and async cells are awaited", async () => {
  const guard = new CellGuard({ note: () => {} });
  await assert.rejects(guard.run(async () => {
    await Promise.resolve();
    throw "bad value";
  }));
  assert.equal(guard.failure, "bad value");
});
