/**
 * Where a webgpu training step's time goes (issue #7): counts and times, per LM training step,
 * what the tfjs webgpu backend asks of Deno's WebGPU, and compares tfjs flag settings
 * ("levers") in one invocation.
 *
 * With a small model (the default: vocab 256, d_model 32, 2 layers, 2 heads, context 32, batch
 * 4) the GPU math is negligible and the per-step overhead dominates, as it does for the
 * reference model on an H100 (1.8 s per LM step there, against 0.010 s for PyTorch CUDA).
 *
 * Three parts:
 *
 * 1. Counts of one step, by phase (forward + backward, global-norm clipping, AdamW update, the
 *    metric read-back), from a replica of `lib/train`'s step (`tf.variableGrads`,
 *    `clipByGlobalNorm`, `AdamW.apply`, one packed `data()`): tfjs ops (`engine.runKernel`),
 *    GPU dispatches (`recordAndSubmit`), ops forwarded to the CPU backend (tensors small and
 *    still on the CPU), uploads of CPU values to GPU buffers, read-backs (`getBufferData`) and
 *    every WebGPU API call by method (`GPUDevice`, `GPUQueue`, `GPUCommandEncoder`,
 *    `GPUComputePassEncoder`, `GPUBuffer` prototypes) with its synchronous milliseconds.
 * 2. The time split of a whole `train()` step: WebGPU calls (synchronous), waiting for the
 *    read-back (GPU work still queued, then the map), and the rest (tfjs and JS).
 * 3. Timing of each `--variants` entry through `lib/train`'s `train()` (fresh seeded model per
 *    run, `--warmup` untimed steps, median of `--steps`), alternating the variants for
 *    `--rounds` rounds so all see the same machine load; ratios against the first variant.
 *
 * A variant is `tfjs` (tfjs-backend-webgpu's own defaults: the levers `initBackend("webgpu")`
 * sets are undone), `kit` (the backend as `initBackend("webgpu")` leaves it), or `kit` plus
 * tfjs flag assignments `FLAG=value,FLAG=value` (for example
 * `WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=200`). Separate variants with `;`.
 *
 * Run: `deno run -A bench/webgpu_overhead.ts [--reference] [--vocab 256] [--d-model 32]
 * [--layers 2] [--heads 2] [--ctx 32] [--batch 4] [--steps 3] [--warmup 1] [--rounds 2]
 * [--variants "tfjs;kit"] [--no-counts] [--kernel-times] [--json]`. `--kernel-times` first
 * prints the GPU milliseconds per kernel of one step (`tf.profile` with timestamp queries: is
 * the step GPU-bound, and where?). `--reference` is the reference model of
 * `bench/reference_config.ts` (the H100 measurement's). On this CPU-only machine WebGPU runs
 * on Mesa's lavapipe (`apt-get install mesa-vulkan-drivers`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { createGpt } from "../lib/model/mod.ts";
import type { GptConfig } from "../lib/model/mod.ts";
import { AdamW, clipByGlobalNorm, type LmBatch, lmLoss, train } from "../lib/train/mod.ts";
import { mulberry32 } from "../lib/util/rng.ts";
import { REFERENCE_BATCH, REFERENCE_CONFIG } from "./reference_config.ts";

/** The tfjs flags that `initBackend("webgpu")` may set, with tfjs-backend-webgpu's defaults. */
const TFJS_DEFAULTS: Readonly<Record<string, number | boolean>> = {
  WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 15,
  WEBGPU_CPU_FORWARD: true,
  KIT_WEBGPU_QUEUE_UPLOADS: false,
};

/** Counters of one measured interval. */
interface Counts {
  /** tfjs ops (`engine.runKernel` calls, outermost and nested). */
  ops: number;
  /** GPU compute dispatches. */
  dispatches: number;
  /** Kernels run on the CPU backend instead (`shouldExecuteOnCPU` true). */
  cpuForwarded: number;
  /** CPU values uploaded into GPU buffers, and their bytes. */
  uploads: number;
  uploadBytes: number;
  /** GPU -> CPU read-backs (`getBufferData`), and milliseconds awaiting them. */
  readbacks: number;
  readbackWaitMs: number;
  /** WebGPU API calls by `Class.method`: count and synchronous milliseconds. */
  api: Map<string, { n: number; ms: number }>;
}

