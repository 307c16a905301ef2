/**
 * Training throughput of the kit against a PyTorch peer, in one invocation.
 *
 * Both sides train the reference configuration (vocab 256, d_model 128, 4 layers, 4 heads,
 * MLP 4x, context 256, batch 16, AdamW lr 3e-4 / weight decay 0.1 on matrices, global-norm
 * clipping 1.0, constant learning rate) on one fixed batch, for two step kinds:
 *
 * - `lm`: 16 sequences x 256 positions, token-mean cross-entropy; tokens per step = B*T = 4096;
 * - `dpo`: 16 pairs -> 32 sequences (chosen rows, then rejected rows) x 256 positions, prompt
 *   64 tokens (mask 0), DPO Eq. 2 with beta 0.1 on masked sums of token log-probs, constant
 *   reference log-probs computed once from the initial weights (the reference model never runs
 *   in the step); tokens per step = 2*B*T = 8192.
 *
 * A step is forward + backward + clipping + optimizer update. On wasm the kit's DPO update
 * can run as `--dpo-micro N` accumulated micro-batches (the same update); the default 1 takes the
 * whole batch at once, as the peer does. A 32-row forward/backward takes 1.6 GiB of the wasm
 * heap (about 51 MiB a 256-token row; before the fused kernels of lib/_wasm_kernels.ts it was
 * about 175 MiB, and 24 rows reached the heap's 4 GiB, so the default used to be 2).
 *
 * First the peer runs
 * (`bench/peer/run_peer.sh`: Debian's python3-torch, 2 threads, with its fair setup
 * `OPENBLAS_CORETYPE=Cooperlake OMP_WAIT_POLICY=PASSIVE`, installed on first use), then the kit's
 * side runs through `lib/train`'s `train()` on the chosen tfjs backend. Each side reports the
 * median wall time of its timed steps (after warm-up) and the median process CPU time per step;
 * the table gives tokens/s and the ratio ours/torch. The machine's cores are shared, so the load
 * average is printed before each side, and `--rounds N` alternates peer and ours N times
 * (one ratio per round, and their median: both sides then see the same changing load).
 *
 * Run: `deno run -A bench/peer/compare.ts [--backend wasm] [--threads 1] [--steps 4]
 * [--warmup 1] [--dpo-micro 1] [--torch-steps 10] [--torch-warmup 3] [--only lm|dpo|both]
 * [--rounds 1] [--plain-env] [--json] [--matmul auto|openblas|xnnpack] [--blas-threads 2]
 * [--blas-thread-timeout 16] [--coretype NAME] [--kernels auto|onednn|wasm] [--dnn-threads 2]`
 * (`--plain-env` runs the peer without its fair setup; `--coretype` pins both sides' OpenBLAS to
 * one kernel family, e.g. `Haswell` with `ONEDNN_MAX_CPU_ISA=AVX2` in the environment to run an
 * AVX-512 machine on the AVX2 kernels an AVX2-only CPU gets; `--threads` is the wasm backend's
 * `wasmThreads`, `--matmul`, `--blas-threads` and `--blas-thread-timeout` its matrix-product
 * engine, OpenBLAS' threads and their spin time, see lib/_native_blas.ts; `--kernels` and
 * `--dnn-threads` the engine of its elementwise, softmax and LayerNorm kernels and oneDNN's
 * threads, see lib/_native_dnnl.ts).
 *
 * On a GPU machine (issue #7; `bench/peer/build_device.sh` packs this file as one `deno bundle`
 * plus the deno executable, `bench/peer/device_run.sh` runs it there):
 *
 * - `--peer-python <interpreter>` runs torch_gpt.py directly with that interpreter (for example
 *   the machine's own `python3`, whose torch has CUDA) instead of through run_peer.sh: no apt.
 *   With a CPU peer the fair setup is still applied (OpenBLAS_CORETYPE=Cooperlake only where
 *   /proc/cpuinfo lists avx512f, so other CPUs cannot fault on it);
 * - `--peer-device cpu|cuda` (default cpu) is torch_gpt.py's `--device`;
 * - `--peer-script <path>` is the torch_gpt.py to run (default: the one next to this file;
 *   without `--peer-python`, the run_peer.sh next to it runs it). A bundle needs it (its
 *   default would be next to the bundle); in a `deno compile`d binary (`--include
 *   bench/peer/torch_gpt.py --include bench/peer/run_peer.sh`) the embedded copies are written
 *   to a temporary folder and used;
 * - `--adapter-only` prints the backend and, for webgpu, the adapter's full `GPUAdapterInfo`
 *   as one JSON line, then exits (a seconds-long probe that the GPU driver is found).
 *
 * The table and the `--json` output name both sides' devices: for webgpu the adapter (on an
 * NVIDIA GPU through Vulkan, the GPU's name; `llvmpipe` is Mesa's CPU fallback), for torch the
 * CUDA device's name or the CPU's model name.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import {
  BACKEND_KINDS,
  type BackendInfo,
  type BackendKind,
  describeBackend,
  initBackend,
  KERNELS_CHOICES,
  MATMUL_CHOICES,
} from "../../lib/backend/mod.ts";
import { tokenLogps } from "../../lib/loss/mod.ts";
import { createGpt } from "../../lib/model/mod.ts";
import type { CausalLM } from "../../lib/model/types.ts";
import {
  type BatchFn,
  type LmBatch,
  lmLoss,
  type LossClosure,
  type PreferenceBatch,
  preferenceLoss,
  train,
  type TrainBatch,
} from "../../lib/train/mod.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { REFERENCE_BATCH, REFERENCE_CONFIG } from "../reference_config.ts";
import { cpuName, oneOf } from "../../lib/core/mod.ts";

const REFERENCE = REFERENCE_CONFIG;
const BATCH = REFERENCE_BATCH;
const PROMPT = 64;
const BETA = 0.1;
const OPTIMIZER = { lr: 3e-4, weightDecay: 0.1, gradClipNorm: 1 } as const;
/** No warm-up, no decay: the same learning rate as the peer at every step. */
const CONSTANT_LR = { warmupFraction: 0, minLrRatio: 1 } as const;

