/**
 * The wasm backend's fused kernels (lib/_wasm_kernels.ts `FUSED_KERNELS`, used by
 * lib/model/_fused.ts) against the tfjs compositions they replace, forward + backward, on the
 * reference model's tensor shapes: GELU on the MLP's [4096, 512], softmax over attention scores
 * [16, 4, 256, 256], LayerNorm on [16, 256, 128].
 *
 * Three arms: the composition and the fused kernels on the wasm backend's own kernels
 * (`kernels: "wasm"`: JS and wasm on one core), and the fused kernels on oneDNN (`kernels:
 * "onednn"`, lib/_native_dnnl.ts).
 *
 * Run: `deno run -A bench/fused_bench.ts [--rounds 5]`. The arms alternate within every round
 * (same machine load); it prints each arm's median milliseconds per call and the ratios
 * composite/fused and fused/oneDNN.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  gelu,
  geluComposite,
  layerNorm,
  layerNormComposite,
  softmaxLast,
} from "../lib/model/mod.ts";

if (import.meta.main) {
  const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`--rounds must be an integer >= 1, found ${values.rounds}`);
  }
  await initBackend("wasm", { kernels: "onednn" });
  const x = tf.randomNormal([4096, 512], 0, 1, "float32", 1);
  const s = tf.randomNormal([16, 4, 256, 256], 0, 1, "float32", 2);
  const l = tf.randomNormal([16, 256, 128], 0, 1, "float32", 3);
  const g = tf.ones([128]), b = tf.zeros([128]);
  const grad = (f: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor) =>
    tf.grad((t: tf.Tensor) => tf.sum(f(t)))(a);
  type Norm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => tf.Tensor;
  const lnGrads = (f: Norm) =>
    tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(f(a, gg, bb, 1e-5)))([l, g, b]);
  const cases: [string, () => tf.TensorContainer, () => tf.TensorContainer][] = [
    ["GELU [4096, 512]", () => grad(gelu, x), () => grad(geluComposite, x)],
    [
      "softmax [16, 4, 256, 256]",
      () => grad(softmaxLast, s),
      () => grad((a) => tf.softmax(a, -1), s),
    ],
    [
      "LayerNorm [16, 256, 128]",
      () => lnGrads(layerNorm),
      () => lnGrads(layerNormComposite),
    ],
  ];
  const times = new Map<string, number[]>();
  const time = (key: string, f: () => tf.TensorContainer) => {
    tf.dispose(f()); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) tf.dispose(f());
    times.set(key, [...(times.get(key) ?? []), (performance.now() - t0) / 3]);
  };
  for (let r = 0; r < rounds; r++) {
    for (const [name, fused, comp] of cases) {
      await initBackend("wasm", { kernels: "wasm" });
      time(`${name} fused`, fused);
      time(`${name} composite`, comp);
      await initBackend("wasm", { kernels: "onednn" });
      time(`${name} onednn`, fused);
    }
  }
  const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  console.log(
    "| forward + backward | composite ms | fused ms | oneDNN ms | composite / fused | fused / oneDNN |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [name] of cases) {
    const [c, f, o] = ["composite", "fused", "onednn"].map((a) =>
      median(times.get(`${name} ${a}`)!)
    );
    console.log(
      `| ${name} | ${c.toFixed(1)} | ${f.toFixed(1)} | ${o.toFixed(1)} | ${(c / f).toFixed(2)} | ` +
        `${(f / o).toFixed(2)} |`,
    );
  }
  console.log(`load average: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
}
