import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const REPO = new URL("../..", import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(Deno.execPath(), ["run", "-A", "tools/experiment.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

Deno.test("experiment CLI: unknown study and unknown keys fail, listing the valid ones", async () => {
  const runsDir = await Deno.makeTempDir();
  const a = cli("nope", "--runs-dir", runsDir);
  assert.equal(a.code, 2);
  assert.ok(
    a.stderr.startsWith(
      'experiment: unknown study "nope" (known: beta-sweep, diff-aug, diff-method, diff-method-masks, ' +
        "empty-d-policy, humaneval-plus, hybrid, lambda-sweep, main-results, negative-selection, " +
        "real-model, sampling-vs-debugging, sft-correct-vs-incorrect, symmetric)",
    ),
    a.stderr,
  );
  const b = cli("diff-method-masks", "--synth.maxBug=2", "--runs-dir", runsDir);
  assert.equal(b.code, 1);
  assert.equal(
    b.stderr.trim(),
    'experiment: override "synth.maxBug": unknown key "maxBug" in synth (known: maxBugs, rule)',
  );
  const c = cli("diff-method-masks", "--preset", "huge");
  assert.equal(c.code, 2);
  assert.ok(c.stderr.startsWith('experiment: unknown preset "huge" (known: smoke, paper)'));
  assert.deepEqual([...Deno.readDirSync(runsDir)], []);
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("experiment CLI: runs a study with overrides and prints its table", async () => {
  const runsDir = await Deno.makeTempDir();
  const args = ["diff-method-masks", "--seeds=[136]", "--scale.pairs=1", "--synth.rule=first"];
  const r = cli(...args, "--runs-dir", runsDir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("| LCS (Myers) | lcs | 1 | 17.00 (n=1) | 53.1 (n=1) | 2.00 (n=1) |"));
  assert.match(r.stderr, /cell 3\/3 prefix-suffix seed 136 done in .* · elapsed .* · ETA /);
  const [dir] = [...Deno.readDirSync(runsDir)].map((e) => e.name);
  assert.match(dir, /^diff-method-masks-smoke-[0-9a-f]{8}$/);
  for (const f of ["config.json", "results.jsonl", "table.md", "bar_markedTokens.png"]) {
    assert.ok(existsSync(join(runsDir, dir, f)), f);
  }
  const again = cli(...args, "--runs-dir", runsDir, "--quiet");
  assert.equal(again.code, 0);
  assert.equal(again.stderr, "");
  await Deno.remove(runsDir, { recursive: true });
});