/** The two step kinds compared, written once. */
const STEP_KINDS = ["lm", "dpo"] as const;
/** One of {@link STEP_KINDS}. */
type StepKind = typeof STEP_KINDS[number];

/** Timing of one side for one step kind. */
interface SideResult {
  readonly tokensPerSec: number;
  readonly tokensPerStep: number;
  /** Median wall seconds of the timed steps. */
  readonly secondsPerStep: number;
  /** Wall seconds of the fastest timed step (least disturbed by other processes). */
  readonly bestSecondsPerStep: number;
  /** Median process CPU seconds (user + system, all threads) of the timed steps. */
  readonly cpuSecondsPerStep: number;
  /** Micro-batches per update (gradient accumulation); 1 = the whole batch at once. */
  readonly microBatches: number;
  readonly losses: readonly number[];
}

/**
 * What torch_gpt.py prints (the fields used here). Per step kind `k` it also prints
 * `kTokensPerSec`, `kTokensPerStep`, `kSecondsPerStep`, `kBestSecondsPerStep`,
 * `kCpuSecondsPerStep` and `kLosses`, read by {@link peerSide}.
 */
interface PeerOutput {
  readonly torchVersion: string;
  readonly threads: number;
  /** `"cpu"` or `"cuda"` (absent from outputs of torch_gpt.py before `--device`). */
  readonly deviceKind?: string;
  /** The CUDA device's name, or the CPU's model name. */
  readonly device?: string;
  readonly params: number;
  readonly env: Record<string, string | null>;
  readonly blas: {
    readonly loadedLibraries: string[];
    readonly openblasCorename?: string;
    readonly openblasThreads?: number;
  };
  readonly loadAvg: number[];
}

