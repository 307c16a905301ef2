/**
 * Reference log-probs: computed once per dataset with the frozen reference model and cached on
 * disk keyed by (checkpoint hash, dataset hash). The training step only reads them.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { atomicWrite } from "../core/mod.ts";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "../model/safetensors.ts";
import type { CausalLM } from "../model/types.ts";
import { modelTokenLogps } from "./loss_closures.ts";
import {
  collatePreferenceBatch,
  type PreparedPair,
  type ReferenceLogps,
} from "./preference_data.ts";

/**
 * SHA-256 of a model's config and every weight (variable order, float32 bytes): the checkpoint
 * identity used by the reference cache.
 */
export async function weightsHash(model: CausalLM): Promise<string> {
  const h = createHash("sha256");
  h.update(JSON.stringify(model.config));
  for (const v of model.variables) {
    h.update(JSON.stringify(v.shape));
    const data = (await v.data()) as Float32Array;
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest("hex");
}

/**
 * SHA-256 of the token sequences of a prepared dataset (ids, prompts and completions after
 * truncation). Masks are excluded: reference log-probs are stored per token, so any mask can be
 * applied to them later.
 *
 * @example
 * ```ts
 * import { equal, notEqual } from "node:assert/strict";
 * import { datasetHash } from "./reference_logps.ts";
 * const m = { chosen: new Float32Array(1), rejected: new Float32Array(1),
 *   chosenDiff: new Float32Array(1), rejectedDiff: new Float32Array(1) };
 * const a = { id: "a", promptIds: [1], chosenIds: [0], rejectedIds: [0], masks: m };
 * equal(datasetHash([a]), datasetHash([{ ...a }]));
 * notEqual(datasetHash([a]), datasetHash([{ ...a, chosenIds: [2] }]));
 * ```
 */
export function datasetHash(pairs: readonly PreparedPair[]): string {
  const h = createHash("sha256");
  for (const p of pairs) {
    h.update(JSON.stringify([p.id, p.promptIds, p.chosenIds, p.rejectedIds]));
    h.update("\n");
  }
  return h.digest("hex");
}

/** Options of {@link referenceLogps}. */
export interface ReferenceLogpsOptions {
  /**
   * Pairs per forward pass.
   * @default {8}
   */
  readonly batchSize?: number;
  /**
   * Padding id.
   * @default {0}
   */
  readonly padId?: number;
  /** Called after each batch with the number of pairs done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Per-token log-probs of every pair's completions under `model` (inference mode, no dropout).
 *
 * @returns one {@link ReferenceLogps} per pair, lengths equal to the kept completions.
 */
export async function referenceLogps(
  model: CausalLM,
  pairs: readonly PreparedPair[],
  options: ReferenceLogpsOptions = {},
): Promise<ReferenceLogps[]> {
  const bs = options.batchSize ?? 8;
  const out: ReferenceLogps[] = [];
  for (let s = 0; s < pairs.length; s += bs) {
    const chunk = pairs.slice(s, s + bs);
    const batch = collatePreferenceBatch(chunk, { padId: options.padId ?? 0 });
    const { batchSize: b, length: t } = batch;
    const logps = tf.tidy(() => {
      const ids = tf.tensor2d(batch.inputs, [2 * b, t], "int32"); // [2B, T]
      const targets = tf.tensor2d(batch.targets, [2 * b, t], "int32"); // [2B, T]
      return modelTokenLogps(model, ids, targets, false); // [2B, T]
    });
    const values = (await logps.data()) as Float32Array;
    logps.dispose();
    chunk.forEach((p, row) => {
      const take = (r: number, n: number) => {
        const start = r * t + p.promptIds.length - 1;
        return values.slice(start, start + n);
      };
      out.push({
        chosen: take(row, p.chosenIds.length),
        rejected: take(row + b, p.rejectedIds.length),
      });
    });
    options.onProgress?.(out.length, pairs.length);
  }
  return out;
}

/** Options of {@link cachedReferenceLogps}. */
export interface CachedReferenceLogpsOptions extends ReferenceLogpsOptions {
  /** Directory of the cache files (created if needed). */
  readonly cacheDir: string;
  /**
   * Identity of the reference checkpoint.
   * @default {await weightsHash(model)}
   */
  readonly checkpointHash?: string;
}

/** Result of {@link cachedReferenceLogps}. */
export interface CachedReferenceLogps {
  readonly logps: ReferenceLogps[];
  /** The cache file read or written. */
  readonly path: string;
  /** Whether the values came from the cache. */
  readonly hit: boolean;
}

/**
 * {@link referenceLogps} with a disk cache: `<cacheDir>/ref-logps-<ckpt16>-<data16>.safetensors`
 * holding two flat F32 tensors (`chosen`, `rejected`, pairs concatenated in order) and both full
 * hashes as metadata. The file is written to a temporary name and renamed.
 */
export async function cachedReferenceLogps(
  model: CausalLM,
  pairs: readonly PreparedPair[],
  options: CachedReferenceLogpsOptions,
): Promise<CachedReferenceLogps> {
  const ckpt = options.checkpointHash ?? await weightsHash(model);
  const data = datasetHash(pairs);
  const path = join(
    options.cacheDir,
    `ref-logps-${ckpt.slice(0, 16)}-${data.slice(0, 16)}.safetensors`,
  );
  let bytes: Uint8Array | null = null;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOENT") throw err;
  }
  if (bytes !== null) {
    return { logps: _decode(bytes, path, pairs, ckpt, data), path, hit: true };
  }
  const logps = await referenceLogps(model, pairs, options);
  const flat = (side: "chosen" | "rejected"): F32Tensor => {
    const total = logps.reduce((n, l) => n + l[side].length, 0);
    const buf = new Float32Array(total);
    let o = 0;
    for (const l of logps) {
      buf.set(l[side], o);
      o += l[side].length;
    }
    return { shape: [total], data: buf };
  };
  await mkdir(options.cacheDir, { recursive: true });
  await atomicWrite(
    path,
    encodeSafetensors(new Map([["chosen", flat("chosen")], ["rejected", flat("rejected")]]), {
      checkpointHash: ckpt,
      datasetHash: data,
      pairs: String(pairs.length),
    }),
  );
  return { logps, path, hit: false };
}

function _decode(
  bytes: Uint8Array,
  path: string,
  pairs: readonly PreparedPair[],
  ckpt: string,
  data: string,
): ReferenceLogps[] {
  const file = decodeSafetensors(bytes, path);
  for (const [field, expected] of [["checkpointHash", ckpt], ["datasetHash", data]] as const) {
    if (file.metadata[field] !== expected) {
      throw new Error(
        `${path}: metadata ${field}: expected ${expected}, found ${file.metadata[field]}`,
      );
    }
  }
  const chosen = file.tensors.get("chosen")?.data;
  const rejected = file.tensors.get("rejected")?.data;
  if (!chosen || !rejected) {
    throw new Error(`${path}: expected F32 tensors "chosen" and "rejected"`);
  }
  const out: ReferenceLogps[] = [];
  let oc = 0, or = 0;
  for (const p of pairs) {
    out.push({
      chosen: chosen.slice(oc, oc + p.chosenIds.length),
      rejected: rejected.slice(or, or + p.rejectedIds.length),
    });
    oc += p.chosenIds.length;
    or += p.rejectedIds.length;
  }
  if (oc !== chosen.length || or !== rejected.length) {
    throw new Error(
      `${path}: holds ${chosen.length}/${rejected.length} chosen/rejected values, the dataset ` +
        `needs ${oc}/${or}`,
    );
  }
  return out;
}
