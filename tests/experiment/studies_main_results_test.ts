import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { TfjsCodeModel } from "../../lib/eval/tfjs_code_model.ts";
import { type MetricsRecord, runStudy } from "../../lib/experiment/mod.ts";
import { createGpt, loadCheckpoint, saveCheckpoint, trainTokenizer } from "../../lib/model/mod.ts";
import { cachedBenchmark } from "../../lib/pipeline/cached_benchmark.ts";
import { cachedMiniflowTrajectories } from "../../lib/pipeline/cached_trajectories.ts";
import { evaluateMiniflow, type MiniflowSample } from "../../lib/pipeline/evaluate_miniflow.ts";
import type { PreferenceRecord } from "../../lib/pipeline/preference_dataset.ts";
import { runPreferenceCell } from "../../lib/pipeline/preference.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { PREFERENCE_BASE, PREFERENCE_PRESETS } from "../../experiments/_defaults.ts";
import { preferenceCell } from "../../experiments/preference_study.ts";
import { betaSweep } from "../../experiments/beta_sweep.ts";
import { emptyDPolicy } from "../../experiments/empty_d_policy.ts";
import { mainResults } from "../../experiments/main_results.ts";
import { STUDIES } from "../../experiments/mod.ts";

const SMOKE = PREFERENCE_PRESETS.smoke.scale;

async function _lines<T>(path: string): Promise<T[]> {
  return (await readFile(path, "utf8")).split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l) as T
  );
}

/**
 * A tiny untrained GPT whose tokenizer is trained on the smoke trajectories and test prompts (so
 * prompts and completions fit the 256-token context without truncation).
 */
async function _tinyCheckpoint(dir: string, cacheDir: string): Promise<void> {
  await initBackend("wasm");
  const sandbox = new Sandbox({ workers: 2 });
  try {
    const { trajectories } = await cachedMiniflowTrajectories({
      cacheDir,
      seed: PREFERENCE_BASE.data.teacherSeed,
      tasks: SMOKE.tasks,
      firstIndex: PREFERENCE_BASE.data.firstIndex,
      maxRefinements: PREFERENCE_BASE.data.maxRefinements,
      sandbox,
    });
    const texts = trajectories.flatMap((t) => t.versions.map((v) => v.code));
    for (const split of ["test", "validation"] as const) {
      const count = split === "test" ? SMOKE.testTasks : SMOKE.valTasks;
      const tasks = await cachedBenchmark({ cacheDir, seed: 1, split, count, sandbox });
      texts.push(...tasks.map((t) => t.prompt));
    }
    const tokenizer = await trainTokenizer(texts);
    const model = createGpt({
      vocabSize: tokenizer.vocabSize,
      contextLength: 256,
      dModel: 16,
      nLayer: 1,
      nHead: 2,
      mlpRatio: 2,
      dropout: 0,
      seed: 0,
    });
    await saveCheckpoint(dir, model, tokenizer, { name: "tiny-test" });
    model.dispose();
  } finally {
    await sandbox.close();
  }
}

