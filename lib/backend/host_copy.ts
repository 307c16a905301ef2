/**
 * Copies between tensors and host buffers the caller owns and reuses.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendInternals } from "./_wasm_kernels.ts";

/**
 * Copies the values of the float32 tensor `t` into `into` (its length must be `t.size`) and
 * returns `into`. On the wasm backend it reads a view of the heap, so nothing is allocated
 * (`dataSync` there returns a fresh copy each time); elsewhere it copies what `dataSync` returns.
 */
export function readInto(t: tf.Tensor, into: Float32Array): Float32Array {
  if (t.dtype !== "float32" || into.length !== t.size) {
    throw new RangeError(
      `readInto: expected a float32 tensor of ${into.length} values, got ${t.dtype} [${t.shape}]`,
    );
  }
  const backend = tf.backend() as unknown as Partial<WasmBackendInternals>;
  const values = tf.getBackend() === "wasm" ? backend.typedArrayFromHeap!(t) : t.dataSync();
  into.set(values as Float32Array);
  return into;
}
