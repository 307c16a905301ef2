/**
 * The adversarial suite (issue #20) through the eval CLI: every hostile program scores pass@1
 * exactly 0 on HumanEval+ in every isolation mode the kit allows, and under bubblewrap no run
 * leaves a file on the host. `unshare` needs root; as another user that mode is not run.
 */
import assert from "node:assert/strict";
import { runAdversarialSuite, SUITE_MODES } from "../../testing/adversarial/mod.ts";

Deno.test("adversarial suite via deno task eval: pass@1 is exactly 0 in every mode", async () => {
  const modes = SUITE_MODES.filter((m) => m !== "unshare" || Deno.uid() === 0);
  const workDir = await Deno.makeTempDir({ prefix: "adversarial-test-" });
  try {
    const cells = await runAdversarialSuite({ modes, tasks: 3, workDir });
    assert.equal(cells.length, modes.length * 6);
    for (const c of cells) {
      assert.equal(c.passAt1, 0, `${c.attack} under ${c.mode}: ${JSON.stringify(c.verdicts)}`);
      assert.equal(c.verdicts.pass ?? 0, 0);
    }
    const bwrap = cells.filter((c) => c.mode === "bwrap");
    assert.deepEqual(bwrap.map((c) => c.hostFilesLeft), bwrap.map(() => 0));
    // The weaker modes do leave files (their banner says so): the check can fail.
    const rlimits = cells.find((c) => c.mode === "rlimits" && c.attack === "cross-run-files")!;
    assert.ok(rlimits.hostFilesLeft > 0, "rlimits is expected to let files persist");
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
