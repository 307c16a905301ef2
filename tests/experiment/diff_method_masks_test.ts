import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runStudy } from "../../lib/experiment/mod.ts";
import { diffMethodMasks } from "../../experiments/diff_method_masks.ts";
import { FUNCTIONS, mutatedTrajectories } from "../../experiments/_mutated_trajectories.ts";
import { o200kOffsetTokenizer } from "../../experiments/_o200k_offsets.ts";
import { STUDIES } from "../../experiments/mod.ts";

Deno.test("mutatedTrajectories: deterministic, one bug fixed per iteration, last version correct", () => {
  const ts = mutatedTrajectories({ count: 20, seed: 3 });
  assert.deepEqual(mutatedTrajectories({ count: 20, seed: 3 }), ts);
  assert.notDeepEqual(mutatedTrajectories({ count: 20, seed: 4 }), ts);
  for (const t of ts) {
    const last = t.versions.at(-1)!;
    assert.equal(last.verdict, "pass");
    assert.ok(FUNCTIONS.includes(last.code), t.taskId);
    assert.ok(t.versions.length >= 2 && t.versions.length <= 4, t.taskId); // 1..3 bugs
    const codes = new Set(t.versions.map((v) => v.code));
    assert.equal(codes.size, t.versions.length, `${t.taskId}: every fix changes the code`);
    assert.deepEqual(t.versions.map((v) => v.iteration), t.versions.map((_, i) => i));
  }
  // seed 136, item 0: word_lengths with a deleted `lengths = {}` and two edits, fixed in 3 steps
  const [t] = mutatedTrajectories({ count: 1, seed: 136 });
  assert.equal(t.versions.length, 4);
  assert.equal(t.entryPoint, "word_lengths");
  assert.equal(
    t.versions[0].code,
    "def word_lengths(text):\n    words = text.lstrip().split()\n    for w in words:\n" +
      "        lengths[w] = len(words)\n    return lengths\n",
  );
  assert.throws(
    () => mutatedTrajectories({ count: 1, seed: 0, maxBugs: 0 }),
    /maxBugs >= 1, found 0/,
  );
});

Deno.test("o200kOffsetTokenizer: offsets tile the text", async () => {
  const tok = await o200kOffsetTokenizer();
  const text = FUNCTIONS[0];
  const { ids, offsets } = tok.encodeWithOffsets(text);
  assert.equal(ids.length, offsets.length);
  assert.equal(offsets[0][0], 0);
  assert.equal(offsets.at(-1)![1], text.length);
  for (let i = 1; i < offsets.length; i++) assert.equal(offsets[i][0], offsets[i - 1][1]);
});

Deno.test("diff-method-masks, one hand-checked pair: LCS marks 2 lines, prefix-suffix 3", async () => {
  const runsDir = await Deno.makeTempDir();
  // the rejected code is version 0 above: lines 1 and 3 differ from the fix, line 2 between them
  // does not; the prefix-suffix diff also marks line 2 (`    for w in words:\n`, 6 o200k tokens)
  const run = await runStudy({
    study: diffMethodMasks,
    overrides: ["seeds=[136]", "scale.pairs=1", "synth.rule=first"],
    runsDir,
    quiet: true,
    writePlots: false,
  });
  const m = Object.fromEntries(run.results.map((r) => [r.variant, r.metrics]));
  assert.deepEqual(m.lcs, {
    markedTokens: 17,
    markedFraction: 17 / 32,
    rejectedLines: 2,
    emptyRejected: 0,
    pairs: 1,
  });
  assert.deepEqual(m.ratcliff, m.lcs);
  assert.deepEqual(m["prefix-suffix"], {
    markedTokens: 23,
    markedFraction: 23 / 32,
    rejectedLines: 3,
    emptyRejected: 0,
    pairs: 1,
  });
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("diff-method-masks smoke run: every method × seed, table, plots, resumable", async () => {
  assert.equal(STUDIES["diff-method-masks"], diffMethodMasks);
  const runsDir = await Deno.makeTempDir();
  const run = await runStudy({ study: diffMethodMasks, preset: "smoke", runsDir, quiet: true });
  assert.equal(run.results.length, 9);
  assert.deepEqual(
    run.results.map((r) => r.taskId),
    ["lcs", "ratcliff", "prefix-suffix"].flatMap((v) => [0, 1, 2].map((s) => `${v}/${s}`)),
  );
  for (const seed of [0, 1, 2]) {
    const get = (v: string) => run.results.find((r) => r.variant === v && r.seed === seed)!.metrics;
    assert.equal(get("lcs").pairs, 24);
    // D- of an LCS lies between the common prefix and suffix: prefix-suffix marks a superset
    assert.ok(get("lcs").markedTokens <= get("prefix-suffix").markedTokens);
    assert.ok(get("lcs").rejectedLines <= get("prefix-suffix").rejectedLines);
    // D- is empty under LCS iff y- is a subsequence of y+, and under prefix-suffix iff y- is a
    // prefix of y+ plus a suffix of it: the second implies the first, not the other way round
    assert.ok(get("lcs").emptyRejected >= get("prefix-suffix").emptyRejected);
  }
  const table = readFileSync(join(run.runDir, "table.md"), "utf8");
  for (const label of ["LCS (Myers)", "Ratcliff/Obershelp", "Prefix-suffix"]) {
    assert.ok(table.includes(`| ${label} | `), label);
    assert.equal(table.split("\n").filter((l) => l.startsWith(`| ${label} | `)).length, 4); // 1 + 3 seeds
  }
  assert.deepEqual(run.plots.map((p) => p.png.split("/").at(-1)), [
    "bar_markedTokens.png",
    "bar_markedFraction.png",
  ]);
  assert.ok(readFileSync(run.plots[0].svg, "utf8").includes("marked rejected tokens / pair"));
  const again = await runStudy({ study: diffMethodMasks, runsDir, quiet: true, writePlots: false });
  assert.equal([again.ran, again.skipped].join(), "0,9");
  assert.equal(again.table, run.table);
  await Deno.remove(runsDir, { recursive: true });
});
