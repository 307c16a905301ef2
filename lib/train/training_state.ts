/**
 * Training checkpoints: weights + optimizer state + step + data position, written atomically
 * (a temporary directory renamed into place) under `<runDir>/checkpoints/step-NNNNNNNN/`.
 *
 * @module
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { atomicWriteDir } from "../core/mod.ts";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "../model/safetensors.ts";
import type { AdamW, ResolvedAdamWConfig } from "./adamw.ts";

/** File names inside a training checkpoint directory. */
export const TRAINING_STATE_FILES = {
  tensors: "trainer.safetensors",
  meta: "trainer.json",
} as const;

/** Contents of `trainer.json`. */
export interface TrainingStateMeta {
  readonly format: "target-dpo-trainer-v1";
  /** Optimizer updates completed. */
  readonly step: number;
  /** Data position: the next global micro-batch index is `step * accumulation`. */
  readonly accumulation: number;
  /** Total steps of the run. */
  readonly steps: number;
  /**
   * Randomness is stateless: every batch and hybrid split is a function of (seed, index), so the
   * step is the whole RNG state. The fingerprint (seed and config of the run) must match on resume.
   */
  readonly fingerprint: string;
  readonly optimizer: ResolvedAdamWConfig;
  /** Shapes of the model variables, in order. */
  readonly shapes: readonly (readonly number[])[];
}

/**
 * Directory name of the checkpoint after `step` updates.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { checkpointName } from "./training_state.ts";
 * equal(checkpointName(12), "step-00000012");
 * ```
 */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, "0")}`;
}

/** Options of {@link saveTrainingState}. */
export interface SaveTrainingStateOptions {
  readonly runDir: string;
  readonly variables: readonly tf.Variable[];
  readonly optimizer: AdamW;
  readonly meta: Omit<TrainingStateMeta, "format" | "shapes">;
  /** Writes extra files (for example a model checkpoint) into the temporary directory. */
  readonly extra?: (dir: string) => Promise<void>;
  /**
   * Checkpoints kept; older ones are deleted after a successful write.
   * @default {2}
   */
  readonly keep?: number;
}

/** Writes a checkpoint atomically and returns its final directory. */
export async function saveTrainingState(options: SaveTrainingStateOptions): Promise<string> {
  const root = join(options.runDir, "checkpoints");
  await mkdir(root, { recursive: true });
  const name = checkpointName(options.meta.step);
  const final = join(root, name);
  const tensors = new Map<string, F32Tensor>();
  for (const [i, v] of options.variables.entries()) {
    tensors.set(`model.${i}`, { shape: v.shape, data: (await v.data()) as Float32Array });
  }
  const state = await options.optimizer.getState();
  state.m.forEach((d, i) => tensors.set(`adam.m.${i}`, { shape: [d.length], data: d }));
  state.v.forEach((d, i) => tensors.set(`adam.v.${i}`, { shape: [d.length], data: d }));
  const meta: TrainingStateMeta = {
    format: "target-dpo-trainer-v1",
    ...options.meta,
    shapes: options.variables.map((v) => v.shape),
  };
  await atomicWriteDir(final, async (tmp) => {
    await writeFile(join(tmp, TRAINING_STATE_FILES.tensors), encodeSafetensors(tensors));
    await writeFile(join(tmp, TRAINING_STATE_FILES.meta), JSON.stringify(meta, null, 2) + "\n");
    await options.extra?.(tmp);
  });
  const keep = options.keep ?? 2;
  const all = await listCheckpoints(options.runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    await rm(join(root, checkpointName(old)), { recursive: true, force: true });
  }
  return final;
}

/** Steps of the complete checkpoints of a run, ascending. */
export async function listCheckpoints(runDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(join(runDir, "checkpoints"));
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return [];
    throw err;
  }
  return names
    .map((n) => /^step-(\d{8})$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Options of {@link loadTrainingState}. */
export interface LoadTrainingStateOptions {
  readonly dir: string;
  readonly variables: readonly tf.Variable[];
  readonly optimizer: AdamW;
  /** Must equal the saved fingerprint. */
  readonly fingerprint: string;
}

/** Restores weights and optimizer state from a checkpoint directory; returns its meta. */
export async function loadTrainingState(
  options: LoadTrainingStateOptions,
): Promise<TrainingStateMeta> {
  const metaPath = join(options.dir, TRAINING_STATE_FILES.meta);
  const tensorsPath = join(options.dir, TRAINING_STATE_FILES.tensors);
  const meta = JSON.parse(await readFile(metaPath, "utf8")) as TrainingStateMeta;
  if (meta.format !== "target-dpo-trainer-v1") {
    throw new Error(
      `${metaPath}: field format: expected "target-dpo-trainer-v1", found ${meta.format}`,
    );
  }
  if (meta.fingerprint !== options.fingerprint) {
    throw new Error(
      `${metaPath}: field fingerprint: the run directory belongs to another run ` +
        `(expected ${options.fingerprint}, found ${meta.fingerprint}); use a fresh runDir`,
    );
  }
  const file = decodeSafetensors(new Uint8Array(await readFile(tensorsPath)), tensorsPath);
  const get = (name: string, size: number): Float32Array => {
    const data = file.tensors.get(name)?.data;
    if (!data) throw new Error(`${tensorsPath}: missing F32 tensor ${name}`);
    if (data.length !== size) {
      throw new Error(`${tensorsPath}: tensor ${name} has ${data.length} values, expected ${size}`);
    }
    return data;
  };
  options.variables.forEach((v, i) => {
    const data = get(`model.${i}`, v.size);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
  });
  options.optimizer.setState({
    step: meta.step,
    m: options.variables.map((v, i) => get(`adam.m.${i}`, v.size)),
    v: options.variables.map((v, i) => get(`adam.v.${i}`, v.size)),
  });
  return meta;
}
