/**
 * Preference training of a Hugging Face model on a pairs file (lib/pipeline's `trainHfModel`):
 * LoRA adapters saved in PEFT's format, or full fine-tuning of a small model. Rerunning the same
 * command resumes from the newest checkpoint of `--out` and reproduces the uninterrupted run.
 * ```sh
 * deno task train --model models/SmolLM2-135M-Instruct.Q4_1.gguf --pairs runs/synth/pairs.jsonl \
 *   --variant target-dpo --chat --lora-rank 16 --steps 100 --out runs/train-smollm2
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { EMPTY_REJECTED_POLICIES, oneOf } from "../lib/core/mod.ts";
import { LORA_DEFAULTS, LORA_TARGETS, type LoraTarget, resolveLoraConfig } from "../lib/hf/mod.ts";
import { LOSS_VARIANTS } from "../lib/loss/mod.ts";
import { type HfTrainConfig, trainHfModel } from "../lib/pipeline/mod.ts";

const USAGE =
  `usage: deno task train --model DIR|FILE.gguf --pairs FILE --variant V --out DIR [options]

  --model DIR|FILE       a Hugging Face model folder (Qwen2 or Llama) or a .gguf file
  --pairs FILE           pairs: deno task synth's pairs.jsonl (codeflow.pair/v1) or a cell's
                         stored pairs.jsonl (pipeline.preference-pair/v1)
  --variant V            ${LOSS_VARIANTS.join(", ")}
  --out DIR              run folder (rerun the same command to resume)
  --lora-rank R          LoRA rank (default ${LORA_DEFAULTS.rank})
  --lora-alpha A         LoRA alpha (default ${LORA_DEFAULTS.alpha})
  --lora-dropout P       LoRA dropout (default ${LORA_DEFAULTS.dropout})
  --lora-targets LIST    comma-separated among ${LORA_TARGETS.join(",")}
                         (default ${LORA_DEFAULTS.targets.join(",")})
  --full                 train every weight instead (small models; a safetensors folder)
  --steps N              optimizer updates (default: one pass over the pairs)
  --lr X                 peak learning rate (default 5e-5 with LoRA, 5e-6 with --full)
  --batch-size B         pairs per micro-batch (default 1)
  --accumulation K       micro-batches per update (default 1)
  --beta X               DPO beta (default 0.1)
  --lambda X             RPO NLL weight (default 1)
  --seed S               seed of the data order, the adapters' init and dropout (default 0)
  --context-length T     tokens per side, prompt + completion + EOS (default 1024)
  --chat                 prompts as one user turn of the model's chat template
  --context-lines K      for pairs without masks: D- context lines, K or random1to2 (default 0)
  --empty-rejected P     for pairs without masks: ${
    EMPTY_REJECTED_POLICIES.join(", ")
  } (default keep)
  --checkpoint-every N   a resumable checkpoint every N updates (default 10)
  --backend NAME         tfjs backend: wasm (default) or cpu
`;

function fail(message: string): never {
  console.error(`train: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function number(name: string, v: string | undefined, fallback: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    fail(`${name} expects ${integer ? "an integer" : "a number"}, found ${JSON.stringify(v)}`);
  }
  return n;
}

const OPTIONS = {
  model: { type: "string" },
  pairs: { type: "string" },
  variant: { type: "string" },
  out: { type: "string" },
  "lora-rank": { type: "string" },
  "lora-alpha": { type: "string" },
  "lora-dropout": { type: "string" },
  "lora-targets": { type: "string" },
  full: { type: "boolean" },
  steps: { type: "string" },
  lr: { type: "string" },
  "batch-size": { type: "string" },
  accumulation: { type: "string" },
  beta: { type: "string" },
  lambda: { type: "string" },
  seed: { type: "string" },
  "context-length": { type: "string" },
  chat: { type: "boolean" },
  "context-lines": { type: "string" },
  "empty-rejected": { type: "string" },
  "checkpoint-every": { type: "string" },
  backend: { type: "string", default: "wasm" },
  help: { type: "boolean" },
} as const;

/** The run's config from the command line (exits with the usage on a bad value). */
export function configFromArgs(
  args: readonly string[],
): { config: HfTrainConfig; out: string; backend: string } {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  for (const f of ["model", "pairs", "variant", "out"] as const) {
    if (values[f] === undefined) fail(`--${f} is required`);
  }
  const full = values.full ?? false;
  if (
    full &&
    ["lora-rank", "lora-alpha", "lora-dropout", "lora-targets"].some((f) =>
      values[f as "full"] !== undefined
    )
  ) {
    fail("--full trains every weight; it takes no --lora-* option");
  }
  const v = values as unknown as Record<string, string | undefined>;
  try {
    const lora = full ? null : resolveLoraConfig({
      rank: number("--lora-rank", v["lora-rank"], LORA_DEFAULTS.rank, true),
      alpha: number("--lora-alpha", v["lora-alpha"], LORA_DEFAULTS.alpha),
      dropout: number("--lora-dropout", v["lora-dropout"], LORA_DEFAULTS.dropout),
      targets: (v["lora-targets"]?.split(",").map((s) =>
        s.trim()
      ) ?? LORA_DEFAULTS.targets) as LoraTarget[],
    });
    const contextLines = v["context-lines"] === "random1to2"
      ? "random1to2" as const
      : number("--context-lines", v["context-lines"], 0, true);
    const config: HfTrainConfig = {
      model: values.model!,
      pairs: values.pairs!,
      variant: oneOf("--variant", values.variant!, LOSS_VARIANTS),
      lora,
      steps: v.steps === undefined ? null : number("--steps", v.steps, 1, true),
      train: {
        lr: number("--lr", v.lr, full ? 5e-6 : 5e-5),
        batchSize: number("--batch-size", v["batch-size"], 1, true),
        accumulation: number("--accumulation", v.accumulation, 1, true),
        warmupFraction: 0.03,
        minLrRatio: 0,
        weightDecay: 0,
        gradClipNorm: 1,
        checkpointEvery: number("--checkpoint-every", v["checkpoint-every"], 10, true),
      },
      beta: number("--beta", v.beta, 0.1),
      lambda: number("--lambda", v.lambda, 1),
      seed: number("--seed", v.seed, 0, true),
      contextLength: number("--context-length", v["context-length"], 1024, true),
      chat: values.chat ?? false,
      mask: {
        contextLines,
        emptyRejected: oneOf(
          "--empty-rejected",
          v["empty-rejected"] ?? "keep",
          EMPTY_REJECTED_POLICIES,
        ),
      },
      logpChunkRows: 256,
    };
    return { config, out: values.out!, backend: values.backend! };
  } catch (e) {
    fail((e as Error).message);
  }
}

if (import.meta.main) {
  const { config, out, backend } = configFromArgs(Deno.args);
  if (backend !== "wasm" && backend !== "cpu") {
    fail(`--backend expects wasm or cpu, found ${JSON.stringify(backend)}`);
  }
  try {
    const info = await initBackend(backend);
    const r = await trainHfModel(config, {
      out,
      backend: info,
      log: (line) => console.error(`train: ${line}`),
    });
    console.log(JSON.stringify({ out, ...r }));
  } catch (e) {
    console.error(`train: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
