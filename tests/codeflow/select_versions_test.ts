import assert from "node:assert/strict";
import { selectVersions } from "../../lib/codeflow/select_versions.ts";
import { trajectory, version } from "./_fixtures.ts";

const t = trajectory("task-1", [
  version(0, "v0", "fail"),
  version(1, "v1", "error"),
  version(2, "v2", "timeout"),
  version(3, "v3", "pass"),
]);

Deno.test("first and last pick the earliest and latest failing version; chosen is the final pass", () => {
  const first = selectVersions(t, { rule: "first" });
  const last = selectVersions(t, { rule: "last" });
  assert.ok(first.kind === "selected" && last.kind === "selected");
  assert.equal(first.chosen.iteration, 3);
  assert.equal(first.rejected.iteration, 0);
  assert.equal(last.rejected.iteration, 2);
});

Deno.test("random is seeded by seed and task id, and reaches every failing version", () => {
  const pick = (seed: number, taskId = "task-1") => {
    const s = selectVersions({ ...t, taskId }, { rule: "random", seed });
    assert.ok(s.kind === "selected");
    return s.rejected.iteration;
  };
  assert.equal(pick(5), pick(5));
  const seen = new Set(Array.from({ length: 60 }, (_, seed) => pick(seed)));
  assert.deepEqual([...seen].sort(), [0, 1, 2]);
  const byTask = new Set(Array.from({ length: 60 }, (_, i) => pick(0, `task-${i}`)));
  assert.deepEqual([...byTask].sort(), [0, 1, 2]);
  // The default rule is random with seed 0.
  const d = selectVersions(t);
  assert.ok(d.kind === "selected");
  assert.equal(d.rejected.iteration, pick(0));
});

Deno.test("no pair from a trajectory that never passes or passes at once", () => {
  assert.deepEqual(
    selectVersions(trajectory("a", [version(0, "x", "fail"), version(1, "y", "fail")])),
    { kind: "none", reason: "never-passed" },
  );
  assert.deepEqual(selectVersions(trajectory("b", [version(0, "x", "pass")])), {
    kind: "none",
    reason: "no-failing-version",
  });
  assert.deepEqual(selectVersions(trajectory("c", [])), { kind: "none", reason: "never-passed" });
});
