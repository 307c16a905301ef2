/**
 * LoRA training of Hugging Face models against torch + PEFT (PyPI): tiny random Qwen2 (tied,
 * q/k/v biases) and Llama (untied) models with PEFT adapters on all seven projections, random
 * `A` and `B` written by PEFT (testing/hf_peer/peft_lora.py). The kit loads the adapters,
 * computes the reference with them switched off, and must match PEFT's Target-DPO and
 * Target-RPO losses within 1e-5 relative, every LoRA gradient within 1e-4, and the adapter
 * weights after 5 AdamW steps within 1e-4. Then the kit saves its adapters and merges them:
 * `PeftModel.from_pretrained` and transformers (merged folder) give the kit's logits within 1e-4.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  HfPolicy,
  loadHfModel,
  LoraAdapters,
  peftTensorNames,
  writeMergedFolder,
} from "../../lib/hf/mod.ts";
import type { LossVariant } from "../../lib/loss/mod.ts";
import {
  collatePreferenceBatch,
  preferenceBatches,
  preferenceLoss,
  type PreparedPair,
  preparePair,
  referenceLogps,
  train,
} from "../../lib/train/mod.ts";
import { hfPeerOutput, runHfPeer } from "../../testing/hf_peer/mod.ts";

interface Expected {
  readonly losses: Record<string, number>;
  readonly grads: Record<string, Record<string, number[]>>;
  readonly curve: number[];
  readonly after: Record<string, number[]>;
  readonly hyper: { beta: number; lambda: number; lr: number; weightDecay: number; steps: number };
}

async function setup(family: string) {
  await initBackend("wasm");
  const folder = join(await hfPeerOutput("peft"), family);
  const expected: Expected = JSON.parse(await Deno.readTextFile(join(folder, "expected.json")));
  const data = JSON.parse(await Deno.readTextFile(join(folder, "pairs.json")));
  const base = await loadHfModel(join(folder, "model"));
  const adapters = await LoraAdapters.load(join(folder, "adapter"), base.config);
  const policy = new HfPolicy(base, adapters, { seed: 0, logpChunkRows: 5 });
  const pairs: PreparedPair[] = data.pairs.map((p: Record<string, unknown>, i: number) =>
    preparePair({ id: `pair-${i}`, ...p } as never, { eosId: data.eosId, contextLength: 64 })
  );
  const reference = await referenceLogps(policy.reference(), pairs);
  return { folder, expected, base, adapters, policy, pairs, reference };
}

/** Adapter tensors by PEFT name, read back. */
async function adapterValues(adapters: LoraAdapters): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of adapters.named) out.set(name, (await v.data()) as Float32Array);
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const family of ["qwen2", "llama"]) {
  Deno.test(`hf lora ${family}: Target-DPO and Target-RPO loss and LoRA gradients equal torch + PEFT's`, async () => {
    const s = await setup(family);
    try {
      const batch = collatePreferenceBatch(s.pairs, { padId: 0, reference: s.reference });
      // Layers recomputed in the backward pass with sliced attention (the default) and layers
      // kept with tfjs's own attention gradient: the same gradients.
      const kept = new HfPolicy(s.base, s.adapters, { seed: 0, recomputeLayers: false });
      for (const variant of ["target-dpo", "target-rpo"] as LossVariant[]) {
        const before = tf.memory().numTensors;
        const lossFn = preferenceLoss({
          variant,
          beta: s.expected.hyper.beta,
          lambda: s.expected.hyper.lambda,
        });
        const { value, grads } = tf.variableGrads(
          () => lossFn(s.policy, batch).loss,
          s.policy.variables,
        );
        const loss = (await value.data())[0];
        const want = s.expected.losses[variant];
        const rel = Math.abs(loss - want) / Math.abs(want);
        console.log(
          `${family} ${variant}: loss ${loss} vs PEFT ${want} (relative ${rel.toExponential(2)})`,
        );
        assert.ok(rel <= 1e-5, `${variant} loss ${loss} vs ${want}`);
        let worst = 0;
        for (const [name, v] of s.adapters.named) {
          const g = s.expected.grads[variant][name];
          assert.ok(g !== undefined, `PEFT has no gradient ${name}`);
          worst = Math.max(worst, maxDiff(await grads[v.name].data(), g));
        }
        console.log(
          `${family} ${variant}: max |LoRA gradient difference| ${worst.toExponential(2)}`,
        );
        assert.ok(worst <= 1e-4, `${variant}: LoRA gradients differ by ${worst}`);
        const plain = tf.variableGrads(() => lossFn(kept, batch).loss, kept.variables);
        let apart = 0;
        for (const v of s.policy.variables) {
          apart = Math.max(
            apart,
            maxDiff(await grads[v.name].data(), await plain.grads[v.name].data()),
          );
        }
        // Sliced attention has its own backward formula: float32 rounding apart, no more.
        assert.ok(apart <= 1e-5, `recomputed and kept layers give gradients ${apart} apart`);
        tf.dispose([value, ...Object.values(grads), plain.value, ...Object.values(plain.grads)]);
        assert.equal(tf.memory().numTensors, before, "a step leaves no tensor behind");
      }
    } finally {
      s.policy.dispose();
      s.base.dispose();
    }
  });

  Deno.test(`hf lora ${family}: 5 AdamW steps, PEFT save/load and merge agree with torch`, async () => {
    const s = await setup(family);
    const runDir = await Deno.makeTempDir({ prefix: "kit-lora-" });
    try {
      const { lr, weightDecay, steps, beta } = s.expected.hyper;
      const curve: number[] = [];
      await train({
        model: s.policy,
        steps,
        runDir,
        progress: false,
        batches: preferenceBatches({
          pairs: s.pairs,
          reference: s.reference,
          batchSize: 3,
          seed: 0,
          padId: 0,
        }),
        lossFn: preferenceLoss({ variant: "target-dpo", beta }),
        optimizer: { lr, weightDecay, gradClipNorm: 0 },
        schedule: { warmupFraction: 0, minLrRatio: 1 },
        onEvent: (e) => {
          if (e.type === "step") curve.push(e.metrics.loss!);
        },
      });
      const curveDiff = maxDiff(curve, s.expected.curve);
      console.log(
        `${family}: loss curve ${curve.map((x) => x.toFixed(6)).join(" ")}, max |Δ| vs PEFT ${
          curveDiff.toExponential(2)
        }`,
      );
      assert.ok(curveDiff <= 1e-5, `loss curves differ by ${curveDiff}`);
      const after = await adapterValues(s.adapters);
      let worst = 0;
      for (const [name, want] of Object.entries(s.expected.after)) {
        assert.ok(after.has(name), `the kit has no ${name}`);
        worst = Math.max(worst, maxDiff(after.get(name)!, want));
      }
      console.log(
        `${family}: after ${steps} AdamW steps, max |adapter weight difference| ${
          worst.toExponential(2)
        }`,
      );
      assert.ok(worst <= 1e-4, `adapter weights differ by ${worst} after ${steps} steps`);

      // Save in PEFT's format and merge; PEFT and transformers read them back.
      const adapterDir = join(runDir, "adapter");
      const mergedDir = join(runDir, "merged");
      await s.adapters.save(adapterDir, join(s.folder, "model"));
      await writeMergedFolder(join(s.folder, "model"), s.base, s.adapters, mergedDir);
      const ids = [[5, 17, 33, 8, 40, 41, 60, 61, 44, 2], [9, 3, 77, 12, 90, 14, 15, 2, 30, 31]];
      const ours = await tf.tidy(() => s.policy.logits(tf.tensor2d(ids, [2, 10], "int32"))).data();
      await Deno.writeTextFile(join(runDir, "ids.json"), JSON.stringify(ids));
      const out = join(runDir, "peft_logits.json");
      await runHfPeer("peft", [
        "read",
        join(s.folder, "model"),
        adapterDir,
        mergedDir,
        join(runDir, "ids.json"),
        out,
      ]);
      const read: { peft: number[]; merged: number[] } = JSON.parse(await Deno.readTextFile(out));
      const viaPeft = maxDiff(ours, read.peft);
      const viaMerged = maxDiff(ours, read.merged);
      console.log(
        `${family}: logits vs PeftModel.from_pretrained ${
          viaPeft.toExponential(2)
        }, vs the merged folder in transformers ${viaMerged.toExponential(2)}`,
      );
      assert.ok(viaPeft <= 1e-4, `PEFT reads the kit's adapter with logits ${viaPeft} away`);
      assert.ok(viaMerged <= 1e-4, `the merged folder's logits are ${viaMerged} away`);
      // The kit reads back what it wrote, tensor for tensor.
      const again = await LoraAdapters.load(adapterDir, s.base.config);
      const back = await adapterValues(again);
      for (const [name, v] of after) assert.equal(maxDiff(back.get(name)!, v), 0, name);
      again.dispose();
      assert.ok(
        peftTensorNames("model.layers.0.self_attn.q_proj").a.startsWith("base_model.model."),
      );
    } finally {
      s.policy.dispose();
      s.base.dispose();
      await Deno.remove(runDir, { recursive: true });
    }
  });
}
