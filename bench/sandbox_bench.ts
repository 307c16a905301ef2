/**
 * Sandbox overhead: a trivial program with one test through the bwrap sandbox, started either
 * by spawning `bwrap … python3` per program or by forking the pre-started zygote, vs a bare
 * `python3 -I -c pass` started the same way, in the same run (DESIGN §5: target <= 1.5x; the
 * zygote aims at <= 1x).
 *
 * Run: `deno bench -A bench/sandbox_bench.ts` (the `startup` group prints the ratio to the
 * baseline), or `deno run -A bench/sandbox_bench.ts [runs]` for an interleaved measurement
 * that prints medians and the ratios to bare. The `zygote, assert in-process` arm runs the assert
 * inside the program instead of as a probe judged outside: the difference is the judge's cost.
 */
import { resolvePython, Sandbox } from "../lib/sandbox/mod.ts";

const python = resolvePython().path;
const JOB = { code: "def f(x):\n    return x + 1\n", tests: "assert f(1) == 2\n" };
const bare = new Deno.Command(python, {
  args: ["-I", "-c", "pass"],
  stdin: "null",
  stdout: "null",
  stderr: "null",
});
const spawned = new Sandbox({ workers: 1, launcher: "spawn" });
const zygote = new Sandbox({ workers: 1, launcher: "zygote" });
/** Spawn without the per-slot cgroup: what joining the cgroup costs each spawned program. */
const spawnedNoCgroup = new Sandbox({ workers: 1, launcher: "spawn", cgroups: false });
/** The same program with its assert run in-process (no probe, no judge): the judge's cost. */
const inProcess = new Sandbox({ workers: 1, launcher: "zygote", judgeAsserts: false });
const pools = [new Sandbox({ launcher: "spawn" }), new Sandbox({ launcher: "zygote" })];
const BATCH = Array.from({ length: 16 }, () => JOB);

async function sandboxed(sb: Sandbox): Promise<void> {
  const r = await sb.run(JOB);
  if (r.verdict !== "pass") throw new Error(`trivial program did not pass: ${JSON.stringify(r)}`);
}

if (import.meta.main) {
  const runs = Number(Deno.args[0] ?? 40);
  const arms = [
    ["bare", () => bare.output()],
    [`${spawned.isolation} spawn`, () => sandboxed(spawned)],
    [`spawn, no cgroup`, () => sandboxed(spawnedNoCgroup)],
    [`${zygote.isolation} zygote`, () => sandboxed(zygote)],
    [`zygote, assert in-process`, () => sandboxed(inProcess)],
  ] as const;
  const wall: Record<string, number[]> = {};
  for (const [name] of arms) wall[name] = [];
  for (let i = 0; i < runs + 3; i++) {
    for (const [name, fn] of arms) {
      const t = performance.now();
      await fn();
      if (i >= 3) wall[name].push(performance.now() - t); // 3 warm-up rounds
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baseWall = median(wall.bare);
  console.log(
    `python: ${python}; ${runs} interleaved runs per arm; load ${Deno.loadavg().join(" ")}`,
  );
  for (const [name] of arms) {
    const w = median(wall[name]);
    console.log(
      `${name.padEnd(26)} median ${w.toFixed(2)} ms  ratio ${(w / baseWall).toFixed(2)}x bare`,
    );
  }
  for (const pool of pools) {
    const t = performance.now();
    await pool.runMany(BATCH);
    const s = (performance.now() - t) / 1000;
    console.log(
      `pool ${pool.launcher} (${pool.config.workers} workers, first batch incl. start-up): ` +
        `${(BATCH.length / s).toFixed(1)} programs/s`,
    );
  }
  await Promise.all(
    [spawned, spawnedNoCgroup, zygote, inProcess, ...pools].map((sb) => sb.close()),
  );
} else {
  Deno.bench({
    name: "bare python3 -I -c pass",
    group: "startup",
    baseline: true,
    fn: async () => void await bare.output(),
  });
  Deno.bench({
    name: `sandbox trivial program (${spawned.isolation}, spawn)`,
    group: "startup",
    fn: async () => await sandboxed(spawned),
  });
  Deno.bench({
    name: `sandbox trivial program (${zygote.isolation}, zygote)`,
    group: "startup",
    fn: async () => await sandboxed(zygote),
  });
  for (const pool of pools) {
    Deno.bench({
      name:
        `sandbox runMany 16 trivial programs (${pool.launcher}, ${pool.config.workers} workers)`,
      fn: async () => void await pool.runMany(BATCH),
    });
  }
}
