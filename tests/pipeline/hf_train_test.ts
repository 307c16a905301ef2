/**
 * `deno task train` and lib/pipeline's `trainHfModel` on a tiny random Qwen2 and Llama made by
 * transformers (testing/hf_peer/make_tiny.py, with their tokenizers and chat templates) and
 * pairs synthesised by the MiniFlow teacher (`deno task synth`):
 * - every loss variant trains, with finite metrics, LoRA and full fine-tuning alike; the
 *   variants without a reference compute none;
 * - SIGKILL during a run, then the same command again: the resumed loss curve equals an
 *   uninterrupted run's within 1e-6 (with LoRA dropout on);
 * - bad input fails naming the file, the line and the field, or the flag and its value.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { LORA_DEFAULTS } from "../../lib/hf/mod.ts";
import { LOSS_VARIANTS, type LossVariant } from "../../lib/loss/mod.ts";
import { type HfTrainConfig, trainHfModel } from "../../lib/pipeline/mod.ts";
import { KIT_ROOT, miniflowPairsFile, runDeno } from "../../testing/cli/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const TRAIN = join(KIT_ROOT, "tools", "train.ts");
const task = (args: string[], expectOk = true) => runDeno(["task", ...args], expectOk);
const cli = (args: string[]) => runDeno(args);
const pairsFile = miniflowPairsFile;

async function config(model: string, over: Partial<HfTrainConfig> = {}): Promise<HfTrainConfig> {
  return {
    model: join(await hfPeerOutput("tiny"), model),
    pairs: await pairsFile(),
    variant: "target-dpo",
    lora: { ...LORA_DEFAULTS, rank: 4 },
    steps: 2,
    train: {
      lr: 1e-3,
      batchSize: 2,
      accumulation: 2,
      warmupFraction: 0,
      minLrRatio: 0,
      weightDecay: 0,
      gradClipNorm: 1,
      checkpointEvery: 0,
    },
    beta: 0.1,
    lambda: 1,
    seed: 3,
    contextLength: 256,
    chat: true,
    mask: { contextLines: 0, emptyRejected: "keep" },
    logpChunkRows: 64,
    ...over,
  };
}

async function run(c: HfTrainConfig) {
  const out = await Deno.makeTempDir({ prefix: "kit-hf-train-" });
  try {
    const backend = await initBackend("wasm");
    const lines: string[] = [];
    const steps: Record<string, number>[] = [];
    const r = await trainHfModel(c, {
      out,
      backend,
      progress: false,
      log: (l) => lines.push(l),
      onEvent: (e) => e.type === "step" && steps.push(e.metrics as Record<string, number>),
    });
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    return { r, lines, files, first: steps[0] };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/**
 * Before the first update the policy is the reference (fresh adapters have `B = 0`; full
 * fine-tuning takes the reference from the same weights first): every reward is 0, and the
 * loss of the first step is ln 2, plus λ·NLL for RPO.
 */
function assertStartsAtReference(variant: string, first: Record<string, number>): void {
  if (variant.startsWith("sft")) return;
  for (const k of ["rewards/chosen", "rewards/rejected", "rewards/margins"]) {
    assert.ok(Math.abs(first[k]) < 1e-6, `${variant}: step 1 ${k} = ${first[k]}, expected 0`);
  }
  const want = Math.LN2 + (variant.endsWith("rpo") ? first.nll : 0);
  assert.ok(
    Math.abs(first.loss - want) < 1e-5,
    `${variant}: step 1 loss ${first.loss}, expected ${want}`,
  );
}

Deno.test("deno task train: every loss variant trains a LoRA Qwen2, finite metrics", async () => {
  for (const variant of LOSS_VARIANTS) {
    const { r, files, first } = await run(
      await config("qwen2-f32", { variant: variant as LossVariant }),
    );
    assert.equal(r.steps, 2, variant);
    assertStartsAtReference(variant, first);
    for (const [k, v] of Object.entries(r.lastMetrics)) {
      assert.ok(Number.isFinite(v), `${variant} ${k} ${v}`);
    }
    assert.ok(files.includes("adapter"), `${variant}: ${files}`);
    // SFT needs no reference model, so none is computed.
    assert.equal(files.includes("reference"), !variant.startsWith("sft"), `${variant}: ${files}`);
  }
});

