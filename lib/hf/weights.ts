/**
 * The weights of a Hugging Face model folder: `model.safetensors`, or the shards that
 * `model.safetensors.index.json` lists, read into float32 (F32, F16 and BF16), then checked
 * against the config: every tensor the architecture needs, with its shape. Errors name the file
 * and the tensor.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeSafetensors, type F32Tensor } from "../model/mod.ts";
import { type HfConfig, ModelFileError, readModelJson } from "./config.ts";

/** The files a model folder's weights come in. */
export const WEIGHT_FILES = {
  single: "model.safetensors",
  index: "model.safetensors.index.json",
} as const;

/** Weights by name, with the file each came from (for errors). */
export interface HfWeights {
  readonly tensors: ReadonlyMap<string, F32Tensor>;
  readonly fileOf: ReadonlyMap<string, string>;
}

async function _readShard(path: string, into: Map<string, F32Tensor>, fileOf: Map<string, string>) {
  const file = decodeSafetensors(await readFile(path), path);
  for (const [name, entry] of file.tensors) {
    if (entry.data === null) {
      throw new ModelFileError(
        path,
        `tensor "${name}"`,
        `dtype ${entry.dtype} is not supported (F32, F16 or BF16)`,
      );
    }
    into.set(name, { shape: entry.shape, data: entry.data });
    fileOf.set(name, path);
  }
  return file;
}

/** The shard file of every tensor, from the index's `weight_map`. */
async function _weightMap(indexPath: string): Promise<Map<string, string>> {
  const map = (await readModelJson(indexPath)).weight_map;
  if (map === null || typeof map !== "object" || Array.isArray(map)) {
    throw new ModelFileError(
      indexPath,
      "weight_map",
      `expected an object of tensor → shard file, found ${JSON.stringify(map)}`,
    );
  }
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.startsWith(".")) {
      throw new ModelFileError(
        indexPath,
        `weight_map["${name}"]`,
        `expected a file name in the folder, found ${JSON.stringify(shard)}`,
      );
    }
    out.set(name, shard);
  }
  return out;
}

/**
 * Reads every weight of the folder `dir` (one file or the index's shards). A shard the index
 * names must exist and hold exactly the tensors the index assigns to it.
 */
export async function readHfWeights(dir: string): Promise<HfWeights> {
  const tensors = new Map<string, F32Tensor>();
  const fileOf = new Map<string, string>();
  const indexPath = join(dir, WEIGHT_FILES.index);
  if (existsSync(indexPath)) {
    const map = await _weightMap(indexPath);
    for (const shard of new Set(map.values())) {
      const path = join(dir, shard);
      const names = [...map].filter(([, s]) => s === shard).map(([n]) => n);
      if (!existsSync(path)) {
        throw new ModelFileError(
          indexPath,
          `weight_map["${names[0]}"]`,
          `shard ${shard} is missing from ${dir}`,
        );
      }
      const file = await _readShard(path, tensors, fileOf);
      const missing = names.filter((n) => !file.tensors.has(n));
      if (missing.length > 0) {
        throw new ModelFileError(
          indexPath,
          `weight_map["${missing[0]}"]`,
          `${shard} has no tensor "${missing[0]}"`,
        );
      }
    }
    return { tensors, fileOf };
  }
  const single = join(dir, WEIGHT_FILES.single);
  if (!existsSync(single)) {
    throw new Error(
      `${dir}: no ${WEIGHT_FILES.single} or ${WEIGHT_FILES.index} (not a Hugging Face model folder?)`,
    );
  }
  await _readShard(single, tensors, fileOf);
  return { tensors, fileOf };
}

/** The tensors the architecture needs, with their shapes. */
export function expectedWeights(c: HfConfig): Map<string, readonly number[]> {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const out = new Map<string, readonly number[]>([["model.embed_tokens.weight", [
    c.vocabSize,
    c.hiddenSize,
  ]]]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    out.set(`${p}.input_layernorm.weight`, [c.hiddenSize]);
    out.set(`${p}.self_attn.q_proj.weight`, [q, c.hiddenSize]);
    out.set(`${p}.self_attn.k_proj.weight`, [kv, c.hiddenSize]);
    out.set(`${p}.self_attn.v_proj.weight`, [kv, c.hiddenSize]);
    out.set(`${p}.self_attn.o_proj.weight`, [c.hiddenSize, q]);
    if (c.qkvBias) {
      out.set(`${p}.self_attn.q_proj.bias`, [q]);
      out.set(`${p}.self_attn.k_proj.bias`, [kv]);
      out.set(`${p}.self_attn.v_proj.bias`, [kv]);
    }
    if (c.oBias) out.set(`${p}.self_attn.o_proj.bias`, [c.hiddenSize]);
    out.set(`${p}.post_attention_layernorm.weight`, [c.hiddenSize]);
    out.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    out.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    out.set(`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  out.set("model.norm.weight", [c.hiddenSize]);
  if (!c.tieWordEmbeddings) out.set("lm_head.weight", [c.vocabSize, c.hiddenSize]);
  return out;
}

/**
 * Checks that `weights` has every tensor of {@link expectedWeights} with its shape; a tied
 * model's `lm_head.weight`, which some exports write anyway, is ignored. `dir` names the folder
 * when a tensor is missing from every file.
 */
export function checkHfWeights(c: HfConfig, weights: HfWeights, dir: string): void {
  for (const [name, shape] of expectedWeights(c)) {
    const t = weights.tensors.get(name);
    if (t === undefined) {
      throw new ModelFileError(
        dir,
        `tensor "${name}"`,
        "missing from the weights (config.json's shape needs it)",
      );
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelFileError(
        weights.fileOf.get(name) ?? dir,
        `tensor "${name}"`,
        `expected shape [${shape}] from config.json, found [${t.shape}]`,
      );
    }
  }
}
