/**
 * The wasm backend's fused kernels (lib/_wasm_kernels.ts `FUSED_KERNELS`, used by
 * lib/model/_fused.ts) against the tfjs compositions they replace, forward + backward, on the
 * reference model's tensor shapes: GELU on the MLP's [4096, 512], softmax over attention scores
 * [16, 4, 256, 256], LayerNorm on [16, 256, 128].
 *
 * Run: `deno run -A bench/fused_bench.ts [--rounds 5]`. The two forms alternate within every
 * round (same machine load); each prints its median milliseconds per call and the ratio
 * composite/fused.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import {
  gelu,
  geluComposite,
  layerNorm,
  layerNormComposite,
  softmaxLast,
} from "../lib/model/_fused.ts";

if (import.meta.main) {
  const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`--rounds must be an integer >= 1, found ${values.rounds}`);
  }
  await initBackend("wasm");
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
      time(`${name} fused`, fused);
      time(`${name} composite`, comp);
    }
  }
  const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
  console.log("| forward + backward | fused ms | composite ms | composite / fused |");
  console.log("|---|---:|---:|---:|");
  for (const [name] of cases) {
    const f = median(times.get(`${name} fused`)!), c = median(times.get(`${name} composite`)!);
    console.log(`| ${name} | ${f.toFixed(1)} | ${c.toFixed(1)} | ${(c / f).toFixed(2)} |`);
  }
  console.log(`load average: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
}