function emptyCounts(): Counts {
  return {
    ops: 0,
    dispatches: 0,
    cpuForwarded: 0,
    uploads: 0,
    uploadBytes: 0,
    readbacks: 0,
    readbackWaitMs: 0,
    api: new Map(),
  };
}

/** The parts of tfjs-backend-webgpu's `WebGPUBackend` that this bench wraps. */
interface WebGpuBackendInternals {
  recordAndSubmit(...args: unknown[]): unknown;
  shouldExecuteOnCPU(...args: unknown[]): boolean;
  uploadToGPU(dataId: tf.DataId): void;
  getBufferData(buffer: GPUBuffer): Promise<ArrayBuffer>;
  tensorMap: { get(dataId: tf.DataId): { values: unknown; resource: unknown; shape: number[] } };
}

/** Live counters: `current` receives events while `on`. */
const probe = { on: false, current: emptyCounts() };

function apiCount(name: string, ms: number): void {
  const e = probe.current.api.get(name);
  if (e === undefined) probe.current.api.set(name, { n: 1, ms });
  else {
    e.n++;
    e.ms += ms;
  }
}

/** Wraps every method of the WebGPU classes' prototypes and the backend's hooks (once). */
function instrument(): void {
  const globals = globalThis as unknown as Record<string, { prototype: object } | undefined>;
  const classes = [
    "GPUDevice",
    "GPUQueue",
    "GPUCommandEncoder",
    "GPUComputePassEncoder",
    "GPUBuffer",
  ];
  for (const cls of classes) {
    const ctor = globals[cls];
    if (ctor === undefined) throw new Error(`webgpu_overhead: no global ${cls} (no WebGPU?)`);
    const proto = ctor.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (key === "constructor" || d === undefined || typeof d.value !== "function") continue;
      const inner = d.value as (...a: unknown[]) => unknown;
      const name = `${cls}.${key}`;
      Object.defineProperty(proto, key, {
        ...d,
        value: function (this: unknown, ...args: unknown[]) {
          if (!probe.on) return inner.apply(this, args);
          const t0 = performance.now();
          try {
            return inner.apply(this, args);
          } finally {
            apiCount(name, performance.now() - t0);
          }
        },
      });
    }
  }
  const b = tf.backend() as unknown as WebGpuBackendInternals;
  const record = b.recordAndSubmit;
  b.recordAndSubmit = function (...args) {
    if (probe.on) probe.current.dispatches++;
    return record.apply(this, args);
  };
  const cpu = b.shouldExecuteOnCPU;
  b.shouldExecuteOnCPU = function (...args) {
    const r = cpu.apply(this, args);
    if (probe.on && r) probe.current.cpuForwarded++;
    return r;
  };
  const upload = b.uploadToGPU;
  b.uploadToGPU = function (dataId) {
    if (probe.on) {
      const d = this.tensorMap.get(dataId);
      if (d.resource == null && d.values != null) {
        probe.current.uploads++;
        probe.current.uploadBytes += 4 * d.shape.reduce((a, x) => a * x, 1);
      }
    }
    return upload.call(this, dataId);
  };
  const read = b.getBufferData;
  b.getBufferData = async function (buffer) {
    // The wait for the GPU, without the WebGPU calls made meanwhile (the submit of the queued
    // work, the copy, mapAsync), which are counted under their own names.
    const t0 = performance.now();
    const api0 = apiTotals(probe.current).ms;
    try {
      return await read.call(this, buffer);
    } finally {
      if (probe.on) {
        probe.current.readbacks++;
        probe.current.readbackWaitMs += performance.now() - t0 -
          (apiTotals(probe.current).ms - api0);
      }
    }
  };
  const engine = tf.engine() as unknown as { runKernel(...args: unknown[]): unknown };
  const runKernel = engine.runKernel;
  engine.runKernel = function (...args) {
    if (probe.on) probe.current.ops++;
    return runKernel.apply(this, args);
  };
}

