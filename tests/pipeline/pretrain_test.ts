import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { TfjsCodeModel } from "../../lib/eval/tfjs_code_model.ts";
import { generateTasks } from "../../lib/miniflow/mod.ts";
import { loadCheckpoint } from "../../lib/model/mod.ts";
import {
  type MiniflowSample,
  type ModelCard,
  pretrainBase,
  pretrainConfig,
} from "../../lib/pipeline/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";

const readJsonl = async (path: string) =>
  (await readFile(path, "utf8")).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("pretrainBase smoke: checkpoint, card, reproducible greedy completions, resume", async () => {
  const tmp = await Deno.makeTempDir();
  const outDir = join(tmp, "ckpt");
  const runDir = join(tmp, "run");
  try {
    const config = pretrainConfig("smoke");
    const { card } = await pretrainBase(config, { outDir, runDir, progress: false });
    for (const f of ["model.safetensors", "config.json", "card.json", "MODEL_CARD.md"]) {
      assert.equal((await stat(join(outDir, f))).isFile(), true, f);
    }
    const saved: ModelCard = JSON.parse(await readFile(join(outDir, "card.json"), "utf8"));
    assert.deepEqual(saved, JSON.parse(JSON.stringify(card)));
    assert.equal(card.format, "target-dpo-model-card-v1");
    assert.equal(card.name, "smoke");
    assert.deepEqual(card.config, config);
    assert.equal(card.corpus.seed, 1);
    assert.equal(card.corpus.buggyFraction, 0.3);
    assert.equal(card.corpus.documents, 24);
    assert.equal(card.training.steps, 40);
    assert.equal(card.training.tokensSeen, 40 * 4 * 128); // steps × windows × tokens
    assert.equal(card.training.resumedFrom, 0);
    // An untrained model predicts ~uniformly: the first loss is close to ln(vocabSize).
    assert.ok(Math.abs(card.training.initialLoss - Math.log(card.model.vocabSize)) < 0.3);
    // 40 updates on a 3.7k-token corpus bring the loss from ~6.4 to below 4.6.
    assert.ok(card.training.finalLoss < 4.6, `final loss ${card.training.finalLoss}`);
    assert.equal(card.model.dModel, 32);
    assert.equal(
      card.parameters,
      (await loadCheckpoint(outDir)).model.variables.reduce((a, v) => a + v.size, 0),
    );
    for (const name of ["train-seen", "train-heldout", "validation", "test"] as const) {
      const e = card.evaluation[name];
      assert.equal(e.tasks, 4, name);
      assert.equal(e.passAt1, e.passed / 4, name);
      const samples: MiniflowSample[] = await readJsonl(join(runDir, `eval-${name}.jsonl`));
      assert.equal(samples.length, 4);
      assert.equal(samples.filter((s) => s.verdict === "pass").length, e.passed);
    }
    assert.equal(card.bugPropensity.heldout, 1 - card.evaluation["train-heldout"].passAt1);
    assert.match(card.git.commit, /^([0-9a-f]{40}|unknown)$/);
    assert.equal(card.backend.backend, "wasm");
    const md = await readFile(join(outDir, "MODEL_CARD.md"), "utf8");
    assert.match(md, /Buggy fraction p = 0\.3/);
    assert.match(md, /\| test \| 4 \| \d \| \d+\.\d% \|/);

    // The restored checkpoint reproduces the greedy completions recorded during evaluation.
    const ckpt = await loadCheckpoint(outDir);
    assert.equal(ckpt.meta.buggyFraction, 0.3);
    const sandbox = new Sandbox({ workers: 1 });
    const tasks = await generateTasks({ seed: 1, split: "train", indices: [0, 1, 2, 3], sandbox });
    await sandbox.close();
    const recorded: MiniflowSample[] = await readJsonl(join(runDir, "eval-train-seen.jsonl"));
    const again = await new TfjsCodeModel(ckpt.model, ckpt.tokenizer).generate(
      tasks.map((t) => ({ taskId: t.taskId, prompt: t.prompt })),
      { n: 1, temperature: 0, topP: 1, maxTokens: config.eval.maxTokens },
    );
    assert.deepEqual(again.map((c) => c[0]), recorded.map((s) => s.completion));
    assert.ok(recorded.some((s) => s.completion.length > 0));
    ckpt.model.dispose();

    // Rerunning resumes from the last trainer checkpoint instead of training again.
    const second = await pretrainBase(config, { outDir, runDir, progress: false });
    assert.equal(second.card.training.resumedFrom, 40);
    assert.equal(second.card.training.finalLoss, card.training.finalLoss);
    assert.deepEqual(second.card.evaluation, card.evaluation);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("pretrainBase rejects an out-of-range config before doing any work", async () => {
  const config = pretrainConfig("smoke");
  await assert.rejects(
    () =>
      pretrainBase({ ...config, train: { ...config.train, length: 512 } }, {
        outDir: "/nonexistent/out",
        runDir: "/nonexistent/run",
        progress: false,
      }),
    /train.length \(512\) exceeds model.contextLength \(256\)/,
  );
});
