import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../tools/synth.ts", import.meta.url));

function _synth(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--teacher", "miniflow", "--workers", "1", ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

async function _run(args: string[]) {
  const o = await _synth(args).output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

Deno.test("synth: a second process on one --out fails at once naming the holder; a killed holder's lock is taken over", async () => {
  const out = await Deno.makeTempDir({ prefix: "synth-lock-" });
  const first = _synth(["--tasks", "400", "--out", out]).spawn();
  try {
    for (let i = 0; i < 600 && !existsSync(join(out, ".lock")); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(existsSync(join(out, ".lock")), "the first run holds the folder");
    const second = await _run(["--tasks", "400", "--out", out]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`${out} is in use by pid ${first.pid} \\(synth, since `),
    );
    assert.doesNotMatch(second.stderr, /rerun the same command/);
  } finally {
    first.kill("SIGKILL");
    await first.status;
  }
  // The killed holder left its lock: the next run takes it over and finishes the work.
  assert.ok(existsSync(join(out, ".lock")));
  const resumed = await _run(["--tasks", "8", "--out", out]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(existsSync(join(out, ".lock")), false, "released at the end");
  const ids = (await Deno.readTextFile(join(out, "trajectories.jsonl"))).trim().split("\n")
    .map((l) => JSON.parse(l).taskId);
  assert.equal(new Set(ids).size, ids.length, "no task twice");
  await Deno.remove(out, { recursive: true });
});

Deno.test("synth: a resume with other data settings fails naming each; --out naming a file fails", async () => {
  const out = await Deno.makeTempDir({ prefix: "synth-config-" });
  const a = await _run(["--tasks", "2", "--seed", "1", "--out", out]);
  assert.equal(a.code, 0, a.stderr);
  const b = await _run(["--tasks", "2", "--seed", "2", "--diff", "ratcliff", "--out", out]);
  assert.equal(b.code, 1);
  assert.match(
    b.stderr,
    /config\.json: cannot resume with other data settings \(seed was 1, now 2; diff was "lcs", now "ratcliff"\)/,
  );
  const stored = JSON.parse(await Deno.readTextFile(join(out, "config.json")));
  assert.deepEqual([stored.seed, stored.diff], [1, "lcs"], "config.json still tells the truth");
  // More tasks (or another concurrency) is the same data: it resumes.
  const c = await _run(["--tasks", "3", "--seed", "1", "--concurrency", "2", "--out", out]);
  assert.equal(c.code, 0, c.stderr);
  const file = join(out, "config.json");
  const d = await _run(["--tasks", "1", "--out", file]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, new RegExp(`^synth: --out ${file}: is a file, expected a folder`));
  await Deno.remove(out, { recursive: true });
});

Deno.test("synth: a resume folder with a duplicated or foreign line is not finished work", async () => {
  const out = await Deno.makeTempDir({ prefix: "synth-dup-" });
  const a = await _run(["--tasks", "6", "--out", out]);
  assert.equal(a.code, 0, a.stderr);
  const path = join(out, "trajectories.jsonl");
  const lines = (await Deno.readTextFile(path)).trim().split("\n");
  await Deno.writeTextFile(path, [...lines, lines[0]].join("\n") + "\n");
  const dup = await _run(["--tasks", "6", "--out", out]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /trajectories\.jsonl: task \S+ appears twice; .*fresh --out/);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  // A pair of a task this folder never synthesised (the seed gives pairs among 6 tasks).
  const pairsPath = join(out, "pairs.jsonl");
  const pair = (await Deno.readTextFile(pairsPath)).trim().split("\n")[0];
  assert.ok(pair, "the run made a pair");
  const foreignPair = JSON.stringify({ ...JSON.parse(pair), taskId: "elsewhere/1" });
  await Deno.writeTextFile(pairsPath, foreignPair + "\n", { append: true });
  const foreign = await _run(["--tasks", "6", "--out", out]);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /pairs\.jsonl: task elsewhere\/1 has no trajectory in /);
  await Deno.remove(out, { recursive: true });
});
