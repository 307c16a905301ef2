/**
 * Merges LoRA adapters (PEFT's `adapter_config.json` + `adapter_model.safetensors`, from
 * `deno task train` or from PEFT) into their base model and writes a Hugging Face model folder
 * that transformers loads on its own (float32 `model.safetensors`, the base's config and
 * tokenizer files).
 * ```sh
 * deno task merge --model models/Qwen2.5-Coder-0.5B-Instruct --adapter runs/train/adapter --out runs/merged
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { loadHfModel, LoraAdapters, writeMergedFolder } from "../lib/hf/mod.ts";

const USAGE = `usage: deno task merge --model DIR --adapter DIR --out DIR

  --model DIR     the base model folder the adapters were trained on (safetensors)
  --adapter DIR   the adapters (adapter_config.json, adapter_model.safetensors)
  --out DIR       the merged model folder (written atomically)
`;

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      strict: true,
      options: {
        model: { type: "string" },
        adapter: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`merge: ${(e as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (values.model === undefined || values.adapter === undefined || values.out === undefined) {
    console.error(`merge: --model, --adapter and --out are required\n\n${USAGE}`);
    Deno.exit(2);
  }
  await initBackend("cpu");
  try {
    if (values.model.endsWith(".gguf")) {
      throw new Error(
        `${values.model}: merging needs the base's safetensors folder, not a GGUF file`,
      );
    }
    const model = await loadHfModel(values.model);
    const adapters = await LoraAdapters.load(values.adapter, model.config);
    await writeMergedFolder(values.model, model, adapters, values.out);
    console.log(
      JSON.stringify({ merged: values.out, base: values.model, adapter: values.adapter }),
    );
  } catch (e) {
    console.error(`merge: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
