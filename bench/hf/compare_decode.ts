/**
 * Greedy decoding of a random Qwen2.5-Coder-0.5B-shaped model (bfloat16 weights read into
 * float32), the kit's lib/hf against transformers on torch CPU with the same threads, in one
 * invocation: tokens/s of 128 new tokens after a 16-token prompt, each side's peak resident
 * memory, and whether both decoded the same ids. The model folder is made once by transformers
 * (`runs/bench/qwen2.5-coder-0.5b-shape/`, about 1 GB) and reused.
 *
 * Run: `deno run -A bench/hf/compare_decode.ts [--tokens 128] [--threads 2] [--backend wasm]`
 *
 * Targets (issue 14): tokens/s ≥ 1.0× torch and peak memory ≤ 1.5× torch.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pythonEnv } from "../../testing/python_env/mod.ts";
import { cpuName, runSide, type SideResult } from "./_side.ts";

interface DecodeSide extends SideResult {
  readonly loadSeconds: number;
  readonly decodeSeconds: number;
  readonly generated: number[];
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
const FOLDER = join(HERE, "..", "..", "runs", "bench", "qwen2.5-coder-0.5b-shape");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tokens: { type: "string", default: "128" },
    threads: { type: "string", default: "2" },
    backend: { type: "string", default: "wasm" },
    "prompt-len": { type: "string", default: "16" },
  },
});

const threads = values.threads;
const common = ["--tokens", values.tokens, "--prompt-len", values["prompt-len"]];
const cpu = cpuName();
console.error(`CPU: ${cpu}; ${threads} threads each`);
const torchSide = await runSide<DecodeSide>(
  await pythonEnv("requirements-hf.txt"),
  [
    join(HERE, "torch_decode.py"),
    FOLDER,
    "--threads",
    threads,
    ...common,
    ...(existsSync(join(FOLDER, "config.json")) ? [] : ["--make"]),
  ],
  { OMP_NUM_THREADS: threads, TOKENIZERS_PARALLELISM: "false" },
);
const kitSide = await runSide<DecodeSide>(Deno.execPath(), [
  "run",
  "-A",
  join(HERE, "kit_decode.ts"),
  FOLDER,
  "--backend",
  values.backend,
  ...common,
]);
const rows = [torchSide, kitSide];
console.log("| side | load (s) | decode (s) | tokens/s | peak RSS (MiB) |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.side} | ${r.loadSeconds.toFixed(1)} | ${r.decodeSeconds.toFixed(1)} | ${
      r.tokensPerSecond.toFixed(2)
    } | ${r.peakRssMiB.toFixed(0)} |`,
  );
}
console.log(
  `\nours/torch: tokens/s ${(kitSide.tokensPerSecond / torchSide.tokensPerSecond).toFixed(2)}×, ` +
    `peak memory ${(kitSide.peakRssMiB / torchSide.peakRssMiB).toFixed(2)}×; same ids: ${
      JSON.stringify(kitSide.generated) === JSON.stringify(torchSide.generated)
    }`,
);