/** Applies a variant: tfjs defaults, the kit's settings, or the kit's plus assignments. */
function applyVariant(variant: string, kit: Readonly<Record<string, number | boolean>>): void {
  const base = variant === "tfjs" ? TFJS_DEFAULTS : kit;
  for (const [k, v] of Object.entries(base)) if (k in kit) tf.env().set(k, v);
  if (variant === "tfjs" || variant === "kit") return;
  for (const part of variant.split(",")) {
    const m = /^([A-Z0-9_]+)=(.+)$/.exec(part.trim());
    if (m === null) {
      throw new Error(`--variants: "${part}" is not FLAG=value (in variant "${variant}")`);
    }
    const raw = m[2];
    const value = raw === "true" ? true : raw === "false" ? false : Number(raw);
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`--variants: ${m[1]}=${raw}: expected a number, true or false`);
    }
    tf.env().set(m[1], value);
  }
}

/** One fixed LM batch of random tokens (as bench/peer/compare.ts builds it). */
function lmBatch(config: GptConfig, batch: number): LmBatch {
  const t = config.contextLength;
  const rand = mulberry32(11);
  const inputs = new Int32Array(batch * t);
  const targets = new Int32Array(batch * t);
  for (let i = 0; i < batch * t; i++) {
    inputs[i] = Math.floor(rand() * config.vocabSize);
    targets[i] = Math.floor(rand() * config.vocabSize);
  }
  const mask = new Float32Array(batch * t).fill(1);
  return { batchSize: batch, length: t, inputs, targets, mask, tokens: batch * t };
}

const OPTIMIZER = { lr: 3e-4, weightDecay: 0.1, gradClipNorm: 1 } as const;

/**
 * Counts one step by phase with a replica of lib/train's step (after `warmup` uncounted steps,
 * so shaders are compiled and the buffer pool is warm).
 */
async function phaseCounts(
  config: GptConfig,
  batch: LmBatch,
  warmup: number,
): Promise<{ phase: string; counts: Counts; wallMs: number }[]> {
  const model = createGpt(config);
  const vars = model.variables as tf.Variable[];
  const opt = new AdamW(vars, OPTIMIZER);
  const lossFn = lmLoss();
  const out: { phase: string; counts: Counts; wallMs: number }[] = [];
  const phase = async <T>(name: string, count: boolean, f: () => T | Promise<T>): Promise<T> => {
    probe.current = emptyCounts();
    probe.on = count;
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      probe.on = false;
      if (count) out.push({ phase: name, counts: probe.current, wallMs: performance.now() - t0 });
    }
  };
  // Sketch of clipping + AdamW over ONE flat vector (its own moments; the model is not
  // updated by it): how many dispatches a flattened optimizer would need. Counted apart.
  const n = vars.reduce((a, v) => a + v.size, 0);
  const flatM = tf.variable(tf.zeros([n]), false);
  const flatV = tf.variable(tf.zeros([n]), false);
  const decayFlat = tf.concat(vars.map((v) => tf.fill([v.size], v.rank >= 2 ? 1 : 0)));
  const flatSketch = (grads: tf.Tensor[]) =>
    tf.tidy(() => {
      const { lr, weightDecay, gradClipNorm } = OPTIMIZER;
      const g = tf.concat(grads.map((x) => x.reshape([-1])));
      const p = tf.concat(vars.map((x) => x.reshape([-1])));
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      const gc = tf.mul(g, tf.minimum(1, tf.div(gradClipNorm, tf.add(norm, 1e-6))));
      const m = tf.add(tf.mul(0.9, flatM), tf.mul(0.1, gc));
      const v = tf.add(tf.mul(0.999, flatV), tf.mul(0.001, tf.square(gc)));
      flatM.assign(m);
      flatV.assign(v);
      const update = tf.div(tf.div(m, 0.1), tf.add(tf.sqrt(tf.div(v, 0.001)), 1e-8));
      const next = tf.sub(
        tf.mul(p, tf.sub(1, tf.mul(decayFlat, lr * weightDecay))),
        tf.mul(lr, update),
      );
      let offset = 0;
      for (const x of vars) {
        tf.slice(next, offset, x.size).reshape(x.shape);
        offset += x.size;
      }
    });
  for (let step = 0; step <= warmup; step++) {
    const count = step === warmup;
    const { loss, grads } = await phase("forward+backward", count, () => {
      const { value, grads } = tf.variableGrads(() => lossFn(model, batch).loss, vars);
      return { loss: value, grads: vars.map((v) => grads[v.name]) };
    });
    await phase("(sketch, not in step) flat clip+adamw", count, () => flatSketch(grads));
    const { norm, grads: clipped } = await phase("clip", count, () => {
      const r = clipByGlobalNorm(grads, OPTIMIZER.gradClipNorm);
      tf.dispose(grads);
      return r;
    });
    await phase("adamw", count, () => {
      opt.apply(clipped, OPTIMIZER.lr);
      tf.dispose(clipped);
    });
    await phase("read-back", count, async () => {
      const packed = tf.tidy(() => tf.concat([loss.reshape([1]), norm.reshape([1])]));
      await packed.data();
      tf.dispose([packed, loss, norm]);
    });
  }
  tf.dispose([flatM, flatV, decayFlat]);
  opt.dispose();
  model.dispose();
  return out;
}