/** The peer devices torch_gpt.py accepts (`--device`). */
const PEER_DEVICES = ["cpu", "cuda"] as const;
/** One of {@link PEER_DEVICES}. */
type PeerDevice = typeof PEER_DEVICES[number];

/** How the peer process is started. */
interface PeerLaunch {
  /** torch_gpt.py to run. */
  readonly script: string;
  /** Interpreter to run it with directly; `null` = through the run_peer.sh next to `script`. */
  readonly python: string | null;
  /** The peer's `--device`. */
  readonly device: PeerDevice;
  /** Run without the fair setup. */
  readonly plainEnv: boolean;
  /** OpenBLAS kernel family to pin in the fair setup; `null`: Cooperlake where AVX-512 exists. */
  readonly coreType: string | null;
}

/**
 * The fair setup of run_peer.sh for a directly started CPU peer: OPENBLAS_L2_SIZE unset,
 * OMP_WAIT_POLICY=PASSIVE, and OPENBLAS_CORETYPE=`coreType`, or by default Cooperlake where the
 * CPU has AVX-512 (the pin would fault on a CPU without it).
 */
function fairEnv(coreType: string | null): Record<string, string> {
  const env: Record<string, string> = { ...Deno.env.toObject(), OMP_WAIT_POLICY: "PASSIVE" };
  delete env.OPENBLAS_L2_SIZE;
  if (coreType !== null) {
    env.OPENBLAS_CORETYPE = coreType;
  } else if (/^flags\s*:.*\bavx512f\b/m.test(readFileSync("/proc/cpuinfo", "utf8"))) {
    env.OPENBLAS_CORETYPE = "Cooperlake";
  } else {
    console.error("compare: no avx512f in /proc/cpuinfo: OPENBLAS_CORETYPE left to OpenBLAS");
  }
  return env;
}

/**
 * Runs the peer (run_peer.sh, or torch_gpt.py with `launch.python`), streaming its stderr, and
 * parses the JSON line it prints on stdout. `args` are torch_gpt.py's options.
 */
