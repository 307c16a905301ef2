/**
 * The kit's side of bench/hf/compare_lora_step.ts: LoRA Target-DPO steps through lib/hf's policy
 * and lib/train's trainer on the same pair, adapters and hyper-parameters as torch_lora_step.py
 * (one warm-up step, then the timed ones); one JSON line with tokens/s and peak resident memory
 * (/proc/self/status VmHWM).
 *
 * Usage: deno run -A bench/hf/kit_lora_step.ts FOLDER --tokens T --prompt-len P --rank R --steps S
 *   [--backend wasm|cpu|webgpu] [--chunk-rows N (default: HfPolicy's, 256)] [--keep-layers]
 */
import { parseArgs } from "node:util";
import { initBackend } from "../../lib/backend/mod.ts";
import { HfPolicy, loadHfModel, LORA_TARGETS, LoraAdapters } from "../../lib/hf/mod.ts";
import { peakRssMiB } from "./_side.ts";
import {
  preferenceBatches,
  preferenceLoss,
  preparePair,
  referenceLogps,
  train,
} from "../../lib/train/mod.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    tokens: { type: "string", default: "512" },
    "prompt-len": { type: "string", default: "64" },
    rank: { type: "string", default: "16" },
    steps: { type: "string", default: "3" },
    backend: { type: "string", default: "wasm" },
    "chunk-rows": { type: "string" },
    "keep-layers": { type: "boolean" },
  },
  allowPositionals: true,
});
const tokens = Number(values.tokens);
const p = Number(values["prompt-len"]);
const rank = Number(values.rank);
const steps = Number(values.steps);
const backend = await initBackend(values.backend as "wasm" | "cpu" | "webgpu");
const model = await loadHfModel(positionals[0]);
const adapters = LoraAdapters.create(model.config, {
  rank,
  alpha: 2 * rank,
  dropout: 0,
  targets: [...LORA_TARGETS],
}, 0);
const policy = new HfPolicy(model, adapters, {
  seed: 0,
  contextLength: tokens + 1,
  logpChunkRows: values["chunk-rows"] === undefined ? undefined : Number(values["chunk-rows"]),
  recomputeLayers: !values["keep-layers"],
});
// The same ids as torch_lora_step.py: T tokens per side, P of them the prompt; the rejected
// side's D- is the second half of its completion.
const seq = (k: number) => Array.from({ length: tokens }, (_, i) => 100 + (i * k) % 5000);
const [chosen, rejected] = [seq(7), seq(11)];
const n = tokens - p;
const pair = preparePair({
  id: "bench",
  promptIds: chosen.slice(0, p),
  chosenIds: chosen.slice(p, -1),
  rejectedIds: rejected.slice(p, -1),
  chosenSpans: [],
  rejectedSpans: [[Math.floor(n / 2), n - 1]],
}, { eosId: chosen.at(-1)!, contextLength: tokens + 1 });
const reference = await referenceLogps(policy.reference(), [pair], { batchSize: 1 });
const runDir = await Deno.makeTempDir({ prefix: "kit-lora-bench-" });
const times: number[] = [];
try {
  await train({
    model: policy,
    steps: steps + 1,
    runDir,
    progress: false,
    batches: preferenceBatches({ pairs: [pair], reference, batchSize: 1, seed: 0, padId: 0 }),
    lossFn: preferenceLoss({ variant: "target-dpo", beta: 0.1 }),
    optimizer: { lr: 1e-4, weightDecay: 0, gradClipNorm: 0 },
    schedule: { warmupFraction: 0, minLrRatio: 1 },
    onEvent: (e) => {
      if (e.type === "step") times.push(e.tokens / e.tokensPerSecond);
    },
  });
} finally {
  await Deno.remove(runDir, { recursive: true });
}
const timed = times.slice(1);
const stepSeconds = timed.reduce((a, b) => a + b, 0) / timed.length;
console.log(JSON.stringify({
  side: `kit (${backend.backend}${values["keep-layers"] ? ", layers kept" : ""})`,
  stepSeconds,
  tokensPerSecond: 2 * tokens / stepSeconds,
  peakRssMiB: peakRssMiB(),
}));
policy.dispose();
model.dispose();
