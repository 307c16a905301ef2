import assert from "node:assert/strict";
import { join } from "node:path";
import { MiniFlowTeacher } from "../../lib/miniflow/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import type { SandboxJob } from "../../lib/sandbox/types.ts";
import {
  codeflowPairBuilder,
  compareTaskIds,
  SYNTH_FILES,
  synthesize,
} from "../../lib/synth/mod.ts";

/**
 * Two fresh syntheses of one config whose tasks finish in different orders (each sandbox run is
 * held back a random few milliseconds) must write the same bytes: the run folder is put in task
 * order when it finishes. Before, the files held the order tasks finished in, so two fresh
 * checkouts cut their pairs in different orders and trained different cells.
 */
Deno.test("synthesize: the same config writes the same files whatever order tasks finish in", async () => {
  const sandbox = new Sandbox({ workers: 2 });
  const pairs = await codeflowPairBuilder({ seed: 1 });
  const jittered = {
    run: async (job: SandboxJob) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      return await sandbox.run(job);
    },
  };
  const synth = async () => {
    const outDir = await Deno.makeTempDir({ prefix: "synth-order-" });
    await synthesize({
      teacher: new MiniFlowTeacher(sandbox, { seed: 1 }),
      runner: jittered,
      outDir,
      tasks: 24,
      firstIndex: 3000,
      concurrency: 8,
      pairBuilder: pairs.build,
    });
    return outDir;
  };
  try {
    const [a, b] = [await synth(), await synth()];
    for (const f of [SYNTH_FILES.trajectories, SYNTH_FILES.pairs, SYNTH_FILES.drops]) {
      const text = await Deno.readTextFile(join(a, f)).catch(() => "");
      assert.equal(await Deno.readTextFile(join(b, f)).catch(() => ""), text, f);
    }
    const ids = (await Deno.readTextFile(join(a, SYNTH_FILES.trajectories))).trim().split("\n")
      .map((l) => JSON.parse(l).taskId as string);
    assert.equal(ids.length, 24);
    assert.deepEqual(ids, [...ids].sort(compareTaskIds));
    assert.equal(ids[0], "miniflow/train/3000");
    assert.equal(ids[23], "miniflow/train/3023");
  } finally {
    await pairs.close();
    await sandbox.close();
  }
});