Deno.test("deno task train: full fine-tuning of a Llama writes a model folder; Target-RPO", async () => {
  const { r, files, first } = await run(
    await config("llama-linear-f32", { lora: null, variant: "target-rpo" }),
  );
  assertStartsAtReference("target-rpo", first);
  assert.ok(r.saved.endsWith("model"));
  assert.ok(files.includes("model") && !files.includes("adapter"), String(files));
  assert.ok(Number.isFinite(r.lastMetrics.loss));
});

Deno.test("deno task train: SIGKILL mid-run, rerun: the loss curve equals an uninterrupted run within 1e-6", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-hf-train-kill-" });
  try {
    const model = join(await hfPeerOutput("tiny"), "llama-bf16-sharded");
    const args = async (out: string) => [
      "run",
      "-A",
      TRAIN,
      "--model",
      model,
      "--pairs",
      await pairsFile(),
      "--variant",
      "target-rpo",
      "--chat",
      "--lora-rank",
      "4",
      "--lora-dropout",
      "0.1",
      "--lora-targets",
      "q_proj,v_proj,gate_proj,down_proj",
      "--steps",
      "12",
      "--batch-size",
      "2",
      "--lr",
      "1e-3",
      "--checkpoint-every",
      "2",
      "--out",
      out,
    ];
    await cli(await args(join(dir, "whole")));
    const killed = join(dir, "killed");
    const child = new Deno.Command(Deno.execPath(), {
      args: await args(killed),
      cwd: KIT_ROOT,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const metrics = join(killed, "metrics.jsonl");
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const text = await Deno.readTextFile(metrics).catch(() => "");
      if (text.split("\n").filter((l) => l !== "").length >= 5) break;
    }
    child.kill("SIGKILL");
    await child.status;
    const before = (await Deno.readTextFile(metrics)).trim().split("\n").length;
    assert.ok(before < 12, `the run finished (${before} steps) before the kill`);
    const log = await cli(await args(killed));
    assert.match(log, /"resumedFrom":[1-9]/);
    const curve = async (d: string) =>
      (await Deno.readTextFile(join(d, "metrics.jsonl"))).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
    const [a, b] = [await curve(join(dir, "whole")), await curve(killed)];
    assert.deepEqual(b.map((r) => r.step), a.map((r) => r.step));
    let worst = 0;
    for (const [i, r] of a.entries()) {
      worst = Math.max(worst, Math.abs(r.metrics.loss - b[i].metrics.loss));
    }
    console.log(
      `killed after ${before} logged steps, resumed: max |loss difference| ${
        worst.toExponential(2)
      }`,
    );
    assert.ok(worst <= 1e-6, `loss curves differ by ${worst}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train: bad input names the file, line and field, or the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-hf-train-bad-" });
  try {
    const model = join(await hfPeerOutput("tiny"), "qwen2-f32");
    const good = (await Deno.readTextFile(await pairsFile())).split("\n")[0];
    const bad = join(dir, "bad.jsonl");
    await Deno.writeTextFile(
      bad,
      `${good}\n${JSON.stringify({ ...JSON.parse(good), chosen: 7 })}\n`,
    );
    const base = ["train", "--model", model, "--variant", "dpo", "--out", join(dir, "o")];
    assert.match(
      await task([...base, "--pairs", bad], false),
      /bad\.jsonl:2: field "chosen": expected string, found 7/,
    );
    await Deno.writeTextFile(bad, `{"schema":"other/v1"}\n`);
    assert.match(
      await task([...base, "--pairs", bad], false),
      /bad\.jsonl:1: field "schema": expected one of codeflow\.pair\/v1, pipeline\.preference-pair\/v1/,
    );
    assert.match(
      await task([...base, "--pairs", bad, "--variant", "dpx"], false),
      /--variant.*"dpx"/,
    );
    assert.match(
      await task([...base, "--pairs", bad, "--lora-targets", "q_proj,w_proj"], false),
      /LoRA targets must be among .*"w_proj"/,
    );
    assert.match(
      await task([...base, "--pairs", bad, "--lora-rank", "0"], false),
      /LoRA rank must be an integer >= 1, found 0/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
