/**
 * The preference cell on a real-model architecture: a tiny random Qwen2 made by transformers
 * (testing/hf_peer/make_tiny.py) as `model.kind: "hf"`, trained with LoRA on MiniFlow pairs cut
 * and masked in its own tokens, evaluated through its chat template; the kit's own models keep
 * the fingerprints they had before `hf` models existed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readJsonlFile } from "../../lib/core/mod.ts";
import { encodePrompt, hfPreferenceExample, loadHfFolder } from "../../lib/hf/mod.ts";
import { cellFingerprint } from "../../lib/pipeline/cell_store.ts";
import { runPreferenceCell } from "../../lib/pipeline/preference.ts";
import type { PreferenceBase, PreferenceScale } from "../../lib/pipeline/preference_config.ts";
import type { PreferenceRecord } from "../../lib/pipeline/preference_dataset.ts";
import { PREFERENCE_BASE } from "../../experiments/mod.ts";
import { preferenceCell } from "../../experiments/preference_study.ts";
import { realModel } from "../../experiments/real_model.ts";
import { runStudy } from "../../lib/experiment/mod.ts";
import { readMetricsLog } from "../../lib/train/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const SCALE: PreferenceScale = { tasks: 12, steps: 2, testTasks: 2, valTasks: 1, maxNewTokens: 8 };

Deno.test("preference cell on an hf model: pairs in its tokens, LoRA training, evaluation, reuse", async () => {
  const tmp = await Deno.makeTempDir();
  const model = join(await hfPeerOutput("tiny"), "qwen2-f32");
  const base: PreferenceBase = {
    ...PREFERENCE_BASE,
    model: {
      ...PREFERENCE_BASE.model,
      kind: "hf",
      checkpoint: model,
      lora: { ...PREFERENCE_BASE.model.lora!, rank: 4 },
    },
    train: { ...PREFERENCE_BASE.train, loss: "target-dpo", lr: 1e-3, batchSize: 2 },
    runtime: { ...PREFERENCE_BASE.runtime, sandboxWorkers: 1 },
  };
  const options = {
    base,
    scale: SCALE,
    seed: 0,
    cellDir: join(tmp, "cell"),
    cacheDir: join(tmp, "cache"),
  };
  try {
    const first = await runPreferenceCell(options);
    assert.equal(first.reused, false);
    // 12 MiniFlow tasks give 4 pairs (as for the kit's GPT: the cut does not depend on the model).
    assert.equal(first.metrics["pairs/kept"], 4, JSON.stringify(first.metrics));
    // The reference is the base with the adapters off, and LoRA's B starts at 0: the first step's
    // policy is the reference, so its loss is ln 2 and its reward margin 0; the second has learnt.
    const steps = await readMetricsLog(join(options.cellDir, "train", "metrics.jsonl"));
    assert.deepEqual(steps.map((s) => s.step), [1, 2]);
    assert.ok(Math.abs(steps[0].metrics.loss! - Math.LN2) < 1e-6, String(steps[0].metrics.loss));
    assert.ok(Math.abs(steps[0].metrics["rewards/margins"]!) < 1e-6);
    assert.ok(steps[1].metrics.loss! < Math.LN2, String(steps[1].metrics.loss));
    assert.equal(first.test.tasks, 2);
    assert.equal(first.validation.tasks, 1);
    // The stored masks are the model's: recomputed from the pair's diff with its tokenizer and
    // its chat-formatted prompt, they are the same spans.
    const records = await readJsonlFile<PreferenceRecord>(join(options.cellDir, "pairs.jsonl"));
    assert.equal(records.length, 4);
    const folder = await loadHfFolder(model);
    try {
      for (const r of records) {
        assert.equal(r.masks.tokenizer, `hf:${join(model, "tokenizer.json")}`);
        const promptIds = (await encodePrompt(folder, r.prompt, true)).ids;
        const e = await hfPreferenceExample(folder.tokenizer, r, { promptIds });
        assert.deepEqual(r.masks.rejected, e.rejectedSpans, r.taskId);
        assert.deepEqual(r.masks.chosen, e.chosenSpans, r.taskId);
      }
    } finally {
      folder.model.dispose();
    }
    const again = await runPreferenceCell(options);
    assert.equal(again.reused, true);
    assert.deepEqual(again.metrics, first.metrics);
    // Another LoRA rank is another cell.
    const other = {
      ...options,
      base: { ...base, model: { ...base.model, lora: { ...base.model.lora!, rank: 2 } } },
      cellDir: join(tmp, "cell2"),
    };
    const rank2 = await runPreferenceCell({
      ...other,
      base: { ...other.base, train: { ...other.base.train, loss: "none" } },
    });
    assert.equal(rank2.reused, false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("cellFingerprint: a kit model's hf-only settings do not enter it", () => {
  const id = (b: PreferenceBase) =>
    cellFingerprint({
      base: b,
      scale: SCALE,
      seed: 0,
      checkpointHash: "h",
      prepared: [],
      masks: [],
    });
  const kit = id(PREFERENCE_BASE);
  assert.equal(
    id({ ...PREFERENCE_BASE, model: { ...PREFERENCE_BASE.model, prompt: "plain", lora: null } }),
    kit,
  );
  // What cells were fingerprinted with before hf models and the sampling source existed.
  const { kind: _k, prompt: _p, lora: _l, contextLength: _c, ...model } = PREFERENCE_BASE.model;
  const { source: _s, sampling: _sa, ...data } = PREFERENCE_BASE.data;
  const before = { ...PREFERENCE_BASE, model, data } as unknown as PreferenceBase;
  assert.equal(id(before), kit);
  assert.notEqual(id({ ...PREFERENCE_BASE, model: { ...PREFERENCE_BASE.model, kind: "hf" } }), kit);
});

Deno.test("the real-model study on an hf model: one training run scored on HumanEval+ and MiniFlow", async () => {
  const tmp = await Deno.makeTempDir();
  const model = join(await hfPeerOutput("tiny"), "qwen2-f32");
  try {
    const run = await runStudy({
      study: realModel,
      preset: "smoke",
      overrides: ["model.kind=hf", `model.checkpoint=${model}`, "seeds=[0]", "model.lora.rank=2"],
      variants: ["target-dpo"],
      runsDir: tmp,
      quiet: true,
      cell: preferenceCell({ cacheDir: join(tmp, "cache") }),
    });
    const [r] = run.results;
    assert.deepEqual(
      Object.keys(r.metrics).filter((k) => k.startsWith("pass@1/")),
      ["pass@1/test", "pass@1/val", "pass@1/miniflow"],
    );
    assert.match(
      run.table,
      /\| Variant \| id \| n seeds \| pass@1 HumanEval\+ \(%\) \| pass@1 MiniFlow test \(%\) \|/,
    );
    assert.match(
      run.table,
      /model: qwen2-f32 \(Hugging Face, chat prompts, LoRA rank 2\) · pass@1 test: HumanEval\+/,
    );
    const cell = join(run.runDir, "cells", "target-dpo", "0");
    const also = await readJsonlFile<{ taskId: string }>(join(cell, "eval-also-miniflow.jsonl"));
    const test = await readJsonlFile<{ taskId: string }>(join(cell, "eval-test.jsonl"));
    assert.equal(also.length, 2);
    assert.ok(also.every((s) => s.taskId.startsWith("miniflow/test/")), JSON.stringify(also));
    assert.deepEqual(test.map((s) => s.taskId), ["HumanEval/0", "HumanEval/1"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
