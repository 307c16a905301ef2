/**
 * Training throughput (tokens/s) for the reference configuration: vocab 256, d_model 128,
 * 4 layers, 4 heads, MLP 4x, context 256, batch 16, AdamW. Measures the plain LM step and a
 * Target-DPO step on 16 chosen+rejected pairs (one pass of 32 sequences; `--accumulation 2`
 * splits it into 2 micro-batches of 8), plus the three `tokenLogps` formulations.
 *
 * - `deno run -A bench/train_bench.ts [--backend wasm|cpu|webgpu] [--steps 4] [--accumulation 1]`
 *   prints one JSON line per measurement: median wall-clock tokens/s over the steps after the
 *   first, and `cpuTokensPerSecond` (tokens per second of this process's CPU time), which is
 *   the figure to compare between runs on a shared, loaded machine;
 * - `--only lm|dpo|logps` runs one measurement (default: all three);
 * - `--profile` instead prints the wall-clock milliseconds per kernel name of the last of `--steps`
 *   LM steps (DPO steps with `--only dpo`), largest first: where a training step spends its time,
 *   and under `shapes` the same and the number of calls for each kernel and input shapes (1 ms
 *   or more; products also by transpose flags);
 * - `--threads N` sets the wasm backend's `wasmThreads` (lib/backend.ts) and `--wasm-dir DIR`
 *   its directory of `.wasm` binaries;
 * - `--matmul auto|openblas|xnnpack`, `--blas-threads N` (default 2) and `--blas-thread-timeout
 *   N` (default 16; OpenBLAS' own is 28) set the wasm backend's matrix-product engine
 *   (lib/backend.ts, lib/_native_blas.ts);
 * - `--kernels auto|onednn|wasm`, `--dnn-threads N` (default 2) and `--dnn-spin-count N`
 *   (default 10000; libgomp's own is 300000) set the engine of its elementwise, softmax,
 *   LayerNorm and transpose kernels (lib/_native_dnnl.ts);
 * - `deno bench -A bench/train_bench.ts` runs the same work as `Deno.bench` cases.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import {
  type BackendKind,
  initBackend,
  KERNELS_CHOICES,
  MATMUL_CHOICES,
} from "../lib/backend/mod.ts";
import { tokenLogps, type TokenLogpsMethod } from "../lib/loss/mod.ts";
import { createGpt } from "../lib/model/mod.ts";
import {
  lmBatches,
  lmLoss,
  preferenceBatches,
  preferenceLoss,
  preparePair,
  referenceLogps,
  train,
  type TrainBatch,
  type TrainOptions,
} from "../lib/train/mod.ts";
import { REFERENCE_BATCH, REFERENCE_CONFIG } from "./reference_config.ts";
import { oneOf } from "../lib/core/mod.ts";

const REFERENCE = REFERENCE_CONFIG;
const BATCH = REFERENCE_BATCH;

/** Runs `steps` training steps; returns the median tokens/s of the steps after the first. */
async function throughput<B extends TrainBatch>(
  options: Omit<TrainOptions<B>, "runDir" | "progress" | "onEvent" | "model" | "steps">,
  steps: number,
  onStep: (step: number) => void = () => {},
): Promise<
  {
    tokensPerSecond: number;
    cpuTokensPerSecond: number;
    secondsPerStep: number;
    cpuSecondsPerStep: number;
    tokensPerStep: number;
  }