Deno.test("main-results smoke (Ref, SFT, Target-DPO) end to end: table, Ref = base, masks, counts, resume", async () => {
  assert.equal(STUDIES["main-results"], mainResults);
  const tmp = await Deno.makeTempDir({ prefix: "studies-main-" });
  const cacheDir = join(tmp, "cache");
  const ckpt = join(tmp, "ckpt");
  await _tinyCheckpoint(ckpt, cacheDir);
  const study = {
    ...mainResults,
    variants: mainResults.variants.filter((v) => ["ref", "sft", "target-dpo"].includes(v.id)),
  };
  const options = {
    study,
    preset: "smoke" as const,
    overrides: [`model.checkpoint=${ckpt}`],
    runsDir: join(tmp, "runs"),
    cell: preferenceCell({ cacheDir }),
    quiet: true,
    writePlots: false,
  };
  const run = await runStudy(options);

  // 1. every variant × seed
  assert.deepEqual(run.results.map((r) => r.taskId), [
    "ref/0",
    "ref/1",
    "ref/2",
    "sft/0",
    "sft/1",
    "sft/2",
    "target-dpo/0",
    "target-dpo/1",
    "target-dpo/2",
  ]);
  assert.deepEqual(run.summary.map((s) => [s.variant, s.n]), [["ref", 3], ["sft", 3], [
    "target-dpo",
    3,
  ]]);
  assert.match(run.table, /\| Target-DPO \| target-dpo \| 3 \|/);
  const metrics = (key: string) => run.results.find((r) => r.taskId === key)!.metrics;
  const cell = (key: string) => join(run.runDir, "cells", key);

  // 2. Ref = the base model evaluated directly (same completions, same pass@1)
  await initBackend("wasm");
  const { model, tokenizer } = await loadCheckpoint(ckpt);
  const sandbox = new Sandbox({ workers: 2 });
  try {
    const codeModel = new TfjsCodeModel(model, tokenizer, { batchSize: 50 });
    for (
      const [split, count, file, key] of [
        ["test", SMOKE.testTasks, "eval-test.jsonl", "pass@1/test"],
        ["validation", SMOKE.valTasks, "eval-validation.jsonl", "pass@1/val"],
      ] as const
    ) {
      const tasks = await cachedBenchmark({ cacheDir, seed: 1, split, count, sandbox });
      const direct = await evaluateMiniflow({
        model: codeModel,
        tasks,
        sandbox,
        maxTokens: SMOKE.maxNewTokens,
        batchSize: 50,
      });
      assert.equal(direct.samples.length, count);
      for (const seed of [0, 1, 2]) {
        assert.equal(metrics(`ref/${seed}`)[key], direct.summary.passAt1);
        const stored = await _lines<MiniflowSample>(join(cell(`ref/${seed}`), file));
        assert.deepEqual(stored.map((s) => s.completion), direct.samples.map((s) => s.completion));
      }
    }
  } finally {
    model.dispose();
    await sandbox.close();
  }

  // 3. Target-DPO masks: miniflow/train/3011 (seed 0) renames `names` and fixes two bugs; its D-
  //    is completion lines 0, 2 and 5, and m- covers exactly their tokens (newline included)
  const records = await _lines<PreferenceRecord>(join(cell("target-dpo/0"), "pairs.jsonl"));
  const masked = (r: PreferenceRecord) => {
    const { offsets } = tokenizer.encodeWithOffsets(r.rejected);
    return r.masks.rejected.map(([a, b]) => r.rejected.slice(offsets[a][0], offsets[b - 1][1]));
  };
  const hand = records.find((r) => r.taskId === "miniflow/train/3011")!;
  assert.deepEqual(hand.diff.rejectedLines, [0, 2, 5]);
  assert.deepEqual(masked(hand), [
    "    names = sorted(scores.values())\n",
    "    for w in names:\n",
    "    letters = 1\n",
  ]);
  for (const r of records) {
    const lines = r.rejected.split(/(?<=\n)/);
    assert.deepEqual(
      masked(r).join(""),
      r.diff.rejectedLines.map((i) => lines[i]).join(""),
      r.taskId,
    );
  }

  // 4. empty-D- counts add up, per cell and against the stored pairs
  for (const r of run.results) {
    const m = r.metrics;
    const cases = [
      "non-empty",
      "keep",
      "drop",
      "anchor-insertion",
      "anchor-last-line",
      "anchor-none",
    ]
      .reduce((s, c) => s + m[`emptyD/${c}`], 0);
    assert.equal(cases, m["pairs/candidates"], r.taskId);
    assert.equal(m["pairs/kept"], m["pairs/candidates"] - m["emptyD/drop"] - m["pairs/filtered"]);
  }
  const keepCount = records.filter((r) => r.emptyRejected === "keep").length;
  assert.equal(metrics("target-dpo/0")["emptyD/keep"], keepCount);
  assert.equal(metrics("target-dpo/0")["pairs/kept"], records.length);
  assert.ok(keepCount > 0, "the smoke data has fix-only-adds pairs");
  const policies = await runStudy({
    ...options,
    study: { ...emptyDPolicy, variants: emptyDPolicy.variants.filter((v) => v.id !== "keep") },
    overrides: [...options.overrides, "seeds=[0]"],
  });
  const drop = policies.results.find((r) => r.variant === "drop")!.metrics;
  const anchor = policies.results.find((r) => r.variant === "anchor")!.metrics;
  assert.equal(drop["emptyD/drop"], keepCount);
  assert.equal(drop["pairs/kept"], records.length - keepCount);
  assert.equal(
    anchor["emptyD/anchor-insertion"] + anchor["emptyD/anchor-last-line"] +
      anchor["emptyD/anchor-none"],
    keepCount,
  );
  assert.equal(anchor["pairs/kept"], records.length);

  // 5. training curves: one record per step of every trained cell, none for Ref
  const curves = await _lines<MetricsRecord>(join(run.runDir, "metrics.jsonl"));
  const steps = (key: string) => curves.filter((c) => c.taskId === key).map((c) => c.step);
  assert.deepEqual(steps("ref/0"), []);
  assert.deepEqual(steps("target-dpo/1"), [1, 2, 3]);
  assert.deepEqual(steps("sft/2"), [1, 2, 3]);
  assert.ok(
    curves.every((c) => c.taskId.startsWith("sft/") || typeof c["rewards/margins"] === "number"),
  );

  // 6. rerunning skips every finished cell and returns the same results; a finished cell run
  //    again (a kill between the cell and its results line) returns its stored metrics
  const again = await runStudy(options);
  assert.equal(again.ran, 0);
  assert.equal(again.skipped, 9);
  assert.deepEqual(again.results, run.results);
  const logged: unknown[] = [];
  const reused = await runPreferenceCell({
    base: { ...run.config.base, train: { ...run.config.base.train, loss: "target-dpo" } },
    scale: run.config.scale,
    seed: 0,
    cellDir: cell("target-dpo/0"),
    cacheDir,
    logMetrics: (r) => Promise.resolve(void logged.push(r)),
  });
  assert.equal(reused.reused, true);
  assert.deepEqual(reused.metrics, metrics("target-dpo/0"));
  assert.equal(logged.length, 3); // the curve is logged again

  // 7. the same cell in another study (beta-sweep's β = 0.1 arm is main-results' Target-DPO) is
  //    taken from the shared store: same metrics and completions, no training run of its own
  const beta = await runStudy({
    ...options,
    study: betaSweep,
    variants: ["beta-0.1"],
    overrides: [...options.overrides, "seeds=[0]"],
  });
  assert.deepEqual(beta.config.variants.map((v) => v.id), ["beta-0.1"]);
  assert.deepEqual(beta.results[0].metrics, metrics("target-dpo/0"));
  const betaCell = join(beta.runDir, "cells", "beta-0.1", "0");
  assert.deepEqual(
    await _lines(join(betaCell, "eval-test.jsonl")),
    await _lines(join(cell("target-dpo/0"), "eval-test.jsonl")),
  );
  assert.deepEqual(
    [...Deno.readDirSync(join(betaCell, "train"))].map((e) => e.name),
    ["metrics.jsonl"],
  );
  await assert.rejects(
    runStudy({ ...options, variants: ["target-dpo", "orpo"] }),
    /unknown variant "orpo" \(known: ref, sft, target-dpo\)/,
  );
  await Deno.remove(tmp, { recursive: true });
});
