/**
 * Merging LoRA adapters into their base model: `W + (alpha / r)·B·A` for every adapted module,
 * written as a Hugging Face model folder (float32 `model.safetensors`, the base's `config.json`
 * and tokenizer files) that transformers loads on its own.
 *
 * @module
 */
import { copyFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { atomicWriteDir } from "../core/mod.ts";
import { encodeSafetensors, type F32Tensor } from "../model/safetensors.ts";
import { readModelJson } from "./config.ts";
import type { LoraAdapters } from "./lora.ts";
import { HfCausalLM } from "./model.ts";
import { WEIGHT_FILES } from "./weights.ts";

/** Files of a model folder that travel unchanged into a merged folder (tokenizer, generation). */
const _COPIED = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "generation_config.json",
  "chat_template.jinja",
  "vocab.json",
  "merges.txt",
];

/** The base weights (Hugging Face layout) with each adapter's `scale·B·A` added. */
export async function mergedWeights(
  model: HfCausalLM,
  adapters: LoraAdapters,
): Promise<Map<string, F32Tensor>> {
  const weights = await model.weightsData();
  for (const [module, delta] of await adapters.deltas()) {
    const w = weights.get(`${module}.weight`);
    if (w === undefined) throw new Error(`mergedWeights: the model has no weight ${module}.weight`);
    for (let i = 0; i < w.data.length; i++) w.data[i] += delta.data[i];
  }
  return weights;
}

/**
 * A new model whose weights are `model`'s with the adapters merged in (for generation and
 * evaluation at the base model's speed); the caller disposes it.
 */
export async function mergedModel(model: HfCausalLM, adapters: LoraAdapters): Promise<HfCausalLM> {
  const tensors = await mergedWeights(model, adapters);
  return new HfCausalLM(model.config, { tensors, fileOf: new Map() });
}

/**
 * Writes the merged model of `model` (loaded from the folder `baseDir`) and `adapters` into
 * `outDir`, atomically: nothing is there until the whole folder is.
 */
export async function writeMergedFolder(
  baseDir: string,
  model: HfCausalLM,
  adapters: LoraAdapters,
  outDir: string,
): Promise<void> {
  await writeModelFolder(baseDir, await mergedWeights(model, adapters), outDir);
}

/**
 * Writes `weights` (Hugging Face names and layout) as a model folder `outDir` beside the
 * `config.json` and tokenizer files of `baseDir`, atomically; a GGUF base has no folder to take
 * them from and fails.
 */
export async function writeModelFolder(
  baseDir: string,
  weights: ReadonlyMap<string, F32Tensor>,
  outDir: string,
): Promise<void> {
  if (baseDir.endsWith(".gguf")) {
    throw new Error(
      `${baseDir}: writing a model folder needs the base's config.json and tokenizer files; ` +
        "give the safetensors folder of the model, not a GGUF file",
    );
  }
  const config = await readModelJson(join(baseDir, "config.json"));
  const present = new Set(await readdir(baseDir));
  await atomicWriteDir(outDir, async (tmp) => {
    // float32 weights: a bfloat16 config would make transformers cast them back by default.
    const { torch_dtype: _old, ...rest } = config;
    await Deno.writeTextFile(
      join(tmp, "config.json"),
      JSON.stringify({ ...rest, dtype: "float32" }, null, 2) + "\n",
    );
    await Deno.writeFile(
      join(tmp, WEIGHT_FILES.single),
      encodeSafetensors(weights, { format: "pt" }),
    );
    for (const f of _COPIED) if (present.has(f)) await copyFile(join(baseDir, f), join(tmp, f));
  });
}