function runPeer(launch: PeerLaunch, args: readonly string[]): Promise<PeerOutput> {
  const peerArgs = [...args, "--device", launch.device];
  let command: string, argv: string[], env: Record<string, string> | undefined;
  if (launch.python === null) {
    command = "bash";
    argv = [
      join(dirname(launch.script), "run_peer.sh"),
      ...(launch.plainEnv ? ["--plain-env"] : []),
      ...(launch.coreType === null ? [] : ["--coretype", launch.coreType]),
      ...peerArgs,
    ];
    env = undefined;
  } else {
    command = launch.python;
    argv = [launch.script, ...peerArgs];
    env = launch.device === "cpu" && !launch.plainEnv ? fairEnv(launch.coreType) : undefined;
    console.error(
      `compare: peer ${command} ${argv.join(" ")}` +
        (env === undefined
          ? " (plain environment)"
          : ` (fair setup: OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=${
            env.OPENBLAS_CORETYPE ?? "(unset)"
          }, OPENBLAS_L2_SIZE unset)`),
    );
  }
  const script = `${command} ${argv[0]}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"], env });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => stdout += chunk);
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) {
        reject(new Error(`${script} ${peerArgs.join(" ")} exited with ${code}; stdout: ${line}`));
        return;
      }
      try {
        resolve(JSON.parse(line) as PeerOutput);
      } catch (e) {
        reject(new Error(`${script}: expected one JSON line on stdout, found ${line}: ${e}`));
      }
    });
  });
}

/** `n` seeded token ids in `[0, vocab)`. */
function randomIds(n: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rand() * REFERENCE.vocabSize));
}

/** One fixed LM batch: B rows of T + 1 random tokens, cut into inputs and next-token targets. */
function lmBatch(): LmBatch {
  const t = REFERENCE.contextLength;
  const seq = randomIds(BATCH * (t + 1), 11);
  const inputs = new Int32Array(BATCH * t);
  const targets = new Int32Array(BATCH * t);
  for (let b = 0; b < BATCH; b++) {
    inputs.set(seq.subarray(b * (t + 1), b * (t + 1) + t), b * t);
    targets.set(seq.subarray(b * (t + 1) + 1, (b + 1) * (t + 1)), b * t);
  }
  const mask = new Float32Array(BATCH * t).fill(1);
  return { batchSize: BATCH, length: t, inputs, targets, mask, tokens: BATCH * t };
}

/**
 * One fixed DPO batch of B pairs, T = contextLength columns, completion targets from column
 * `PROMPT - 1` on (as `collatePreferenceBatch` lays them out), with the reference log-probs of
 * `reference` (the initial model) so the first loss is ln 2. It is split into `micro`
 * micro-batches of B / micro pairs (gradient accumulation: the same update, less memory);
 * `tokens` is 2*(B/micro)*T each, so 2*B*T per update.
 */
async function dpoMicroBatches(reference: CausalLM, micro: number): Promise<PreferenceBatch[]> {
  const t = REFERENCE.contextLength;
  const seq = randomIds(2 * BATCH * (t + 1), 12);
  const inputs = new Int32Array(2 * BATCH * t); // [2B, T]: chosen rows, then rejected rows
  const targets = new Int32Array(2 * BATCH * t);
  for (let r = 0; r < 2 * BATCH; r++) {
    inputs.set(seq.subarray(r * (t + 1), r * (t + 1) + t), r * t);
    targets.set(seq.subarray(r * (t + 1) + 1, (r + 1) * (t + 1)), r * t);
  }
  const rowMask = new Float32Array(t).fill(1, PROMPT - 1); // completion targets
  // Reference log-probs one row at a time, outside the timed steps.
  const ref = new Float32Array(2 * BATCH * t); // [2B * T]
  for (let r = 0; r < 2 * BATCH; r++) {
    const row = tf.tidy(() => {
      const ids = tf.tensor2d(inputs.subarray(r * t, (r + 1) * t), [1, t], "int32"); // [1, T]
      const tgt = tf.tensor2d(targets.subarray(r * t, (r + 1) * t), [1, t], "int32"); // [1, T]
      return tf.mul(tokenLogps(reference.logits(ids), tgt), tf.tensor2d(rowMask, [1, t])); // [1, T]
    });
    // Asynchronous read-back: the webgpu backend's dataSync needs OffscreenCanvas (not in Deno).
    ref.set(await row.data(), r * t);
    row.dispose();
  }
  const b = BATCH / micro;
  return Array.from({ length: micro }, (_, m) => {
    const chosen = [m * b * t, (m + 1) * b * t] as const; // rows of this micro-batch's pairs
    const rejected = [(BATCH + m * b) * t, (BATCH + (m + 1) * b) * t] as const;
    const cat = <A extends Int32Array | Float32Array>(x: A, out: A): A => {
      out.set(x.subarray(...chosen), 0);
      out.set(x.subarray(...rejected), b * t);
      return out;
    };
    const mask = new Float32Array(b * t);
    for (let i = 0; i < b; i++) mask.set(rowMask, i * t);
    const refs = cat(ref, new Float32Array(2 * b * t));
    return {
      batchSize: b,
      length: t,
      inputs: cat(inputs, new Int32Array(2 * b * t)),
      targets: cat(targets, new Int32Array(2 * b * t)),
      masks: { chosen: mask, rejected: mask, chosenDiff: mask, rejectedDiff: mask },
      reference: { chosen: refs.slice(0, b * t), rejected: refs.slice(b * t) },
      hybridTarget: new Float32Array(b),
      tokens: 2 * b * t,
    };
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Trains a fresh model for `warmup + steps` updates on one fixed batch (given as its
 * micro-batches); times the last `steps`.
 */
async function timeOurs<B extends TrainBatch>(o: {
  readonly model: CausalLM;
  readonly micro: readonly B[];
  readonly lossFn: LossClosure<B>;
  readonly warmup: number;
  readonly steps: number;
  readonly label: string;
}): Promise<SideResult> {
  const runDir = await Deno.makeTempDir({ prefix: "peer-compare-" });
  const batches: BatchFn<B> = (index) => o.micro[index % o.micro.length];
  const seconds: number[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  let tokens = 0;
  let lastCpu = cpuUsage();
  try {
    await train({
      model: o.model,
      steps: o.warmup + o.steps,
      batches,
      lossFn: o.lossFn,
      runDir,
      accumulation: o.micro.length,
      optimizer: OPTIMIZER,
      schedule: CONSTANT_LR,
      resume: false,
      progress: false,
      onEvent: (e) => {
        if (e.type === "start") lastCpu = cpuUsage();
        if (e.type !== "step") return;
        const now = cpuUsage();
        losses.push(e.metrics.loss ?? NaN);
        tokens = e.tokens;
        const s = e.tokens / e.tokensPerSecond;
        console.error(`ours ${o.label} step ${e.step}: ${s.toFixed(3)} s, loss ${e.metrics.loss}`);
        if (e.step > o.warmup) {
          seconds.push(s);
          cpu.push((now.user - lastCpu.user + now.system - lastCpu.system) / 1e6);
        }
        lastCpu = now;
      },
    });
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
  const secondsPerStep = median(seconds);
  return {
    tokensPerSec: tokens / secondsPerStep,
    tokensPerStep: tokens,
    secondsPerStep,
    bestSecondsPerStep: Math.min(...seconds),
    cpuSecondsPerStep: median(cpu),
    microBatches: o.micro.length,
    losses,
  };
}

/** Times the kit's side of one step kind on a fresh model (disposed by the caller). */
async function oursSide(
  kind: StepKind,
  model: CausalLM,
  o: { readonly warmup: number; readonly steps: number; readonly dpoMicro: number },
): Promise<SideResult> {
  const { warmup, steps, dpoMicro } = o;
  switch (kind) {
    case "lm":
      return timeOurs({ model, micro: [lmBatch()], lossFn: lmLoss(), warmup, steps, label: kind });
    case "dpo":
      return timeOurs({
        model,
        micro: await dpoMicroBatches(model, dpoMicro),
        lossFn: preferenceLoss({ variant: "dpo", beta: BETA }),
        warmup,
        steps,
        label: kind,
      });
    default: {
      const never: never = kind;
      throw new Error(`unknown step kind ${never}`);
    }
  }
}

/** The peer's numbers for one step kind (its `<kind>TokensPerSec` … fields). */
function peerSide(peer: PeerOutput, kind: StepKind): SideResult {
  const fields = peer as unknown as Record<string, unknown>;
  const get = <T>(name: string): T => {
    const value = fields[kind + name];
    if (value === undefined) {
      throw new Error(`torch_gpt.py printed no ${kind}${name} (was it run with --only ${kind}?)`);
    }
    return value as T;
  };
  return {
    tokensPerSec: get<number>("TokensPerSec"),
    tokensPerStep: get<number>("TokensPerStep"),
    secondsPerStep: get<number>("SecondsPerStep"),
    bestSecondsPerStep: get<number>("BestSecondsPerStep"),
    cpuSecondsPerStep: get<number>("CpuSecondsPerStep"),
    microBatches: 1,
    losses: get<number[]>("Losses"),
  };
}

/** Where the kit's side ran: the WebGPU adapter, or the CPU for the CPU backends. */
function oursDevice(info: BackendInfo): string {
  switch (info.backend) {
    case "webgpu":
      return `webgpu: ${info.adapter}`;
    case "tensorflow":
      return "tensorflow: tfjs-node-gpu";
    case "wasm":
    case "cpu":
      return `${info.backend}: ${cpuName()}`;
    default: {
      const never: never = info;
      throw new Error(`unknown backend ${JSON.stringify(never)}`);
    }
  }
}

/** Where the peer ran, as torch_gpt.py reports it. */
function torchDevice(peer: PeerOutput): string {
  return `${peer.deviceKind ?? "cpu"}: ${peer.device ?? "(not reported)"}`;
}

/**
 * The WebGPU adapter's full description (`GPUAdapterInfo`), or `null` without WebGPU. Asked for
 * as tfjs-backend-webgpu asks for its own (`powerPreference: "high-performance"`), so where
 * several adapters exist (a GPU and Mesa's lavapipe) it describes the one that runs the kernels.
 */
async function adapterInfo(): Promise<Record<string, unknown> | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  const adapter = gpu === undefined
    ? null
    : await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (adapter === null) return null;
  const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    isFallbackAdapter: i.isFallbackAdapter ?? null,
  };
}

/**
 * The torch_gpt.py to run: `given`, else the one next to this file. A compiled binary's own
 * files are virtual (the interpreter cannot open them), so there the copies embedded with
 * `deno compile --include` (torch_gpt.py and run_peer.sh) are written to a temporary folder,
 * returned as `tempDir` for removal.
 */
async function peerScript(
  given: string | undefined,
  viaRunPeer: boolean,
): Promise<{ script: string; tempDir: string | null }> {
  let script: string, tempDir: string | null = null;
  if (given !== undefined) {
    script = given;
  } else if (!Deno.build.standalone) {
    script = new URL("./torch_gpt.py", import.meta.url).pathname;
  } else {
    tempDir = await Deno.makeTempDir({ prefix: "peer-script-" });
    for (const name of ["torch_gpt.py", "run_peer.sh"]) {
      const url = new URL(`./${name}`, import.meta.url);
      try {
        await Deno.writeFile(join(tempDir, name), await Deno.readFile(url));
      } catch (e) {
        throw new Error(
          `compare: ${url.pathname} is not embedded in this binary (compile it with ` +
            `--include bench/peer/${name}) or pass --peer-script: ${e}`,
        );
      }
    }
    script = join(tempDir, "torch_gpt.py");
  }
  if (!existsSync(script)) throw new Error(`--peer-script: no file ${script}`);
  const runPeerSh = join(dirname(script), "run_peer.sh");
  if (viaRunPeer && !existsSync(runPeerSh)) {
    throw new Error(
      `compare: without --peer-python the peer runs through ${runPeerSh}, which does not exist`,
    );
  }
  return { script, tempDir };
}

function loadAvg(): string {
  return Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${name} must be an integer >= 1, found ${value}`);
  }
  return n;
}

