/**
 * Child process of tests/wasm_threads_test.ts (the wasm build is fixed per process): initialises
 * the wasm backend with `--threads N` (and `--wasm-dir DIR` if given), runs fixed products and
 * prints one JSON line with the backend info and their results. It must exit on its own.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { wasmThreadsProbe } from "./_wasm_threads_probe.ts";

const { values } = parseArgs({
  options: { threads: { type: "string", default: "2" }, "wasm-dir": { type: "string" } },
});
const denoWorker = globalThis.Worker;
const info = await initBackend("wasm", {
  wasmThreads: Number(values.threads),
  ...(values["wasm-dir"] === undefined ? {} : { wasmDir: values["wasm-dir"] }),
});
console.log(JSON.stringify({
  info,
  tfjsBackend: tf.getBackend(),
  globalWorkerKept: globalThis.Worker === denoWorker,
  ...wasmThreadsProbe(),
}));
