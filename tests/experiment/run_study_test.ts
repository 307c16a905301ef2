import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  configHash,
  resolveConfig,
  type RunEvent,
  type RunManifest,
  runStudy,
  type Study,
} from "../../lib/experiment/mod.ts";
import { TOY, type ToyBase, toyCell, type ToyScale, type ToyVariant } from "./_toy_study.ts";

const REPO = new URL("../..", import.meta.url).pathname;

function lines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
}

Deno.test("runStudy writes a config.json that reproduces the resolved config exactly", async () => {
  const runsDir = await Deno.makeTempDir();
  const calls: string[] = [];
  const run = await runStudy({
    study: TOY,
    overrides: ["train.beta=0.2"],
    runsDir,
    cell: toyCell(calls),
    quiet: true,
    writePlots: false,
  });
  const expected = resolveConfig(TOY, "smoke", ["train.beta=0.2"]);
  const hash = configHash(expected);
  assert.equal(run.runDir, join(runsDir, `toy-smoke-${hash}`));
  const manifest: RunManifest = JSON.parse(readFileSync(join(run.runDir, "config.json"), "utf8"));
  assert.deepEqual(manifest.config, expected);
  assert.deepEqual(manifest.config, JSON.parse(JSON.stringify(run.config)));
  assert.equal(manifest.configHash, hash);
  assert.equal(configHash(manifest.config), hash);
  assert.deepEqual(manifest.config.base, { train: { beta: 0.2, loss: "dpo" } });
  assert.deepEqual(manifest.config.seeds, [0, 1, 2]);
  assert.deepEqual(manifest.config.scale, { steps: 3 });
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: REPO, encoding: "utf8" });
  assert.equal(manifest.gitCommit, head.stdout.trim());
  assert.equal(typeof manifest.gitDirty, "boolean");
  assert.equal(manifest.kitVersion, "0.1.0");
  assert.ok(Math.abs(Date.parse(manifest.createdAt) - Date.now()) < 60_000);
  // variant-major order, every result stamped with the config hash and commit
  assert.deepEqual(calls, ["a/0", "a/1", "a/2", "b/0", "b/1", "b/2"]);
  const results = lines(join(run.runDir, "results.jsonl")).map((l) => JSON.parse(l));
  assert.deepEqual(results.map((r) => [r.taskId, r.metrics.acc]), [
    ["a/0", 1],
    ["a/1", 2],
    ["a/2", 3],
    ["b/0", 2],
    ["b/1", 4],
    ["b/2", 6],
  ]);
  assert.ok(results.every((r) => r.configHash === hash && r.gitCommit === manifest.gitCommit));
  assert.ok(results.every((r) => r.study === "toy" && Number.isInteger(r.wallMs)));
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("table.md has mean ± 95% CI per variant (hand values) and every variant × seed", async () => {
  const runsDir = await Deno.makeTempDir();
  const run = await runStudy({
    study: TOY,
    runsDir,
    cell: toyCell([]),
    quiet: true,
    writePlots: false,
  });
  const table = readFileSync(join(run.runDir, "table.md"), "utf8");
  assert.equal(table, run.table);
  // a: 1, 2, 3 -> mean 2, std 1, t(0.975, 2) = 4.3027 -> 4.3027 / sqrt(3) = 2.484
  assert.ok(table.includes("| Alpha | a | 3 | 2.000 ± 2.484 |"), table);
  // b: 2, 4, 6 -> mean 4, std 2 -> 2 * 2.484 = 4.968
  assert.ok(table.includes("| Beta | b | 3 | 4.000 ± 4.968 |"), table);
  assert.ok(table.includes("| Variant | id | n seeds | accuracy |"));
  for (const [label, seed, acc] of [["Alpha", 0, 1], ["Alpha", 1, 2], ["Alpha", 2, 3]] as const) {
    assert.match(table, new RegExp(`\\| ${label} \\| ${seed} \\| ${acc}\\.000 \\| \\d+\\.\\d \\|`));
  }
  for (const [seed, acc] of [[0, 2], [1, 4], [2, 6]]) {
    assert.match(table, new RegExp(`\\| Beta \\| ${seed} \\| ${acc}\\.000 \\| \\d+\\.\\d \\|`));
  }
  assert.equal(table.split("\n").filter((l) => /^\| (Alpha|Beta) \| \d \|/.test(l)).length, 6);
  assert.deepEqual(run.summary.map((r) => [r.variant, r.n, r.metrics.acc.mean]), [
    ["a", 3, 2],
    ["b", 3, 4],
  ]);
  assert.equal(run.summary[0].metrics.acc.halfWidth.toFixed(4), "2.4841");
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("cells get the variant's base, a metrics logger and the run folder", async () => {
  const runsDir = await Deno.makeTempDir();
  const seen: string[] = [];
  const run = await runStudy({
    study: TOY,
    overrides: ["seeds=[5]"],
    runsDir,
    quiet: true,
    writePlots: false,
    cell: async (ctx) => {
      seen.push(`${ctx.variant.id}:${ctx.base.train.loss}:${ctx.config.base.train.loss}`);
      assert.equal(ctx.runDir, join(runsDir, ctx.runDir.split("/").at(-1)!));
      await ctx.logMetrics({ step: 0, loss: 1.5 });
      await assert.rejects(() => ctx.logMetrics({ seed: 1 }), /must not set "seed"/);
      return { metrics: { acc: 1, extra: 7 } };
    },
  });
  assert.deepEqual(seen, ["a:dpo:dpo", "b:target-dpo:dpo"]);
  assert.deepEqual(lines(join(run.runDir, "metrics.jsonl")).map((l) => JSON.parse(l)), [
    { taskId: "a/5", variant: "a", seed: 5, step: 0, loss: 1.5 },
    { taskId: "b/5", variant: "b", seed: 5, step: 0, loss: 1.5 },
  ]);
  assert.deepEqual(run.results[0].metrics, { acc: 1, extra: 7 });
  // one seed: no interval
  assert.ok(run.table.includes("| Alpha | a | 1 | 1.000 (n=1) |"), run.table);
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("rerunning the same config skips finished cells and rewrites the same table", async () => {
  const runsDir = await Deno.makeTempDir();
  const first: string[] = [];
  const a = await runStudy({
    study: TOY,
    runsDir,
    cell: toyCell(first),
    quiet: true,
    writePlots: false,
  });
  const second: string[] = [];
  const events: RunEvent[] = [];
  const b = await runStudy({
    study: TOY,
    runsDir,
    cell: toyCell(second),
    quiet: true,
    writePlots: false,
    onEvent: (e) => events.push(e),
  });
  assert.equal(first.length, 6);
  assert.deepEqual(second, []);
  assert.equal(b.runDir, a.runDir);
  assert.equal([b.ran, b.skipped].join(), "0,6");
  assert.equal(b.table, a.table);
  assert.deepEqual(events.map((e) => e.kind), ["start", "done"]);
  assert.deepEqual(events[0], {
    kind: "start",
    runDir: a.runDir,
    total: 6,
    pending: 0,
    resumed: true,
    truncatedBytes: 0,
  });
  assert.equal(lines(join(a.runDir, "results.jsonl")).length, 6);
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("two runs of one config at once: the second fails naming the holder, nothing is recorded twice", async () => {
  const runsDir = await Deno.makeTempDir();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inCell = new Promise<void>((r) => (entered = r));
  const calls: string[] = [];
  const plain = toyCell(calls);
  const first = runStudy({
    study: TOY,
    runsDir,
    quiet: true,
    writePlots: false,
    cell: async (ctx) => {
      entered();
      await gate; // the first run is busy in its first cell
      return await plain(ctx);
    },
  });
  await inCell;
  await assert.rejects(
    runStudy({ study: TOY, runsDir, cell: toyCell([]), quiet: true, writePlots: false }),
    new RegExp(`is in use by pid ${Deno.pid} \\(experiment toy, since `),
  );
  release();
  const done = await first;
  assert.equal(calls.length, 6);
  assert.equal(lines(join(done.runDir, "results.jsonl")).length, 6);
  assert.equal(existsSync(join(done.runDir, ".lock")), false, "released at the end");
  // Once the first has finished, a rerun resumes it (all cells done).
  const again = await runStudy({
    study: TOY,
    runsDir,
    cell: toyCell([]),
    quiet: true,
    writePlots: false,
  });
  assert.equal(again.skipped, 6);
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("a killed run resumes: torn last line cut, unfinished cell rerun, no duplicates", async () => {
  const runsDir = await Deno.makeTempDir();
  const calls: string[] = [];
  const crashing = toyCell(calls);
  await assert.rejects(
    () =>
      runStudy({
        study: TOY,
        runsDir,
        quiet: true,
        writePlots: false,
        cell: async (ctx) => {
          if (ctx.variant.id === "b" && ctx.seed === 1) {
            await ctx.logMetrics({ step: 0, loss: 99 }); // logged before the "kill"
            throw new Error("killed");
          }
          return await crashing(ctx);
        },
      }),
    /killed/,
  );
  const runDir = join(runsDir, `toy-smoke-${configHash(resolveConfig(TOY, "smoke"))}`);
  const torn = '{"schema":"experiment.result/v1","taskId":"b/1","metr';
  await Deno.writeTextFile(join(runDir, "results.jsonl"), torn, { append: true });
  await Deno.writeTextFile(join(runDir, "metrics.jsonl"), '{"taskId":"b/1","st', { append: true });
  assert.equal(lines(join(runDir, "results.jsonl")).length, 5); // 4 results + the torn line

  const resumed: string[] = [];
  const events: RunEvent[] = [];
  const run = await runStudy({
    study: TOY,
    runsDir,
    cell: toyCell(resumed),
    quiet: true,
    writePlots: false,
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(resumed, ["b/1", "b/2"]);
  const start = events[0];
  assert.equal(start.kind, "start");
  if (start.kind === "start") {
    assert.equal(start.pending, 2);
    assert.equal(start.truncatedBytes, torn.length + '{"taskId":"b/1","st'.length);
  }
  const results = lines(join(runDir, "results.jsonl")).map((l) => JSON.parse(l));
  assert.deepEqual(results.map((r) => r.taskId), ["a/0", "a/1", "a/2", "b/0", "b/1", "b/2"]);
  const metrics = lines(join(runDir, "metrics.jsonl")).map((l) => JSON.parse(l));
  assert.equal(metrics.length, 18); // 6 cells × 3 steps, the crashed cell's record dropped
  assert.ok(!metrics.some((m) => m.loss === 99));
  assert.ok(run.table.includes("| Beta | b | 3 | 4.000 ± 4.968 |"));
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("a different config gets another folder; a mismatch on resume names the keys", async () => {
  const runsDir = await Deno.makeTempDir();
  const opts = { study: TOY, runsDir, cell: toyCell([]), quiet: true, writePlots: false };
  const a = await runStudy(opts);
  const b = await runStudy({ ...opts, overrides: ["train.beta=0.5"] });
  assert.notEqual(a.runDir, b.runDir);
  await assert.rejects(
    () => runStudy({ ...opts, runId: a.runId, overrides: ["train.beta=0.5", "seeds=[0,1]"] }),
    (e: Error) => {
      assert.equal(
        e.message,
        `${join(a.runDir, "config.json")}: the stored config differs from the resolved one at ` +
          "2 key(s): base.train.beta (stored 0.1, resolved 0.5), seeds.2 (stored 2, resolved " +
          "absent); resume with the same preset and overrides, or choose another run id",
      );
      return true;
    },
  );
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("unknown override keys, bad variants and missing metrics fail, naming the value", async () => {
  const runsDir = await Deno.makeTempDir();
  const opts = { study: TOY, runsDir, cell: toyCell([]), quiet: true, writePlots: false };
  await assert.rejects(() => runStudy({ ...opts, overrides: ["train.betta=1"] }), {
    message: 'override "train.betta": unknown key "betta" in train (known: beta, loss)',
  });
  await assert.rejects(() => runStudy({ ...opts, overrides: ["bogus=1"] }), {
    message: 'override "bogus": unknown key "bogus" in <root> (known: seeds, scale, train)',
  });
  assert.deepEqual([...Deno.readDirSync(runsDir)], []); // nothing created
  const badSet: Study<ToyVariant, ToyScale, ToyBase> = {
    ...TOY,
    variants: [{ id: "x", label: "X", gain: 1, set: { "train.lr": 0.1 } }],
  };
  await assert.rejects(() => runStudy({ ...opts, study: badSet }), {
    message: 'variant "x": override "train.lr": unknown key "lr" in train (known: beta, loss)',
  });
  await assert.rejects(
    () => runStudy({ ...opts, cell: () => Promise.resolve({ metrics: { acu: 1 } }) }),
    { message: 'cell a/0: metric "acc" missing from the result (has: acu)' },
  );
  await assert.rejects(
    () => runStudy({ ...opts, overrides: ["seeds=[0,0]"] }),
    { message: 'study "toy" preset "smoke": expected distinct seeds, found [0,0]' },
  );
  await assert.rejects(() => runStudy({ ...opts, cell: undefined }), {
    message: 'study "toy" has no cell: pass runStudy\'s cell option',
  });
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("plots: bar with CI, sweep (with a reference arm) and training curves as .vl.json, .svg and .png", async () => {
  const runsDir = await Deno.makeTempDir();
  const sweep: Study<ToyVariant & { beta?: number }, ToyScale, ToyBase> = {
    ...TOY,
    name: "toy-sweep",
    variants: [
      { id: "b0.1", label: "β=0.1", gain: 1, beta: 0.1 },
      { id: "b0.5", label: "β=0.5", gain: 2, beta: 0.5 },
      { id: "sft", label: "SFT arm", gain: 3 }, // no β: a horizontal reference
    ],
    plots: [
      { kind: "bar", metric: "acc" },
      { kind: "sweep", metric: "acc", field: "beta", xTitle: "beta (KL weight)", xScale: "log" },
    ],
  };
  const run = await runStudy({ study: sweep, runsDir, cell: toyCell([]), quiet: true });
  assert.deepEqual(run.plots.map((p) => p.svg.split("/").at(-1)), [
    "bar_acc.svg",
    "sweep_acc_beta.svg",
    "training_curves.svg",
  ]);
  for (const p of run.plots) {
    const png = readFileSync(p.png);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]); // \x89PNG
    assert.ok(existsSync(p.spec));
  }
  const bar = readFileSync(run.plots[0].svg, "utf8");
  assert.ok(bar.startsWith("<svg"));
  assert.ok(bar.includes("accuracy"), "the y axis title");
  const sweepSvg = readFileSync(run.plots[1].svg, "utf8");
  assert.ok(sweepSvg.includes("beta (KL weight)"));
  assert.ok(sweepSvg.includes("SFT arm"), "the reference arm's label");
  const sweepSpec = JSON.parse(readFileSync(run.plots[1].spec, "utf8"));
  assert.deepEqual(sweepSpec.data.values.map((r: { x: number }) => r.x), [0.1, 0.5]);
  const rule = sweepSpec.layer.find((l: { mark: { type: string } }) => l.mark.type === "rule");
  assert.equal(rule.data.values[0].mean, 6); // gain 3 × (seed + 1) averaged over seeds 0, 1, 2
  const curves = readFileSync(run.plots[2].svg, "utf8");
  assert.ok(curves.includes("Step") && curves.includes("loss"));
  const spec = JSON.parse(readFileSync(run.plots[0].spec, "utf8"));
  // bars in variant order with the CI of the table
  assert.deepEqual(
    spec.data.values.map((r: { variant: string; mean: number }) => [r.variant, r.mean]),
    [
      ["β=0.1", 2],
      ["β=0.5", 4],
      ["SFT arm", 6],
    ],
  );
  assert.equal(spec.data.values[0].ciHigh.toFixed(3), "4.484");
  await Deno.remove(runsDir, { recursive: true });
});

Deno.test("a run id must be a plain name: a path would write outside runsDir", async () => {
  const runsDir = await Deno.makeTempDir();
  for (const runId of ["../../x", "a/b", ".."]) {
    await assert.rejects(
      runStudy({ study: TOY, runsDir, runId, cell: toyCell([]), quiet: true, writePlots: false }),
      {
        message: `run id: expected a plain name (letters, digits, ".", "_", "-"), found ${
          JSON.stringify(runId)
        }`,
      },
    );
  }
  assert.deepEqual([...Deno.readDirSync(runsDir)], []);
  await Deno.remove(runsDir, { recursive: true });
});
