/**
 * Fixed products whose results tests/wasm_threads_test.ts compares between the single-threaded
 * backend (in the test process) and the threaded one (in a child process).
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";

/** Results of the probe products, as plain arrays. */
export interface WasmThreadsProbe {
  /** `[[1, 2], [3, 4]] · [[1, 0], [1, 1]]` (hand value `[[3, 2], [7, 4]]`). */
  readonly small: number[][];
  /** `Aᵀ · B` with the same operands (hand value `[[4, 3], [6, 4]]`). */
  readonly smallTransposed: number[][];
  /** SHA-256 of the float32 bytes of a seeded `[300, 200] · [200, 100]` product (multi-tile). */
  readonly large: string;
  /** SHA-256 of the float32 bytes of a seeded batched `[8, 64, 32] · [8, 64, 32]ᵀ` product. */
  readonly batched: string;
}

/** Run the probe products on the current backend. */
export function wasmThreadsProbe(): WasmThreadsProbe {
  return tf.tidy(() => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[1, 0], [1, 1]]);
    const x = tf.randomNormal([300, 200], 0, 1, "float32", 7);
    const w = tf.randomNormal([200, 100], 0, 1, "float32", 8);
    const q = tf.randomNormal([8, 64, 32], 0, 1, "float32", 9);
    const k = tf.randomNormal([8, 64, 32], 0, 1, "float32", 10);
    return {
      small: tf.matMul(a, b).arraySync() as number[][],
      smallTransposed: tf.matMul(a, b, true, false).arraySync() as number[][],
      large: _sha256(tf.matMul(x, w)),
      batched: _sha256(tf.matMul(q, k, false, true)),
    };
  });
}

function _sha256(t: tf.Tensor): string {
  const data = t.dataSync() as Float32Array;
  return createHash("sha256").update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}