> {
  const model = createGpt(REFERENCE);
  const runDir = await Deno.makeTempDir({ prefix: "train-bench-" });
  const rates: number[] = [];
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let lastCpu = cpuNow();
  let tokens = 0;
  await train({
    ...options,
    model,
    steps,
    runDir,
    progress: false,
    onEvent: (e) => {
      if (e.type !== "step") return;
      rates.push(e.tokensPerSecond);
      seconds.push(e.tokens / e.tokensPerSecond);
      const now = cpuNow();
      cpuSeconds.push(now - lastCpu);
      lastCpu = now;
      tokens = e.tokens;
      onStep(e.step);
    },
  });
  model.dispose();
  await Deno.remove(runDir, { recursive: true });
  const median = (xs: number[]) => {
    const s = xs.slice(steps > 1 ? 1 : 0).sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const cpuPerStep = median(cpuSeconds);
  return {
    tokensPerSecond: median(rates),
    cpuTokensPerSecond: tokens / cpuPerStep,
    secondsPerStep: median(seconds),
    cpuSecondsPerStep: cpuPerStep,
    tokensPerStep: tokens,
  };
}

function lmStep(steps: number, onStep?: (step: number) => void) {
  const stream = Int32Array.from({ length: 50_000 }, (_, i) => (i * 7919 + (i >> 3)) % 256);
  return throughput(
    {
      batches: lmBatches({ stream, batchSize: BATCH, length: REFERENCE.contextLength, seed: 1 }),
      lossFn: lmLoss(),
    },
    steps,
    onStep,
  );
}

async function dpoStep(steps: number, accumulation = 1, onStep?: (step: number) => void) {
  // 16 pairs: prompt 64 tokens, completions 191 tokens + EOS -> 255 input positions per side.
  const pairs = Array.from({ length: BATCH }, (_, p) => {
    const ids = (n: number, k: number) =>
      Array.from({ length: n }, (_, i) => (p * 31 + i * k) % 255 + 1);
    return preparePair({
      id: `bench-${p}`,
      promptIds: ids(64, 3),
      chosenIds: ids(191, 5),
      rejectedIds: ids(191, 7),
      chosenSpans: [[40, 60]],
      rejectedSpans: [[40, 70]],
    }, { eosId: 0, contextLength: REFERENCE.contextLength, maxPromptLength: 64 });
  });
  const refModel = createGpt(REFERENCE);
  const reference = await referenceLogps(refModel, pairs, { batchSize: 4 });
  refModel.dispose();
  // 16 pairs = 32 sequences of 255 positions in one forward+backward pass (~2.7 GiB of wasm
  // heap since the zero-copy Identity of lib/_wasm_kernels.ts; before it, this overflowed 4 GiB).
  return throughput(
    {
      batches: preferenceBatches({
        pairs,
        reference,
        batchSize: BATCH / accumulation,
        seed: 1,
        padId: 0,
      }),
      accumulation,
      lossFn: preferenceLoss({ variant: "target-dpo" }),
    },
    steps,
    onStep,
  );
}

/** Forward + backward of `tokenLogps` on `[32, 256, 256]` logits (a DPO batch's logits). */
async function tokenLogpsMs(method: TokenLogpsMethod, reps: number): Promise<number> {
  const logits = tf.randomNormal([2 * BATCH, 256, 256], 0, 1, "float32", 1) as tf.Tensor3D;
  const targets = tf.randomUniform([2 * BATCH, 256], 0, 256, "int32", 2) as tf.Tensor2D;
  const g = tf.grad((x: tf.Tensor) => tf.sum(tokenLogps(x as tf.Tensor3D, targets, { method })));
  const once = async () => {
    const s = tf.tidy(() => tf.sum(g(logits)));
    await s.data();
    s.dispose();
  };
  await once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await once();
  tf.dispose([logits, targets]);
  return (performance.now() - t0) / reps;
}

/**
 * Wrap every kernel of `backend` with a wall-clock timer (kernels run synchronously; CPU time
 * would count the native libraries' spinning threads) (nested kernel calls count once, in the
 * outermost one); returns the per-kernel-name totals in milliseconds and the calls per
 * kernel and input shapes, updated live.
 */
function profileKernels(
  backend: string,
): { totals: Map<string, number>; calls: Map<string, number> } {
  const totals = new Map<string, number>();
  const calls = new Map<string, number>();
  let depth = 0;
  for (const kernel of tf.getKernelsForBackend(backend)) {
    const inner = kernel.kernelFunc;
    const kernelFunc = (args: Parameters<tf.KernelFunc>[0]) => {
      const t0 = depth++ === 0 ? performance.now() : 0;
      try {
        return inner(args);
      } finally {
        if (--depth === 0) {
          const ms = performance.now() - t0;
          totals.set(kernel.kernelName, (totals.get(kernel.kernelName) ?? 0) + ms);
          // Per input shapes (and, for products, transpose flags): which calls dominate.
          const shapes = Object.values(args.inputs as Record<string, tf.TensorInfo>)
            .map((t) => `[${t.shape}]`);
          let key = `${kernel.kernelName} ${shapes.join(" · ")}`;
          if (kernel.kernelName === "BatchMatMul") {
            const { transposeA, transposeB } = args.attrs as unknown as {
              transposeA: boolean;
              transposeB: boolean;
            };
            key = `BatchMatMul ${shapes[0]}${transposeA ? "ᵀ" : ""} · ${shapes[1]}${
              transposeB ? "ᵀ" : ""
            }`;
          }
          totals.set(key, (totals.get(key) ?? 0) + ms);
          calls.set(key, (calls.get(key) ?? 0) + 1);
        }
      }
    };
    tf.unregisterKernel(kernel.kernelName, backend);
    tf.registerKernel({ ...kernel, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  return { totals, calls };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "wasm" },
      steps: { type: "string", default: "4" },
      accumulation: { type: "string", default: "1" },
      profile: { type: "boolean", default: false },
      only: { type: "string", default: "all" },
      threads: { type: "string" },
      "wasm-dir": { type: "string" },
      matmul: { type: "string", default: "auto" },
      "blas-threads": { type: "string", default: "2" },
      "blas-thread-timeout": { type: "string", default: "16" },
      kernels: { type: "string", default: "auto" },
      "dnn-threads": { type: "string", default: "2" },
      "dnn-spin-count": { type: "string", default: "10000" },
    },
  });
  const info = await initBackend(values.backend as BackendKind, {
    ...(values.threads === undefined ? {} : { wasmThreads: Number(values.threads) }),
    ...(values["wasm-dir"] === undefined ? {} : { wasmDir: values["wasm-dir"] }),
    matmul: oneOf("--matmul", values.matmul, MATMUL_CHOICES),
    kernels: oneOf("--kernels", values.kernels, KERNELS_CHOICES),
    dnn: {
      threads: Number(values["dnn-threads"]),
      spinCount: Number(values["dnn-spin-count"]),
    },
    blas: {
      threads: Number(values["blas-threads"]),
      threadTimeout: Number(values["blas-thread-timeout"]),
    },
  });
  const steps = Number(values.steps);
  const accumulation = Number(values.accumulation);
  const wasm = info.backend === "wasm" ? info : null;
  const base = {
    backend: info.backend,
    simd: wasm?.simd ?? null,
    threads: wasm?.threads ?? null,
    adapter: info.backend === "webgpu" ? info.adapter : null,
    matmul: wasm?.matmul ?? null,
    kernelEngine: wasm?.kernels ?? null,
    onednn: wasm?.onednn ?? null,
    blas: wasm?.blas ?? null,
    config: REFERENCE,
  };
  const only = values.only;
  if (!["all", "lm", "dpo", "logps"].includes(only)) {
    throw new Error(`--only must be one of all, lm, dpo, logps; found "${only}"`);
  }
  if (values.profile) {
    const { totals, calls } = profileKernels(tf.getBackend());
    const clearBeforeLast = (step: number) => {
      if (step < steps) { // keep the last step only
        totals.clear();
        calls.clear();
      }
    };
    const r = only === "dpo"
      ? await dpoStep(steps, accumulation, clearBeforeLast)
      : await lmStep(steps, clearBeforeLast);
    const kernelsMs = [...totals.entries()].filter(([k]) => !k.includes(" "))
      .sort((a, b) => b[1] - a[1]);
    const shapesMs = [...totals.entries()].filter(([k]) => k.includes(" "))
      .sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 1);
    console.log(JSON.stringify({
      bench: `${only === "dpo" ? "target-dpo" : "lm"} step profile (last step, wall ms per kernel)`,
      medianStepMs: Math.round(r.secondsPerStep * 1000),
      medianStepCpuMs: Math.round(r.cpuSecondsPerStep * 1000),
      kernelMs: Math.round(kernelsMs.reduce((a, [, v]) => a + v, 0)),
      kernels: Object.fromEntries(kernelsMs.map(([k, v]) => [k, Math.round(v)])),
      shapes: Object.fromEntries(
        shapesMs.map(([k, v]) => [k, `${Math.round(v)} ms / ${calls.get(k)} calls`]),
      ),
      ...base,
    }));
    Deno.exit(0);
  }
  for (const method of ["closed-form", "log-softmax", "logsumexp"] as const) {
    if (only !== "all" && only !== "logps") break;
    console.log(
      JSON.stringify({
        bench: `tokenLogps fwd+bwd [32,256,256] ${method}`,
        ms: await tokenLogpsMs(method, 3),
        backend: info.backend,
      }),
    );
  }
  if (only === "all" || only === "lm") {
    console.log(
      JSON.stringify({ bench: "lm step", batch: BATCH, ...(await lmStep(steps)), ...base }),
    );
  }
  if (only === "all" || only === "dpo") {
    console.log(JSON.stringify({
      bench: "target-dpo step",
      pairs: BATCH,
      accumulation,
      ...(await dpoStep(steps, accumulation)),
      ...base,
    }));
  }
} else {
  await initBackend("wasm");
  Deno.bench({
    name: "lm step x2 (reference config, wasm)",
    n: 1,
    warmup: 0,
    fn: async () => {
      console.log("lm", await lmStep(2));
    },
  });
  Deno.bench({
    name: "target-dpo step x2 (reference config, wasm)",
    n: 1,
    warmup: 0,
    fn: async () => {
      console.log("dpo", await dpoStep(2));
    },
  });
}