interface TrainRun {
  readonly seconds: number[];
  readonly losses: number[];
  /** Counts of the last step (when counted). */
  readonly counts: Counts | null;
  readonly lastStepMs: number;
}

/** `warmup + steps` updates of a fresh model through `train()`; times the last `steps`. */
async function trainRun(
  config: GptConfig,
  batch: LmBatch,
  o: { warmup: number; steps: number; count: boolean },
): Promise<TrainRun> {
  const model = createGpt(config);
  const runDir = await Deno.makeTempDir({ prefix: "webgpu-overhead-" });
  const seconds: number[] = [];
  const losses: number[] = [];
  let counts: Counts | null = null;
  let stepT0 = 0, lastStepMs = 0;
  const total = o.warmup + o.steps;
  try {
    await train({
      model,
      steps: total,
      batches: () => batch,
      lossFn: lmLoss(),
      runDir,
      optimizer: OPTIMIZER,
      schedule: { warmupFraction: 0, minLrRatio: 1 },
      resume: false,
      progress: false,
      onEvent: (e) => {
        if (e.type === "start") stepT0 = performance.now();
        if (e.type !== "step") return;
        const now = performance.now();
        losses.push(e.metrics.loss ?? NaN);
        if (e.step > o.warmup) seconds.push(e.tokens / e.tokensPerSecond);
        if (e.step === total - 1 && o.count) {
          probe.current = emptyCounts();
          probe.on = true;
        } else if (e.step === total && probe.on) {
          probe.on = false;
          counts = probe.current;
          lastStepMs = now - stepT0;
        }
        stepT0 = now;
      },
    });
  } finally {
    probe.on = false;
    await Deno.remove(runDir, { recursive: true });
    model.dispose();
  }
  return { seconds, losses, counts, lastStepMs };
}

/**
 * GPU milliseconds per kernel of one replica step (after `warmup` steps), from `tf.profile`
 * with the adapter's timestamp queries (each program then gets its own compute pass and
 * submit, so the step's wall time under profiling means nothing; the GPU times do). `null`
 * when the device has no `timestamp-query`.
 */
