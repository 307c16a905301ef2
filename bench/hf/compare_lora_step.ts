/**
 * A LoRA Target-DPO training step on a random Qwen2.5-Coder-0.5B-shaped model (one pair, T
 * tokens per side), the kit (lib/hf's policy, lib/train's trainer) against transformers + PEFT on
 * torch CPU with the same threads, adapters (rank 16, alpha 32, all seven projections) and pair,
 * in one invocation: tokens/s and each side's peak resident memory. The model folder is the one
 * bench/hf/compare_decode.ts uses (made once by transformers, about 1 GB).
 *
 * Run: `deno run -A bench/hf/compare_lora_step.ts [--tokens 512] [--threads 2] [--steps 3]`
 * (`--tokens 1024` for the memory target; `--keep-layers` without activation checkpointing).
 *
 * Targets (issue 15): tokens/s ≥ 1.0× torch, peak memory ≤ 1.2× torch; at 1,024 tokens per
 * sequence the kit's step within 16 GB.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pythonEnv } from "../../testing/python_env/mod.ts";
import { cpuName, runSide, type SideResult } from "./_side.ts";

interface StepSide extends SideResult {
  readonly stepSeconds: number;
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
const FOLDER = join(HERE, "..", "..", "runs", "bench", "qwen2.5-coder-0.5b-shape");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tokens: { type: "string", default: "512" },
    threads: { type: "string", default: "2" },
    steps: { type: "string", default: "3" },
    backend: { type: "string", default: "wasm" },
    "keep-layers": { type: "boolean" },
  },
});

const threads = values.threads;
const common = [
  "--tokens",
  values.tokens,
  "--prompt-len",
  "64",
  "--rank",
  "16",
  "--steps",
  values.steps,
];
const cpu = cpuName();
console.error(`CPU: ${cpu}; ${threads} threads each; ${values.tokens} tokens per side`);
const torchSide = await runSide<StepSide>(
  await pythonEnv("requirements-hf.txt"),
  [
    join(HERE, "torch_lora_step.py"),
    FOLDER,
    "--threads",
    threads,
    ...common,
    ...(existsSync(join(FOLDER, "config.json")) ? [] : ["--make"]),
  ],
  { OMP_NUM_THREADS: threads, TOKENIZERS_PARALLELISM: "false", PYTHONPATH: HERE },
);
const kitSide = await runSide<StepSide>(Deno.execPath(), [
  "run",
  "-A",
  join(HERE, "kit_lora_step.ts"),
  FOLDER,
  "--backend",
  values.backend,
  ...common,
  ...(values["keep-layers"] ? ["--keep-layers"] : []),
]);
console.log("| side | step (s) | tokens/s | peak RSS (MiB) |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of [torchSide, kitSide]) {
  console.log(
    `| ${r.side} | ${r.stepSeconds.toFixed(2)} | ${r.tokensPerSecond.toFixed(1)} | ${
      r.peakRssMiB.toFixed(0)
    } |`,
  );
}
console.log(
  `\nours/torch: tokens/s ${(kitSide.tokensPerSecond / torchSide.tokensPerSecond).toFixed(2)}×, ` +
    `peak memory ${(kitSide.peakRssMiB / torchSide.peakRssMiB).toFixed(2)}×`,
);
