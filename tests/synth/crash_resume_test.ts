import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { miniflowTaskId } from "../../lib/miniflow/task_spec.ts";
import { readSynthRecords, SYNTH_FILES } from "../../lib/synth/mod.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const CLI = fileURLToPath(new URL("../../tools/synth.ts", import.meta.url));
const TASKS = 200; // enough work to outlast 10 kills with the zygote sandbox (60 sometimes finished first)

function synthArgs(out: string): string[] {
  return [
    "run",
    "-A",
    CLI,
    "--teacher",
    "miniflow",
    "--tasks",
    String(TASKS),
    "--out",
    out,
    "--seed",
    "3",
    "--concurrency",
    "4",
    "--workers",
    "2",
    "--prepare-batch",
    "8",
  ];
}

function spawn(out: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: synthArgs(out),
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("synth CLI: SIGKILLed at random points >= 10 times, each resumed, ends with every task exactly once", async () => {
  const killed = await Deno.makeTempDir();
  try {
    const rand = mulberry32(20261126);
    let kills = 0;
    const progress: number[] = [];
    const size = async (file: string) => {
      try {
        return (await Deno.stat(join(killed, file))).size;
      } catch {
        return 0;
      }
    };
    while (kills < 10) {
      const startSize = await size(SYNTH_FILES.trajectories);
      const child = spawn(killed);
      let exited = false;
      const status = child.status.then((s) => {
        exited = true;
        return s;
      });
      if (kills % 2 === 0) {
        // A random point at start-up (resume reading, task preparation, first runs).
        await Promise.race([status, new Promise((r) => setTimeout(r, Math.floor(rand() * 1500)))]);
      } else {
        // A random point shortly after this process wrote its first trajectory, whatever the
        // machine's speed: it lands among appends.
        while (!exited && (await size(SYNTH_FILES.trajectories)) === startSize) {
          await new Promise((r) => setTimeout(r, 5));
        }
        await Promise.race([status, new Promise((r) => setTimeout(r, Math.floor(rand() * 300)))]);
      }
      if (exited) assert.fail(`the CLI exited (${(await status).code}) before kill ${kills + 1}`);
      child.kill("SIGKILL");
      assert.equal((await status).signal, "SIGKILL");
      kills++;
      progress.push((await readSynthRecords(killed)).trajectories.length);
    }
    // The kills landed mid-run: work accumulated across them, and some was left to do.
    assert.ok(progress[9] > 0 && progress[9] < TASKS, `trajectories after each kill: ${progress}`);
    console.log(`trajectories after each kill: ${progress.join(" ")}`);
    // Resume to the end.
    const final = await spawn(killed).status;
    assert.equal(final.code, 0);

    const got = await readSynthRecords(killed);
    const ids = got.trajectories.map((t) => t.taskId);
    assert.equal(new Set(ids).size, ids.length, "duplicate trajectories");
    assert.deepEqual(
      [...ids].sort(),
      Array.from({ length: TASKS }, (_, i) => miniflowTaskId("train", i)).sort(),
    );
    const decided = [...got.pairs, ...got.drops].map((r) => r.taskId);
    assert.equal(new Set(decided).size, decided.length, "duplicate pair decisions");
    assert.deepEqual(got.skips, []);
    // Every passing trajectory with a failing version has exactly one pair decision, and every
    // pair is cut from its own trajectory.
    const byId = new Map(got.trajectories.map((t) => [t.taskId, t]));
    const eligible = got.trajectories.filter((t) =>
      t.versions.at(-1)!.verdict === "pass" && t.versions.some((v) => v.verdict !== "pass")
    ).map((t) => t.taskId);
    assert.deepEqual([...decided].sort(), [...eligible].sort());
    assert.ok(got.pairs.length > 0);
    for (const p of [...got.pairs, ...got.drops.flatMap((d) => d.pair ? [d.pair] : [])]) {
      const t = byId.get(p.taskId)!;
      assert.equal(p.chosen, t.versions[p.chosenIteration].code);
      assert.equal(p.rejected, t.versions[p.rejectedIteration].code);
      assert.notEqual(t.versions[p.rejectedIteration].verdict, "pass");
    }
  } finally {
    await Deno.remove(killed, { recursive: true });
  }
});