async function kernelTimes(
  config: GptConfig,
  batch: LmBatch,
  warmup: number,
): Promise<
  {
    gpuMs: number;
    kernels: number;
    byName: [string, number, number][];
    byShape: [string, number, number][];
  } | null
> {
  const backend = tf.backend() as unknown as { supportTimestampQuery?: boolean };
  if (backend.supportTimestampQuery !== true) return null;
  const model = createGpt(config);
  const vars = model.variables as tf.Variable[];
  const opt = new AdamW(vars, OPTIMIZER);
  const lossFn = lmLoss();
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => lossFn(model, batch).loss, vars);
    const { norm, grads: clipped } = clipByGlobalNorm(vars.map((v) => grads[v.name]), 1);
    tf.dispose(grads);
    opt.apply(clipped, OPTIMIZER.lr);
    tf.dispose(clipped);
    const packed = tf.tidy(() => tf.concat([value.reshape([1]), norm.reshape([1])]));
    await packed.data();
    tf.dispose([packed, value, norm]);
  };
  for (let i = 0; i < warmup; i++) await step();
  const check = tf.env().getBool("CHECK_COMPUTATION_FOR_ERRORS");
  tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", false); // else every output is read back
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(step);
  } finally {
    tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", check);
    opt.dispose();
    model.dispose();
  }
  const add = (m: Map<string, [number, number]>, k: string, ms: number) => {
    const e = m.get(k) ?? [0, 0];
    m.set(k, [e[0] + 1, e[1] + ms]);
  };
  const byName = new Map<string, [number, number]>();
  const byShape = new Map<string, [number, number]>();
  let gpuMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    gpuMs += ms;
    add(byName, k.name, ms);
    add(byShape, `${k.name} ${k.inputShapes.map((s: number[]) => `[${s}]`).join(" ")}`, ms);
  }
  const top = (m: Map<string, [number, number]>) =>
    [...m.entries()].map(([k, [n, ms]]) => [k, n, ms] as [string, number, number])
      .sort((a, b) => b[2] - a[2]).slice(0, 12);
  return { gpuMs, kernels: info.kernels.length, byName: top(byName), byShape: top(byShape) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function apiTotals(c: Counts): { calls: number; ms: number } {
  let calls = 0, ms = 0;
  for (const e of c.api.values()) {
    calls += e.n;
    ms += e.ms;
  }
  return { calls, ms };
}

/** The WebGPU calls that matter most, as `name n (ms)`. */
function apiSummary(c: Counts, top = 10): string {
  return [...c.api.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([k, e]) => `${k} ${e.n} (${e.ms.toFixed(1)} ms)`)
    .join(", ");
}

function countsRow(label: string, c: Counts, wallMs: number): string {
  const api = apiTotals(c);
  const n = (k: string) => c.api.get(k)?.n ?? 0;
  return `| ${label} | ${wallMs.toFixed(1)} | ${c.ops} | ${c.dispatches} | ${c.cpuForwarded} | ` +
    `${c.uploads} (${(c.uploadBytes / 1024).toFixed(1)} KiB) | ${c.readbacks} | ` +
    `${n("GPUDevice.createBuffer")} | ${n("GPUQueue.submit")} | ` +
    `${n("GPUDevice.createComputePipeline") + n("GPUDevice.createComputePipelineAsync")} | ` +
    `${api.calls} | ${api.ms.toFixed(1)} | ${c.readbackWaitMs.toFixed(1)} |`;
}

const COUNT_HEADER =
  "| phase | wall ms | tfjs ops | GPU dispatches | CPU-forwarded | uploads | read-backs | createBuffer | submits | pipelines compiled | WebGPU calls | WebGPU sync ms | read-back wait ms |\n" +
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${name} must be an integer >= 1, found ${value}`);
  }
  return n;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      reference: { type: "boolean", default: false },
      vocab: { type: "string", default: "256" },
      "d-model": { type: "string", default: "32" },
      layers: { type: "string", default: "2" },
      heads: { type: "string", default: "2" },
      ctx: { type: "string", default: "32" },
      batch: { type: "string", default: "4" },
      steps: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      rounds: { type: "string", default: "2" },
      variants: { type: "string", default: "tfjs;kit" },
      "no-counts": { type: "boolean", default: false },
      "kernel-times": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const config: GptConfig = values.reference ? REFERENCE_CONFIG : {
    vocabSize: positiveInt("vocab", values.vocab),
    contextLength: positiveInt("ctx", values.ctx),
    dModel: positiveInt("d-model", values["d-model"]),
    nLayer: positiveInt("layers", values.layers),
    nHead: positiveInt("heads", values.heads),
    mlpRatio: 4,
    dropout: 0,
    seed: 1,
  };
  const batchSize = values.reference ? REFERENCE_BATCH : positiveInt("batch", values.batch);
  const steps = positiveInt("steps", values.steps);
  const warmup = positiveInt("warmup", values.warmup);
  const rounds = positiveInt("rounds", values.rounds);
  const variants = values.variants.split(";").map((v) => v.trim()).filter((v) => v !== "");
  if (variants.length === 0) throw new Error("--variants: no variant given");

  const t0 = performance.now();
  /** Seconds since the start, for the log (where a slow device spends its time). */
  const at = () => `[+${((performance.now() - t0) / 1000).toFixed(1)}s]`;
  const info = await initBackend("webgpu");
  const kit: Record<string, number | boolean> = {};
  const registry = (tf.env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
  for (const k of Object.keys(TFJS_DEFAULTS)) {
    // A flag this version of lib/backend.ts does not register is absent from the kit's set.
    if (k in registry) kit[k] = tf.env().get(k) as number | boolean;
  }
  instrument();
  const batch = lmBatch(config, batchSize);
  const probeModel = createGpt(config);
  const params = probeModel.variables.reduce((n, v) => n + v.size, 0);
  const nVars = probeModel.variables.length;
  probeModel.dispose();
  const header =
    `webgpu_overhead: adapter ${info.adapter}, tfjs ${info.tfjsVersion}; model vocab ` +
    `${config.vocabSize} d_model ${config.dModel} layers ${config.nLayer} heads ${config.nHead} ` +
    `ctx ${config.contextLength}, batch ${batchSize} (${
      batchSize * config.contextLength
    } tokens/step), ` +
    `${nVars} variables, ${params} params; kit flags ${JSON.stringify(kit)}; load ` +
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(header);

  const report: Record<string, unknown> = {
    config,
    batchSize,
    adapter: info.adapter,
    kit,
    params,
    nVars,
  };
  if (values["kernel-times"]) {
    // Part 0: is the step GPU-bound? GPU time per kernel (kit flags).
    applyVariant("kit", kit);
    // A failure here (timestamp queries on an unusual driver) must not cost the other parts.
    const kt = await kernelTimes(config, batch, warmup).catch((e) => {
      console.log(`\nkernel times failed: ${e}`);
      return undefined;
    });
    if (kt === undefined) {
      // reported above
    } else if (kt === null) {
      console.log("\nkernel times: the adapter has no timestamp-query");
    } else {
      console.log(
        `\n${at()} kernel GPU times of one step (tf.profile, timestamp queries): ${kt.kernels} kernels, ` +
          `${kt.gpuMs.toFixed(1)} ms GPU in all`,
      );
      console.log(
        "top kernels by name (count, GPU ms): " +
          kt.byName.map(([k, n, ms]) => `${k} ${n} (${ms.toFixed(1)})`).join(", "),
      );
      console.log("top kernels by input shapes (count, GPU ms):");
      for (const [k, n, ms] of kt.byShape) console.log(`  ${ms.toFixed(2)} ms  x${n}  ${k}`);
      report.kernelTimes = kt;
    }
  }
  if (!values["no-counts"]) {
    // Part 1: phase counts, per variant (its flags change submits and uploads).
    for (const variant of variants) {
      applyVariant(variant, kit);
      const rows = await phaseCounts(config, batch, warmup);
      console.log(
        `\n${at()} step by phase, variant "${variant}" (replica of lib/train's step, step ${
          warmup + 1
        }):`,
      );
      console.log(COUNT_HEADER);
      const sum = emptyCounts();
      let wall = 0;
      for (const { phase, counts, wallMs } of rows) {
        console.log(countsRow(phase, counts, wallMs));
        if (phase.startsWith("(sketch")) continue;
        wall += wallMs;
        for (
          const k of [
            "ops",
            "dispatches",
            "cpuForwarded",
            "uploads",
            "uploadBytes",
            "readbacks",
            "readbackWaitMs",
          ] as const
        ) {
          sum[k] += counts[k];
        }
        for (const [name, e] of counts.api) {
          const s = sum.api.get(name) ?? { n: 0, ms: 0 };
          sum.api.set(name, { n: s.n + e.n, ms: s.ms + e.ms });
        }
      }
      console.log(countsRow("step", sum, wall));
      console.log(`top WebGPU calls by sync time: ${apiSummary(sum)}`);
      report[`phases:${variant}`] = rows.map((r) => ({
        phase: r.phase,
        wallMs: r.wallMs,
        ...r.counts,
        api: Object.fromEntries(r.counts.api),
      }));
    }
  }

  // Parts 2 and 3: train() steps per variant, alternating.
  const secs = new Map<string, number[]>(variants.map((v) => [v, []]));
  const lossesBy = new Map<string, number[]>();
  /** The timing table so far (printed after each round: a killed run still reports). */
  const printTable = (round: number): void => {
    const base = median(secs.get(variants[0])!);
    console.log(
      `\nafter round ${round}:\n| variant | median s/step | best s/step | ratio vs ${
        variants[0]
      } (median) | losses |`,
    );
    console.log("|---|---:|---:|---:|---|");
    for (const v of variants) {
      const s = secs.get(v)!;
      console.log(
        `| ${v} | ${median(s).toFixed(3)} | ${Math.min(...s).toFixed(3)} | ` +
          `${(base / median(s)).toFixed(2)}x | ${
            lossesBy.get(v)!.map((l) => l.toFixed(4)).join(" ")
          } |`,
      );
    }
  };
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      applyVariant(variant, kit);
      const count = round === 1 && !values["no-counts"];
      const r = await trainRun(config, batch, { warmup, steps, count });
      secs.get(variant)!.push(...r.seconds);
      lossesBy.set(variant, r.losses);
      console.error(
        `${at()} round ${round} ${variant}: ${r.seconds.map((s) => s.toFixed(3)).join(" ")} s/step`,
      );
      if (r.counts !== null) {
        const c: Counts = r.counts;
        const api = apiTotals(c);
        const other = r.lastStepMs - api.ms - c.readbackWaitMs;
        console.log(
          `\ntrain() step split, variant "${variant}": ${
            r.lastStepMs.toFixed(1)
          } ms = WebGPU calls ` +
            `${api.ms.toFixed(1)} ms (${api.calls} calls) + read-back wait ` +
            `${c.readbackWaitMs.toFixed(1)} ms (${c.readbacks}) + tfjs/JS ${
              other.toFixed(1)
            } ms; ` +
            `${c.ops} ops, ${c.dispatches} dispatches, ${c.uploads} uploads, ` +
            `${c.api.get("GPUQueue.submit")?.n ?? 0} submits, ` +
            `${c.api.get("GPUDevice.createBuffer")?.n ?? 0} createBuffer`,
        );
        report[`train:${variant}`] = {
          lastStepMs: r.lastStepMs,
          ...c,
          api: Object.fromEntries(c.api),
        };
      }
    }
    printTable(round);
  }
  console.log(`load average at the end: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  report.seconds = Object.fromEntries(secs);
  report.losses = Object.fromEntries(lossesBy);
  if (values.json) console.log(JSON.stringify(report));
  Deno.exit(0); // the WebGPU device keeps the process alive
}