function printReport(
  rows: readonly { kind: StepKind; ours: SideResult; torch: SideResult }[],
  info: BackendInfo,
  peer: PeerOutput,
  loads: { readonly peer: string; readonly ours: string },
  params: number,
): void {
  const devices = [oursDevice(info), torchDevice(peer)];
  const f0 = (x: number) => x.toFixed(0);
  const f3 = (x: number) => x.toFixed(3);
  // Loss at the first update and after the same number of updates on both sides.
  const loss = (s: SideResult, n: number) =>
    `${s.losses[0].toFixed(4)} -> ${s.losses[n - 1].toFixed(4)}`;
  console.log(
    "| step kind | tokens/step | ours tok/s | torch tok/s | ratio ours/torch | ratio, fastest steps | ours CPU s/step | torch CPU s/step | ours micro-batches | updates | ours loss | torch loss | ours device | torch device |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|");
  for (const { kind, ours, torch } of rows) {
    const n = Math.min(ours.losses.length, torch.losses.length);
    const cells = [
      kind,
      ours.tokensPerStep,
      f0(ours.tokensPerSec),
      f0(torch.tokensPerSec),
      (ours.tokensPerSec / torch.tokensPerSec).toFixed(3),
      (torch.bestSecondsPerStep / ours.bestSecondsPerStep).toFixed(3),
      f3(ours.cpuSecondsPerStep),
      f3(torch.cpuSecondsPerStep),
      ours.microBatches,
      `1 -> ${n}`,
      loss(ours, n),
      loss(torch, n),
      ...devices,
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
  console.log(
    "\ntokens: lm = B*T per step, dpo = 2*B*T per step (chosen + rejected rows); " +
      "tok/s from the median wall time of the timed steps; " +
      "the fastest-step ratio is the least disturbed by other load",
  );
  console.log(
    `ours:  ${describeBackend(info)}` +
      (info.backend === "wasm" && info.blas !== null
        ? ` [${info.blas.config.split(" ").slice(0, 2).join(" ")}]`
        : "") +
      `, ${params} params; ` +
      `load average before: ${loads.ours}`,
  );
  const env = Object.entries(peer.env).map(([k, v]) => `${k}=${v ?? "(unset)"}`).join(" ");
  console.log(
    `torch: ${peer.torchVersion} on ${torchDevice(peer)}, ${peer.threads} threads, ` +
      `${peer.params} params, OpenBLAS core ` +
      `${peer.blas.openblasCorename ?? "(not OpenBLAS)"} (${peer.blas.openblasThreads ?? "?"} ` +
      `threads), BLAS ${peer.blas.loadedLibraries.join(", ")}; env: ${env}; ` +
      `load average before: ${loads.peer}`,
  );
  console.log(`load average at the end: ${loadAvg()}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "wasm" },
      steps: { type: "string", default: "4" },
      warmup: { type: "string", default: "1" },
      "torch-steps": { type: "string", default: "10" },
      "torch-warmup": { type: "string", default: "3" },
      only: { type: "string", default: "both" },
      "dpo-micro": { type: "string", default: "1" },
      threads: { type: "string" },
      matmul: { type: "string", default: "auto" },
      "blas-threads": { type: "string", default: "2" },
      "blas-thread-timeout": { type: "string", default: "16" },
      coretype: { type: "string" },
      kernels: { type: "string", default: "auto" },
      "dnn-threads": { type: "string", default: "2" },
      rounds: { type: "string", default: "1" },
      "plain-env": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "peer-python": { type: "string" },
      "peer-device": { type: "string", default: "cpu" },
      "peer-script": { type: "string" },
      "adapter-only": { type: "boolean", default: false },
    },
  });
  const peerDevice = values["peer-device"] as PeerDevice;
  if (!PEER_DEVICES.includes(peerDevice)) {
    throw new Error(
      `--peer-device must be one of ${PEER_DEVICES.join(", ")}, found ${values["peer-device"]}`,
    );
  }
  const backend = values.backend as BackendKind;
  if (!BACKEND_KINDS.includes(backend)) {
    throw new Error(`--backend must be one of ${BACKEND_KINDS.join(", ")}, found ${backend}`);
  }
  const kinds: readonly StepKind[] = values.only === "both"
    ? STEP_KINDS
    : STEP_KINDS.filter((k) => k === values.only);
  if (kinds.length === 0) {
    throw new Error(`--only must be one of lm, dpo, both; found ${values.only}`);
  }
  const steps = positiveInt("steps", values.steps);
  const warmup = positiveInt("warmup", values.warmup);
  const dpoMicro = positiveInt("dpo-micro", values["dpo-micro"]);
  if (BATCH % dpoMicro !== 0) {
    throw new Error(`--dpo-micro must divide the batch of ${BATCH} pairs, found ${dpoMicro}`);
  }

  const rounds = positiveInt("rounds", values.rounds);
  const coreType = values.coretype ?? null;
  if (coreType !== null && !/^[A-Za-z0-9]+$/.test(coreType)) {
    throw new Error(
      `--coretype must be an OpenBLAS kernel family name (e.g. Haswell), found ${coreType}`,
    );
  }
  const info = await initBackend(backend, {
    ...(values.threads === undefined
      ? {}
      : { wasmThreads: positiveInt("threads", values.threads) }),
    matmul: oneOf("--matmul", values.matmul, MATMUL_CHOICES),
    blas: {
      threads: positiveInt("blas-threads", values["blas-threads"]),
      threadTimeout: positiveInt("blas-thread-timeout", values["blas-thread-timeout"]),
      ...(coreType === null ? {} : { coreType }),
    },
    kernels: oneOf("--kernels", values.kernels, KERNELS_CHOICES),
    dnn: { threads: positiveInt("dnn-threads", values["dnn-threads"]) },
  });
  const adapter = backend === "webgpu" ? await adapterInfo() : null;
  if (values["adapter-only"]) {
    console.log(JSON.stringify({ backend: info, adapterInfo: adapter, device: oursDevice(info) }));
    Deno.exit(0); // a WebGPU device can keep the process alive
  }
  const { script, tempDir } = await peerScript(
    values["peer-script"],
    values["peer-python"] === undefined,
  );
  const launch: PeerLaunch = {
    script,
    python: values["peer-python"] ?? null,
    device: peerDevice,
    plainEnv: values["plain-env"],
    coreType,
  };
  let params = 0;
  let rows: { kind: StepKind; ours: SideResult; torch: SideResult }[] = [];
  let peer: PeerOutput | null = null;
  let loadPeer = "", loadOurs = "";
  /** ours/torch tokens/s and CPU-seconds ratios of each round, per step kind. */
  const perRound: { round: number; kind: StepKind; ratio: number; cpuRatio: number }[] = [];
  // Peer and ours alternate round by round, so both see the same (shared, changing) load.
  for (let round = 1; round <= rounds; round++) {
    loadPeer = loadAvg();
    peer = await runPeer(launch, [
      "--steps",
      String(positiveInt("torch-steps", values["torch-steps"])),
      "--warmup",
      String(positiveInt("torch-warmup", values["torch-warmup"])),
      "--only",
      values.only,
    ]);
    loadOurs = loadAvg();
    rows = [];
    for (const kind of kinds) {
      const model = createGpt(REFERENCE);
      params = model.variables.reduce((n, v) => n + v.size, 0);
      if (params !== peer.params) {
        throw new Error(
          `parameter count: ours ${params}, torch ${peer.params} (architectures differ)`,
        );
      }
      const ours = await oursSide(kind, model, { warmup, steps, dpoMicro });
      model.dispose();
      const torch = peerSide(peer, kind);
      rows.push({ kind, ours, torch });
      perRound.push({
        round,
        kind,
        ratio: ours.tokensPerSec / torch.tokensPerSec,
        cpuRatio: torch.cpuSecondsPerStep / ours.cpuSecondsPerStep,
      });
    }
  }
  if (tempDir !== null) await Deno.remove(tempDir, { recursive: true });
  if (peer === null) throw new Error("compare: no round ran");
  printReport(rows, info, peer, { peer: loadPeer, ours: loadOurs }, params);
  if (rounds > 1) {
    console.log(`\nratio ours/torch by round (tokens/s; CPU-seconds per step in brackets):`);
    for (const kind of kinds) {
      const mine = perRound.filter((r) => r.kind === kind);
      const cells = mine.map((r) => `${r.ratio.toFixed(3)} [${r.cpuRatio.toFixed(3)}]`);
      console.log(
        `${kind}: ${cells.join(", ")}; median ${median(mine.map((r) => r.ratio)).toFixed(3)} ` +
          `[${median(mine.map((r) => r.cpuRatio)).toFixed(3)}]`,
      );
    }
  }
  if (values.json) {
    console.log(JSON.stringify({
      config: REFERENCE,
      batch: BATCH,
      rows: rows.map((r) => ({
        ...r,
        ratio: r.ours.tokensPerSec / r.torch.tokensPerSec,
        ratioFastest: r.torch.bestSecondsPerStep / r.ours.bestSecondsPerStep,
      })),
      backend: info,
      adapterInfo: adapter,
      devices: { ours: oursDevice(info), torch: torchDevice(peer) },
      peerLaunch: { python: launch.python, device: launch.device, script: launch.script },
      peer: { ...peer, torchConfig: undefined },
      loadAverage: { peer: loadPeer, ours: loadOurs, end: loadAvg() },
      perRound,
    }));
  }
  // A WebGPU device can keep the process alive after the last step.
  if (backend === "webgpu") Deno.exit(0);
}
