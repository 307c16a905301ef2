import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { TfjsCodeModel } from "../../lib/eval/tfjs_code_model.ts";
import { MiniFlowTeacher } from "../../lib/miniflow/mod.ts";
import { loadCheckpoint } from "../../lib/model/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { ModelSampler, sampleTask } from "../../lib/synth/mod.ts";
import { KIT_ROOT, runTool } from "../../testing/cli/mod.ts";

Deno.test("ModelSampler: the kit's base model samples MiniFlow tasks, seeded per task and sample", async () => {
  await initBackend("wasm");
  const { model, tokenizer } = await loadCheckpoint(join(KIT_ROOT, "data", "checkpoints", "base"));
  const sandbox = new Sandbox({ workers: 1 });
  try {
    const sampler = () =>
      new ModelSampler(
        new MiniFlowTeacher(sandbox, { seed: 1 }),
        new TfjsCodeModel(model, tokenizer, { name: "base" }),
        { maxTokens: 96 },
      );
    const a = sampler();
    assert.deepEqual(a.id, { kind: "model", model: "base" });
    assert.equal(a.taskIdFor?.(3000), "miniflow/train/3000");
    const proposal = await a.proposeTask(3000);
    assert.ok(proposal.ok);
    const task = proposal.value;
    assert.ok(task.code.startsWith(task.prompt), task.code);
    const s0 = await a.sample(task, 0);
    assert.deepEqual(s0, { ok: true, value: task.code }); // the first attempt is sample 0
    const t = await sampleTask({ teacher: a, runner: sandbox, task, samples: 4 });
    const again = await sampleTask({ teacher: sampler(), runner: sandbox, task, samples: 4 });
    assert.deepEqual(again, t); // a rerun draws the same samples
    assert.equal(t.source, "sampling");
    assert.ok(new Set(t.versions.map((v) => v.code)).size > 1, "samples differ");
    assert.ok(t.versions.every((v) => v.totalTests === 8 && v.errorType !== "MalformedAnswer"));
    const refined = await a.refine(task);
    assert.equal(refined.ok, false);
    assert.throws(
      () =>
        new ModelSampler(new MiniFlowTeacher(sandbox), new TfjsCodeModel(model, tokenizer), {
          temperature: 0,
        }),
      /temperature must be > 0 \(independent samples\), got 0/,
    );
  } finally {
    model.dispose();
    await sandbox.close();
  }
});

Deno.test("synth --teacher model: needs --samples and a model path that loads", async () => {
  const out = await Deno.makeTempDir();
  const synth = (...extra: string[]) =>
    runTool(join(KIT_ROOT, "tools", "synth.ts"), [
      "--teacher",
      "model",
      "--tasks",
      "1",
      "--out",
      out,
      ...extra,
    ]);
  try {
    const a = await synth();
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^synth: --teacher model samples only: give --samples N/);
    const b = await synth("--samples", "2");
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^synth: --teacher model needs --model-path PATH/);
    const c = await synth("--samples", "2", "--model-path", join(out, "none"));
    assert.equal(c.code, 2);
    assert.match(c.stderr, /^synth: --model-path .*none: .*config\.json: cannot read/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
