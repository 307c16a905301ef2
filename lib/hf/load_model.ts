/**
 * A Hugging Face model folder, loaded: `config.json` read and checked, the weights read from
 * `model.safetensors` or its shards and checked against the config, then uploaded as tfjs
 * tensors.
 *
 * @module
 */
import { join } from "node:path";
import { type HfConfig, parseHfConfig, readModelJson } from "./config.ts";
import { HfCausalLM, type HfCausalLMOptions } from "./model.ts";
import { checkHfWeights, readHfWeights } from "./weights.ts";

/** Reads and checks `<dir>/config.json`. */
export async function readHfConfig(dir: string): Promise<HfConfig> {
  const file = join(dir, "config.json");
  return parseHfConfig(await readModelJson(file), file);
}

/**
 * Loads the model of the folder `dir` (Qwen2 or Llama) on the current tfjs backend.
 *
 * @example
 * ```ts ignore
 * import { loadHfModel } from "./load_model.ts";
 * const model = await loadHfModel("models/Qwen2.5-Coder-0.5B");
 * const ids = model.greedy([[151643, 750]], 8);
 * model.dispose();
 * ```
 */
export async function loadHfModel(
  dir: string,
  options: HfCausalLMOptions = {},
): Promise<HfCausalLM> {
  const config = await readHfConfig(dir);
  const weights = await readHfWeights(dir);
  checkHfWeights(config, weights, dir);
  return new HfCausalLM(config, weights, options);
}
