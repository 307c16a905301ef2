/**
 * Checkpoints: a directory holding `model.safetensors` (the weights, F32, in the model's
 * variable order) and `config.json` (the resolved {@link GptConfig}, the tokenizer and free-form
 * metadata), so the checkpoint alone rebuilds the model.
 *
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { atomicWrite } from "../core/mod.ts";
import { createGpt, type Gpt } from "./gpt.ts";
import { validateGptConfig } from "./gpt_config.ts";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "./safetensors.ts";
import { type BpeTokenizer, type BpeTokenizerJson, tokenizerFromJson } from "./tokenizer.ts";
import type { GptConfig } from "./types.ts";

/** File names inside a checkpoint directory. */
export const CHECKPOINT_FILES = { weights: "model.safetensors", config: "config.json" } as const;

/** Contents of `config.json`. */
export interface CheckpointConfig {
  readonly format: "target-dpo-gpt-v1";
  readonly model: GptConfig;
  readonly tokenizerId: string;
  readonly tokenizer: BpeTokenizerJson;
  /** Free-form JSON metadata (step, seed, git commit, metrics…). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** A loaded checkpoint. */
export interface Checkpoint {
  readonly model: Gpt;
  readonly tokenizer: BpeTokenizer;
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * Write `model.safetensors` and `config.json` into `dir` (created if needed). Each file is
 * written to a temporary name and renamed, so a killed run never leaves a torn checkpoint file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt, loadCheckpoint, saveCheckpoint, trainTokenizer } from "./mod.ts";
 * await initBackend("cpu");
 * const tok = await trainTokenizer(["x = 1\n", "x = 2\n"]);
 * const model = createGpt({
 *   vocabSize: tok.vocabSize, contextLength: 8, dModel: 8, nLayer: 1, nHead: 2, mlpRatio: 2,
 *   dropout: 0, seed: 0,
 * });
 * const dir = await Deno.makeTempDir();
 * await saveCheckpoint(dir, model, tok, { step: 0 });
 * const back = await loadCheckpoint(dir);
 * assert.deepEqual(back.model.variables[0].dataSync(), model.variables[0].dataSync());
 * assert.deepEqual(back.meta, { step: 0 });
 * [model, back.model].forEach((m) => m.dispose());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  model: Gpt,
  tokenizer: BpeTokenizer,
  meta: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new Error(
      `saveCheckpoint: tokenizer vocabSize ${tokenizer.vocabSize} != model vocabSize ` +
        `${model.config.vocabSize}`,
    );
  }
  await mkdir(dir, { recursive: true });
  const tensors = new Map<string, F32Tensor>();
  for (let i = 0; i < model.variables.length; i++) {
    const v = model.variables[i];
    tensors.set(model.variableNames[i], {
      shape: v.shape,
      data: (await v.data()) as Float32Array,
    });
  }
  const config: CheckpointConfig = {
    format: "target-dpo-gpt-v1",
    model: model.config,
    tokenizerId: tokenizer.id,
    tokenizer: tokenizer.toJSON(),
    meta,
  };
  await atomicWrite(
    join(dir, CHECKPOINT_FILES.weights),
    encodeSafetensors(tensors, { tokenizerId: tokenizer.id }),
  );
  await atomicWrite(
    join(dir, CHECKPOINT_FILES.config),
    new TextEncoder().encode(JSON.stringify(config, null, 2) + "\n"),
  );
}

/**
 * Rebuild the model and tokenizer saved by {@link saveCheckpoint}. Every model tensor must be
 * present with dtype F32 and exactly the shape the config implies; extra tensors are rejected
 * too. Errors name the file, the tensor, the expected and the found value.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const weightsPath = join(dir, CHECKPOINT_FILES.weights);
  let config: CheckpointConfig;
  try {
    config = JSON.parse(await readFile(configPath, "utf8"));
  } catch (err) {
    throw new Error(`loadCheckpoint: cannot read ${configPath}: ${(err as Error).message}`);
  }
  if (config.format !== "target-dpo-gpt-v1") {
    throw new Error(
      `${configPath}: field format: expected "target-dpo-gpt-v1", found ${
        JSON.stringify(config.format)
      }`,
    );
  }
  try {
    validateGptConfig(config.model);
  } catch (err) {
    throw new Error(`${configPath}: field model: ${(err as Error).message}`);
  }
  const tokenizer = await tokenizerFromJson(config.tokenizer);
  if (tokenizer.id !== config.tokenizerId) {
    throw new Error(
      `${configPath}: field tokenizerId: expected ${tokenizer.id} (hash of field tokenizer), ` +
        `found ${config.tokenizerId}`,
    );
  }
  if (tokenizer.vocabSize !== config.model.vocabSize) {
    throw new Error(
      `${configPath}: tokenizer has ${tokenizer.vocabSize} tokens, model.vocabSize is ` +
        `${config.model.vocabSize}`,
    );
  }
  const file = decodeSafetensors(new Uint8Array(await readFile(weightsPath)), weightsPath);
  const model = createGpt(config.model);
  try {
    const expected = new Set(model.variableNames);
    for (const name of file.tensors.keys()) {
      if (!expected.has(name)) {
        throw new Error(`${weightsPath}: unexpected tensor "${name}" (not a weight of this model)`);
      }
    }
    for (let i = 0; i < model.variables.length; i++) {
      const name = model.variableNames[i];
      const v = model.variables[i];
      const entry = file.tensors.get(name);
      if (entry === undefined) {
        throw new Error(
          `${weightsPath}: tensor "${name}" is missing (expected F32 [${v.shape}])`,
        );
      }
      if (entry.dtype !== "F32" || entry.data === null) {
        throw new Error(
          `${weightsPath}: tensor "${name}" has dtype ${entry.dtype}, expected F32`,
        );
      }
      if (entry.shape.join(",") !== v.shape.join(",")) {
        throw new Error(
          `${weightsPath}: tensor "${name}" has shape [${entry.shape}], expected [${v.shape}]`,
        );
      }
      const data = entry.data;
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, tokenizer, meta: config.meta ?? {} };
}
