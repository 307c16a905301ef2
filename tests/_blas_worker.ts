// A worker of tests/blas_workers_test.ts: products big enough for OpenBLAS' thread server.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";

const worker = self as unknown as {
  onmessage: () => void;
  postMessage(message: unknown): void;
  close(): void;
};

worker.onmessage = async () => {
  const info = await initBackend("wasm");
  const a = tf.randomUniform([512, 512], -1, 1, "float32", 1);
  let sum = 0;
  for (let i = 0; i < 40; i++) {
    const c = tf.matMul(a, a);
    sum += (await c.data())[0];
    c.dispose();
  }
  worker.postMessage({ sum, matmul: "matmul" in info ? info.matmul : null });
  worker.close();
};
