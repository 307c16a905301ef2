/**
 * tfjs backend selection: `wasm` (the CPU default), `cpu`, `webgpu` (Deno's built-in WebGPU) and
 * `tensorflow` (`npm:@tensorflow/tfjs-node-gpu`, loaded only when selected).
 *
 * Call {@link initBackend} once at the start of every run and log the returned
 * {@link BackendInfo} next to the results.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  BackendWasm,
  getThreadsCount,
  setThreadsCount,
  setWasmPaths,
} from "@tensorflow/tfjs-backend-wasm";
import {
  fastGather,
  fastTranspose,
  FUSED_KERNELS,
  KIT_KERNEL,
  leadingAxesSum,
  registerWasmFusedKernels,
  replaceWasmKernel,
  shareCast,
  shareIdentity,
  xnnBatchMatMul,
} from "./_wasm_kernels.ts";
import { loadThreadedWasm } from "./_wasm_threads.ts";
import {
  loadOpenBlas,
  type LoadOpenBlasOptions,
  type OpenBlas,
  openBlasBatchMatMul,
  openBlasLeadingAxesSum,
} from "./_native_blas.ts";
import { loadOneDnn, type LoadOneDnnOptions, type OneDnn } from "./_native_dnnl.ts";
import { ONEDNN_KERNELS, oneDnnKernels } from "./_dnnl_kernels.ts";

/** The backends the kit can run on. */
export const BACKEND_KINDS = ["wasm", "cpu", "webgpu", "tensorflow"] as const;
/** One of {@linkcode BACKEND_KINDS}. */
export type BackendKind = typeof BACKEND_KINDS[number];

/** Engines for the wasm backend's float32 matrix products (see {@link InitBackendOptions.matmul}). */
export const MATMUL_ENGINES = ["openblas", "xnnpack"] as const;
/** One of {@linkcode MATMUL_ENGINES}. */
export type MatmulEngine = typeof MATMUL_ENGINES[number];
/** `"auto"` or a {@link MatmulEngine}, for configs and CLIs. */
export const MATMUL_CHOICES = ["auto", ...MATMUL_ENGINES] as const;
/** One of {@linkcode MATMUL_CHOICES}. */
export type MatmulChoice = typeof MATMUL_CHOICES[number];

/**
 * Engines for the wasm backend's elementwise, softmax, LayerNorm and transpose kernels (see
 * {@link InitBackendOptions.kernels}).
 */
export const KERNELS_ENGINES = ["onednn", "wasm"] as const;
/** One of {@linkcode KERNELS_ENGINES}. */
export type KernelsEngine = typeof KERNELS_ENGINES[number];
/** `"auto"` or a {@link KernelsEngine}, for configs and CLIs. */
export const KERNELS_CHOICES = ["auto", ...KERNELS_ENGINES] as const;
/** One of {@linkcode KERNELS_CHOICES}. */
export type KernelsChoice = typeof KERNELS_CHOICES[number];

/** The oneDNN a wasm backend's kernels run on, as logged with results. */
export interface OneDnnInfo {
  /** The library as it was opened (e.g. `"libdnnl.so.2"`). */
  readonly library: string;
  /** oneDNN's version (e.g. `"2.6.3"`). */
  readonly version: string;
  /** The instruction set of its kernels (e.g. `"avx512_core_bf16"`). */
  readonly isa: string;
  /** OpenMP threads per kernel. */
  readonly threads: number;
}

/** The OpenBLAS a wasm backend's products run on, as logged with results. */
export interface BlasInfo {
  /** The library as it was opened (e.g. `"libopenblas.so.0"`). */
  readonly library: string;
  /** OpenBLAS' build description (version and build options). */
  readonly config: string;
  /** Kernel family in use (e.g. `"Cooperlake"`). */
  readonly coreName: string;
  /** Threads per product. */
  readonly threads: number;
}

/** What every backend's info holds. */
interface _CommonInfo {
  /** `tf.getBackend()` after initialisation (for example `"wasm"`). */
  readonly tfjsBackend: string;
  /** tfjs version (`tf.version.tfjs`). */
  readonly tfjsVersion: string;
  /** Kernels the kit registered because the backend lacks them (for example `UnsortedSegmentSum`). */
  readonly patchedKernels: readonly string[];
}

/** The `wasm` backend: its build and the native engines of its products and kernels. */
export interface WasmBackendInfo extends _CommonInfo {
  readonly backend: "wasm";
  /** Whether the wasm binary in use is the SIMD build. */
  readonly simd: boolean;
  /** XNNPACK threads, the calling one included. */
  readonly threads: number;
  /** Directory the wasm binaries were loaded from. */
  readonly wasmDir: string;
  /** Engine of the float32 matrix products. */
  readonly matmul: MatmulEngine;
  /** The OpenBLAS in use when {@link WasmBackendInfo.matmul} is `"openblas"`; `null` otherwise. */
  readonly blas: BlasInfo | null;
  /** Engine of the elementwise and normalisation kernels. */
  readonly kernels: KernelsEngine;
  /** The oneDNN in use when {@link WasmBackendInfo.kernels} is `"onednn"`; `null` otherwise. */
  readonly onednn: OneDnnInfo | null;
}

/** tfjs' plain JS `cpu` backend. */
export interface CpuBackendInfo extends _CommonInfo {
  readonly backend: "cpu";
}

/** The `webgpu` backend on Deno's WebGPU. */
export interface WebGpuBackendInfo extends _CommonInfo {
  readonly backend: "webgpu";
  /** WebGPU adapter description (for example `"llvmpipe (LLVM 15.0.6, 256 bits)"`). */
  readonly adapter: string;
}

/** The optional `tensorflow` backend (`@tensorflow/tfjs-node-gpu`). */
export interface TensorflowBackendInfo extends _CommonInfo {
  readonly backend: "tensorflow";
}

/** What a run should log about the numeric backend it used, by backend. */
export type BackendInfo =
  | WasmBackendInfo
  | CpuBackendInfo
  | WebGpuBackendInfo
  | TensorflowBackendInfo;

/** The info of backend `K`. */
export type BackendInfoOf<K extends BackendKind> = Extract<BackendInfo, { readonly backend: K }>;

/**
 * One line naming the backend and its engines, for logs and model cards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeBackend } from "./init_backend.ts";
 * assert.equal(
 *   describeBackend({ backend: "webgpu", tfjsBackend: "webgpu", tfjsVersion: "4.22.0", patchedKernels: [], adapter: "llvmpipe" }),
 *   "webgpu (tfjs 4.22.0, adapter llvmpipe)",
 * );
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  const head = `${info.tfjsBackend} (tfjs ${info.tfjsVersion}`;
  switch (info.backend) {
    case "wasm": {
      const blas = info.blas === null
        ? ""
        : ` on ${info.blas.coreName}, ${info.blas.threads} threads`;
      const dnn = info.onednn === null
        ? ""
        : ` (oneDNN ${info.onednn.version}, ${info.onednn.isa}, ${info.onednn.threads} threads)`;
      return `${head}, simd ${info.simd}, threads ${info.threads}, matmul ${info.matmul}${blas}, ` +
        `kernels ${info.kernels}${dnn})`;
    }
    case "webgpu":
      return `${head}, adapter ${info.adapter})`;
    case "cpu":
    case "tensorflow":
      return `${head})`;
    default: {
      const never: never = info;
      throw new Error(`describeBackend: unknown backend ${JSON.stringify(never)}`);
    }
  }
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Directory (path or `file:` URL, with or without trailing slash) holding the
   * `tfjs-backend-wasm*.wasm` binaries.
   * @default the `dist/` directory of the installed `@tensorflow/tfjs-backend-wasm` package
   */
  readonly wasmDir?: string;
  /**
   * Module specifier imported for the `tensorflow` backend.
   * @default "npm:@tensorflow/tfjs-node-gpu"
   */
  readonly tensorflowModule?: string;
  /**
   * XNNPACK threads of the `wasm` backend, the calling thread included. Above 1 the kit loads
   * tfjs' threaded-simd build with Deno-compatible pthread workers (lib/_wasm_threads.ts); when
   * that fails it prints a one-line warning and runs single-threaded. Fixed by the first `wasm`
   * initialisation of the process.
   * @default 1
   */
  readonly wasmThreads?: number;
  /**
   * Engine of the wasm backend's float32 matrix products (every `tf.matMul`, forward and
   * backward): `"openblas"` calls OpenBLAS' native `sgemm` through Deno's FFI on views of the
   * wasm heap (lib/_native_blas.ts; needs Debian's `libopenblas0`), about 5× faster per core
   * than `"xnnpack"`, tfjs' wasm SIMD kernels. The two agree to float32 rounding, not bit for
   * bit. `"auto"` takes OpenBLAS when it loads and otherwise XNNPACK, with a one-line warning.
   * @default "auto"
   */
  readonly matmul?: MatmulChoice;
  /** How OpenBLAS is loaded when it is used (library, kernel family, threads). */
  readonly blas?: LoadOpenBlasOptions;
  /**
   * Engine of the wasm backend's GELU, softmax, LayerNorm, `Exp`, `Transpose` and broadcast
   * `Add`/`Sub`/`Multiply` kernels on float32 tensors of 16,384 elements or more (forward and
   * backward): `"onednn"` calls oneDNN's JIT-compiled kernels on all `dnn.threads` cores
   * through Deno's FFI on views of the wasm heap (lib/_native_dnnl.ts; needs Debian's
   * `libdnnl2`), `"wasm"` the kit's JS and tfjs' wasm kernels on one core. The two agree to
   * float32 rounding, not bit for bit. `"auto"` takes oneDNN when it loads and otherwise the
   * wasm kernels, with a one-line warning.
   * @default "auto"
   */
  readonly kernels?: KernelsChoice;
  /** How oneDNN is loaded when it is used (library, threads). */
  readonly dnn?: LoadOneDnnOptions;
}

let _current: BackendInfo | null = null;
let _wasmDir: string | null = null;
/** `wasmThreads` of the first wasm initialisation (it fixes the build in use). */
let _wasmThreads: number | null = null;
/** Marks kernel functions registered by the kit (so registration is idempotent and reported). */
const _KIT_KERNEL = KIT_KERNEL;

/** Kernels {@link registerWasmFastKernels} replaces, in registration order. */
const _FAST_KERNELS = [
  "Identity",
  "Cast",
  "Sum",
  "Transpose",
  "BatchMatMul",
  "GatherV2",
] as const;

/**
 * Select and initialise a tfjs backend. Calling it again with the same kind is a no-op that
 * returns the same info; a different kind switches backends (existing tensors move lazily).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "./init_backend.ts";
 * const info = await initBackend("cpu");
 * assert.equal(info.tfjsBackend, "cpu");
 * assert.equal(info.backend, "cpu");
 * ```
 */
export async function initBackend<K extends BackendKind = "wasm">(
  kind: K = "wasm" as K,
  options: InitBackendOptions = {},
): Promise<BackendInfoOf<K>> {
  if (
    kind === "wasm" && options.wasmThreads !== undefined && _wasmThreads !== null &&
    options.wasmThreads !== _wasmThreads
  ) {
    throw new Error(
      `initBackend(wasm): wasmThreads ${options.wasmThreads} requested, but this process's wasm ` +
        `backend was initialised with wasmThreads ${_wasmThreads} (fixed by the first call)`,
    );
  }
  if (_current !== null && _satisfies(_current, kind, options)) {
    return _current as BackendInfoOf<K>;
  }
  let info: BackendInfo;
  switch (kind) {
    case "wasm":
      info = {
        ...await _initWasm(options.wasmDir ?? _defaultWasmDir(), options.wasmThreads ?? 1),
        ..._useWasmMatmul(options.matmul ?? "auto", options.blas ?? {}),
        ..._useWasmKernels(options.kernels ?? "auto", options.dnn ?? {}),
      };
      break;
    case "cpu":
      await _setBackend("cpu");
      // The cpu backend prints a "install tfjs-node" banner on first use under Deno; the kit
      // chooses its backend deliberately, so mark the banner as shown.
      (tf.backend() as { firstUse?: boolean }).firstUse = false;
      info = { backend: "cpu", ..._common([]) };
      break;
    case "webgpu":
      info = await _initWebGpu();
      break;
    case "tensorflow":
      info = await _initTensorflow(options.tensorflowModule ?? "npm:@tensorflow/tfjs-node-gpu");
      break;
    default: {
      const never: never = kind;
      throw new Error(
        `initBackend: unknown backend "${never}"; expected one of ${BACKEND_KINDS.join(", ")}`,
      );
    }
  }
  _current = info;
  return info as BackendInfoOf<K>;
}

/**
 * Register `UnsortedSegmentSum` for the wasm backend (it ships without one, yet `tf.gather`'s
 * gradient, i.e. every embedding backward pass, needs it). Idempotent.
 *
 * The kernel is a composition of the backend's own `ScatterNd` kernel, which accumulates
 * duplicate indices: `out[segmentIds[i], ...] += x[i, ...]`, summed in index order, exactly the
 * TensorFlow semantics for ids in `[0, numSegments)`. It runs entirely in wasm memory (no
 * download to JS). Ids outside `[0, numSegments)` are not supported (TensorFlow drops them);
 * tfjs' gather gradient never produces them.
 *
 * @returns `true` when this call registered the kernel, `false` when one was already present.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend, registerWasmUnsortedSegmentSum } from "./init_backend.ts";
 * await initBackend("wasm"); // registers it
 * assert.equal(registerWasmUnsortedSegmentSum(), false);
 * const out = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 1], "int32"), 2);
 * assert.deepEqual(out.arraySync(), [2, 4]);
 * ```
 */
export function registerWasmUnsortedSegmentSum(): boolean {
  if (tf.getKernel("UnsortedSegmentSum", "wasm") !== undefined) return false;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: Object.assign(({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const scatter = tf.getKernel("ScatterNd", "wasm");
      if (scatter === undefined) {
        throw new Error("UnsortedSegmentSum(wasm): the wasm backend has no ScatterNd kernel");
      }
      const idRank = segmentIds.shape.length;
      const n = segmentIds.shape.reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(idRank);
      const prefix = x.shape.slice(0, idRank);
      if (prefix.join(",") !== segmentIds.shape.join(",")) {
        throw new Error(
          `UnsortedSegmentSum(wasm): segmentIds shape [${segmentIds.shape}] must be a prefix of ` +
            `x shape [${x.shape}]`,
        );
      }
      // Views over the same data (no copies): indices [n, 1], updates [n, ...inner].
      const indices: tf.TensorInfo = { dataId: segmentIds.dataId, shape: [n, 1], dtype: "int32" };
      const updates: tf.TensorInfo = { dataId: x.dataId, shape: [n, ...inner], dtype: x.dtype };
      return scatter.kernelFunc({
        inputs: { indices, updates },
        backend,
        attrs: { shape: [numSegments, ...inner] },
      }) as tf.TensorInfo;
    }, { [_KIT_KERNEL]: true }),
  });
  return true;
}

/** The parts of tfjs' `BackendWasm` the kernels below use. */
interface _WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Replace the wasm `Slice` and `Unpack` kernels with versions that copy contiguous ranges
 * through views of the wasm heap. tfjs 4.22's versions first call `backend.readSync(x)`, which
 * copies the WHOLE input out of the heap on every call, so `tf.unstack` of an `[N, …]` tensor
 * costs N full copies (measured: unstack of [16, 256, 256] 268 ms, a 16× overhead that
 * dominated the attention backward pass). Non-contiguous slices, other axes and strings are
 * delegated to the original kernels. Results are bit-identical (plain copies). Idempotent.
 *
 * @returns the names of the kernels this call replaced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend, registerWasmFastSlicing } from "./init_backend.ts";
 * await initBackend("wasm"); // installs them
 * assert.deepEqual(registerWasmFastSlicing(), []);
 * const parts = tf.unstack(tf.tensor2d([[1, 2], [3, 4]]));
 * assert.deepEqual(parts[1].arraySync(), [3, 4]);
 * ```
 */
export function registerWasmFastSlicing(): string[] {
  const replaced: string[] = [];
  const slice = tf.getKernel("Slice", "wasm");
  if (slice !== undefined && !(_KIT_KERNEL in slice.kernelFunc)) {
    const original = slice.kernelFunc;
    const kernelFunc = Object.assign(
      (args: Parameters<tf.KernelFunc>[0]) => {
        const x = args.inputs.x as tf.TensorInfo;
        const { begin, size } = args.attrs as unknown as {
          begin: number | number[];
          size: number | number[];
        };
        const [b, sz] = tf.slice_util.parseSliceParams(x, begin, size);
        if (x.dtype === "string" || !tf.slice_util.isSliceContinous(x.shape, b, sz)) {
          return original(args);
        }
        const backend = args.backend as unknown as _WasmBackend;
        const out = backend.makeOutput(sz, x.dtype);
        const n = tf.util.sizeFromShape(sz);
        if (n > 0) {
          const offset = tf.slice_util.computeFlatOffset(b, tf.util.computeStrides(x.shape));
          // Views are taken after makeOutput, which may grow (and detach) the heap.
          const src = backend.typedArrayFromHeap(x);
          backend.typedArrayFromHeap(out).set(src.subarray(offset, offset + n));
        }
        return out;
      },
      { [_KIT_KERNEL]: true },
    );
    tf.unregisterKernel("Slice", "wasm");
    tf.registerKernel({ ...slice, kernelFunc });
    replaced.push("Slice");
  }
  const unpack = tf.getKernel("Unpack", "wasm");
  if (unpack !== undefined && !(_KIT_KERNEL in unpack.kernelFunc)) {
    const original = unpack.kernelFunc;
    const kernelFunc = Object.assign(
      (args: Parameters<tf.KernelFunc>[0]) => {
        const value = args.inputs.value as tf.TensorInfo;
        const axis = (args.attrs as unknown as { axis: number }).axis;
        if (value.dtype === "string" || !(axis === 0 || axis === -value.shape.length)) {
          return original(args);
        }
        const backend = args.backend as unknown as _WasmBackend;
        const inner = value.shape.slice(1);
        const m = tf.util.sizeFromShape(inner);
        const outs = Array.from(
          { length: value.shape[0] },
          () => backend.makeOutput(inner, value.dtype),
        );
        if (m > 0) {
          const src = backend.typedArrayFromHeap(value);
          outs.forEach((out, i) =>
            backend.typedArrayFromHeap(out).set(src.subarray(i * m, (i + 1) * m))
          );
        }
        return outs;
      },
      { [_KIT_KERNEL]: true },
    );
    tf.unregisterKernel("Unpack", "wasm");
    tf.registerKernel({ ...unpack, kernelFunc });
    replaced.push("Unpack");
  }
  return replaced;
}

/**
 * Replace wasm kernels that dominated a training step with faster, numerically equivalent ones
 * (profile and measurements: bench/train_bench.ts `--profile`, README of bench/):
 * - `Identity` and same-dtype `Cast` share the input buffer instead of copying it. The engine
 *   clones every tensor it saves for the backward pass, so the copies doubled a training step's
 *   memory (a 32-sequence DPO batch overflowed the 4 GiB heap) and cost ~10% of its time;
 * - `Sum` over leading axes (bias and LayerNorm gradients) accumulates rows without wasm's
 *   transpose, in the same float32 order (bit-identical);
 * - `Transpose` runs cache-blocked (2-D and batched 2-D) or by whole rows (last axis kept);
 * - `BatchMatMul` with transpose flags or a batch runs XNNPACK per batch entry on zero-copy heap
 *   views (tfjs' wasm kernel used a naive loop for those: ~10× slower); {@link initBackend}
 *   then puts OpenBLAS in front of it where available (`matmul` option);
 * - `GatherV2` (embedding lookups) copies whole rows (tfjs' kernel: ~40× slower).
 * Idempotent.
 *
 * @returns the names of the kernels this call replaced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend, registerWasmFastKernels } from "./init_backend.ts";
 * await initBackend("wasm"); // installs them
 * assert.deepEqual(registerWasmFastKernels(), []);
 * const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0], [1, 1]]), true, false);
 * assert.deepEqual(c.arraySync(), [[4, 3], [6, 4]]);
 * ```
 */
export function registerWasmFastKernels(): string[] {
  const makers = {
    Identity: shareIdentity,
    Cast: shareCast,
    Sum: leadingAxesSum,
    Transpose: fastTranspose,
    BatchMatMul: xnnBatchMatMul,
    GatherV2: fastGather,
  } as const;
  return _FAST_KERNELS.filter((name) => replaceWasmKernel(name, makers[name]));
}

async function _initWasm(
  wasmDir: string,
  threads: number,
): Promise<Omit<WasmBackendInfo, "matmul" | "blas" | "kernels" | "onednn">> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`initBackend(wasm): wasmThreads must be an integer >= 1, found ${threads}`);
  }
  registerWasmUnsortedSegmentSum();
  registerWasmFastSlicing();
  registerWasmFastKernels();
  registerWasmFusedKernels();
  // setWasmPaths and the threaded module only take effect before the wasm backend is first
  // initialised.
  if (_wasmDir === null) {
    setWasmPaths(wasmDir.endsWith("/") ? wasmDir : `${wasmDir}/`);
    _wasmDir = wasmDir;
    _wasmThreads = threads;
    if (threads > 1) await _registerThreadedWasm(wasmDir, threads);
  }
  await _setBackend("wasm");
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  return {
    backend: "wasm",
    simd,
    threads: getThreadsCount(),
    wasmDir: _wasmDir,
    ..._common([
      "UnsortedSegmentSum",
      "Slice",
      "Unpack",
      ..._FAST_KERNELS,
      ...Object.values(FUSED_KERNELS),
    ].filter((k) => {
      const func = tf.getKernel(k, "wasm")?.kernelFunc;
      return func !== undefined && _KIT_KERNEL in func;
    })),
  };
}

/**
 * Make the `wasm` backend factory build tfjs' threaded-simd module with `threads` XNNPACK
 * threads; on failure warn once (one line) and leave tfjs' single-threaded factory in place.
 */
async function _registerThreadedWasm(wasmDir: string, threads: number): Promise<void> {
  try {
    const module = await loadThreadedWasm({ distDir: _defaultWasmDir(), wasmDir, threads });
    setThreadsCount(threads);
    tf.removeBackend("wasm");
    tf.registerBackend("wasm", () => {
      const backend = new BackendWasm(
        module as unknown as ConstructorParameters<typeof BackendWasm>[0],
      );
      // XNNPACK's pool threads live as long as the module; like Emscripten's idle workers they
      // must not keep the process alive.
      for (const worker of module.PThread.runningWorkers) worker.unref();
      return backend;
    }, 2);
  } catch (err) {
    console.warn(
      `initBackend(wasm): ${threads} threads unavailable, running single-threaded: ` +
        String((err as Error).message ?? err).split("\n")[0],
    );
  }
}

/**
 * Replace the webgpu `AddN` kernel with one that sums at most `maxStorageBuffersPerShaderStage
 * - 1` inputs per shader (a tree of partial sums). tfjs 4.22 binds every input as a storage
 * buffer of one shader; above the device limit (8 by default, so more than 7 inputs) the
 * pipeline is invalid and the result silently holds the previous call's value (seen on Mesa's
 * lavapipe). Needs the webgpu backend to be registered (initBackend("webgpu") calls it).
 * Idempotent.
 *
 * @returns `true` when this call replaced the kernel, `false` when it was already replaced.
 */
export function registerWebGpuAddN(): boolean {
  const kernel = tf.getKernel("AddN", "webgpu");
  if (kernel === undefined) {
    throw new Error("registerWebGpuAddN: the webgpu backend has no AddN kernel (not loaded?)");
  }
  if (_KIT_KERNEL in kernel.kernelFunc) return false;
  const original = kernel.kernelFunc;
  const kernelFunc = Object.assign((args: Parameters<tf.KernelFunc>[0]) => {
    const backend = args.backend as unknown as {
      device: { limits: { maxStorageBuffersPerShaderStage: number } };
      disposeData(dataId: tf.DataId): boolean;
    };
    const chunk = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let level = args.inputs as unknown as tf.TensorInfo[];
    const temps: tf.TensorInfo[] = [];
    while (level.length > chunk) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += chunk) {
        const part = level.slice(i, i + chunk);
        if (part.length === 1) {
          next.push(part[0]);
          continue;
        }
        const sum = original({ ...args, inputs: part as unknown as tf.NamedTensorInfoMap });
        temps.push(sum as tf.TensorInfo);
        next.push(sum as tf.TensorInfo);
      }
      level = next;
    }
    const out = original({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  }, { [_KIT_KERNEL]: true });
  tf.unregisterKernel("AddN", "webgpu");
  tf.registerKernel({ ...kernel, kernelFunc });
  return true;
}

async function _initWebGpu(): Promise<BackendInfo> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter();
  if (adapter === null) {
    throw new Error(
      "initBackend(webgpu): navigator.gpu has no adapter. Install a Vulkan driver " +
        "(on Debian/Ubuntu: `apt-get install mesa-vulkan-drivers` for the lavapipe CPU driver, " +
        "or the GPU vendor's driver) or choose the wasm backend.",
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  registerWebGpuAddN();
  await _setBackend("webgpu");
  // Per-step overhead (issue #7, measured with bench/webgpu_overhead.ts): a training step is
  // about a thousand tiny dispatches, so the WebGPU calls around each one dominate, not the math.
  // On an NVIDIA H100 (Vulkan) the mapped staging buffers below cost 1.26 s of a 1.43 s LM step
  // (getMappedRange, 536 calls); with both levers the step takes 0.16 s (10x).
  // tfjs uploads every CPU value (the scalars of `tf.mul(0.9, m)`, ids, masks) through a fresh
  // mapped staging buffer: createBuffer + getMappedRange + unmap + copyBufferToBuffer + destroy.
  // With the tfjs flag KIT_WEBGPU_QUEUE_UPLOADS (registered here, default true) the value goes
  // through one `queue.writeBuffer` into a pooled buffer instead. As safe as tfjs' own uniform
  // buffers, which it writes the same way: a pooled buffer is not referenced by commands still
  // being recorded (tfjs releases those only at submit), and writeBuffer is ordered after all
  // submitted work. Same bytes, so the same numerics.
  // tfjs submits a command buffer every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches (default 15,
  // tuned for browser inference); the kit sets 100: 6x fewer submits (59 -> 9 per lavapipe test
  // step), each with its command-buffer finish and pending-buffer bookkeeping. Training reads
  // back once per step, so deferring work costs no parallelism worth having. Both are tfjs flags
  // (`tf.env().set(...)` after initBackend changes them).
  const env = tf.env() as unknown as {
    flagRegistry: Record<string, unknown>;
    registerFlag(name: string, evaluate: () => boolean): void;
    getBool(name: string): boolean;
    set(name: string, value: number | boolean): void;
  };
  if (!("KIT_WEBGPU_QUEUE_UPLOADS" in env.flagRegistry)) {
    env.registerFlag("KIT_WEBGPU_QUEUE_UPLOADS", () => true);
  }
  env.set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", 100);
  type Upload = ((dataId: tf.DataId) => void) & { [_KIT_KERNEL]?: true };
  const gpuBackend = tf.backend() as unknown as {
    uploadToGPU: Upload;
    queue: GPUQueue;
    bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
    tensorMap: {
      get(dataId: tf.DataId): {
        dtype: tf.DataType;
        shape: number[];
        values: ArrayLike<number> | null;
        resource: unknown;
      };
    };
  };
  const upload = gpuBackend.uploadToGPU;
  if (!(_KIT_KERNEL in upload)) {
    gpuBackend.uploadToGPU = Object.assign(function (this: typeof gpuBackend, dataId: tf.DataId) {
      const d = this.tensorMap.get(dataId);
      const dtype = d.dtype;
      if (
        d.resource != null || d.values == null || !env.getBool("KIT_WEBGPU_QUEUE_UPLOADS") ||
        (dtype !== "float32" && dtype !== "int32" && dtype !== "bool")
      ) {
        return upload.call(this, dataId);
      }
      // tfjs stores bool as int32 on the GPU; 4 bytes per element for all three dtypes.
      const values = dtype === "float32"
        ? (d.values instanceof Float32Array ? d.values : Float32Array.from(d.values))
        : (d.values instanceof Int32Array ? d.values : Int32Array.from(d.values));
      const buffer = this.bufferManager.acquireBuffer(
        4 * values.length,
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      );
      if (values.length > 0) {
        this.queue.writeBuffer(buffer, 0, values as Float32Array<ArrayBuffer>);
      }
      d.values = null;
      d.resource = buffer;
    }, { [_KIT_KERNEL]: true as const });
  }
  return {
    backend: "webgpu",
    adapter: adapter.info.description || adapter.info.vendor || "unknown",
    ..._common(["AddN", "uploadToGPU"]),
  };
}

async function _initTensorflow(specifier: string): Promise<BackendInfo> {
  try {
    // A computed specifier keeps the optional native package out of the static module graph.
    await import(specifier);
  } catch (err) {
    throw new Error(
      `initBackend(tensorflow): cannot load "${specifier}" (${(err as Error).message}). ` +
        "The tensorflow backend needs @tensorflow/tfjs-node-gpu with its native libtensorflow, " +
        "whose install script downloads from storage.googleapis.com (and needs CUDA): on a " +
        "machine with that access run `deno add npm:@tensorflow/tfjs-node-gpu@4.22.0 && " +
        "deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu` in the project (with npm: " +
        "`npm install @tensorflow/tfjs-node-gpu@4.22.0`), or choose the webgpu or wasm backend.",
      { cause: err },
    );
  }
  if (!_isRegistered("tensorflow")) {
    throw new Error(
      `initBackend(tensorflow): "${specifier}" loaded but registered no "tensorflow" backend ` +
        "with this tfjs instance (a second copy of @tensorflow/tfjs?). Align its version with " +
        `@tensorflow/tfjs ${tf.version.tfjs}.`,
    );
  }
  await _setBackend("tensorflow");
  return { backend: "tensorflow", ..._common([]) };
}

function _isRegistered(name: string): boolean {
  return (tf.engine().registryFactory as Record<string, unknown>)[name] !== undefined;
}

async function _setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`initBackend: tfjs failed to initialise backend "${name}"`);
  }
}

/** Whether the backend in use is `kind` with every engine and thread count `options` names. */
function _satisfies(current: BackendInfo, kind: BackendKind, o: InitBackendOptions): boolean {
  if (current.backend !== kind || tf.getBackend() !== current.tfjsBackend) return false;
  if (current.backend !== "wasm") return true;
  const engine = <T>(asked: T | "auto" | undefined, used: T) =>
    asked === undefined || asked === "auto" || asked === used;
  const threads = (asked: number | undefined, used: { threads: number } | null) =>
    asked === undefined || used === null || asked === used.threads;
  return engine(o.matmul, current.matmul) && threads(o.blas?.threads, current.blas) &&
    engine(o.kernels, current.kernels) && threads(o.dnn?.threads, current.onednn);
}

function _common(patchedKernels: readonly string[]): _CommonInfo {
  return { tfjsBackend: tf.getBackend(), tfjsVersion: tf.version.tfjs, patchedKernels };
}

/** The XNNPACK `BatchMatMul` kernel of {@link registerWasmFastKernels}, kept for switching. */
let _xnnMatMul: tf.KernelFunc | null = null;
/** The JS `Sum` kernel of {@link registerWasmFastKernels}, kept for switching. */
let _jsSum: tf.KernelFunc | null = null;
/** The OpenBLAS the wasm backend's `BatchMatMul` runs on, or `null` (XNNPACK). */
let _wasmBlas: OpenBlas | null = null;

/**
 * The OpenBLAS of the wasm backend's products with a view of a float32 tensor's data in the wasm
 * heap. A view is valid until the next tfjs allocation (the heap may grow and move); take it
 * right before use.
 */
export interface HeapBlas {
  readonly blas: OpenBlas;
  readonly heapView: (t: tf.Tensor) => Float32Array;
}

/** The native engines of the backend in use, for code that works on JS arrays. */
export interface NativeEngines {
  /** `null` unless the backend is wasm with `matmul` OpenBLAS. */
  readonly blas: HeapBlas | null;
  /** `null` unless the backend is wasm with `kernels` oneDNN. */
  readonly dnn: OneDnn | null;
}

/**
 * The native engines behind the backend in use (the KV-cache decoder calls them directly on the
 * weights in the wasm heap); both `null` on any backend but wasm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, nativeEngines } from "./init_backend.ts";
 * await initBackend("cpu");
 * assert.deepEqual(nativeEngines(), { blas: null, dnn: null });
 * ```
 */
export function nativeEngines(): NativeEngines {
  return {
    blas: _heapBlas(),
    dnn: _wasmDnn !== null && tf.getBackend() === "wasm" ? _wasmDnn : null,
  };
}

function _heapBlas(): HeapBlas | null {
  if (_wasmBlas === null || tf.getBackend() !== "wasm") return null;
  const backend = tf.backend() as unknown as {
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  };
  return {
    blas: _wasmBlas,
    heapView: (t) => {
      if (t.dtype !== "float32") {
        throw new Error(`wasmBlas: heapView needs a float32 tensor, found ${t.dtype}`);
      }
      return backend.typedArrayFromHeap(t) as Float32Array;
    },
  };
}

/** Register the wasm `BatchMatMul` of `choice`; returns what it selected for the info. */
function _useWasmMatmul(
  choice: MatmulChoice,
  blasOptions: LoadOpenBlasOptions,
): Pick<WasmBackendInfo, "matmul" | "blas"> {
  const kernel = tf.getKernel("BatchMatMul", "wasm");
  const sum = tf.getKernel("Sum", "wasm");
  if (kernel === undefined || sum === undefined) {
    throw new Error("initBackend(wasm): no BatchMatMul or Sum kernel registered");
  }
  _xnnMatMul ??= kernel.kernelFunc;
  _jsSum ??= sum.kernelFunc;
  let blas: BlasInfo | null = null;
  let lib: OpenBlas | null = null;
  let kernelFunc = _xnnMatMul;
  switch (choice) {
    case "xnnpack":
      break;
    case "openblas":
    case "auto":
      lib = _loadNative(
        () => loadOpenBlas(blasOptions),
        choice === "openblas",
        "matmuls run on XNNPACK (about 5× slower per core)",
      );
      if (lib !== null) {
        blas = {
          library: lib.library,
          config: lib.config,
          coreName: lib.coreName,
          threads: lib.threads,
        };
        kernelFunc = openBlasBatchMatMul(lib, _xnnMatMul);
      }
      break;
    default: {
      const never: never = choice;
      throw new Error(
        `initBackend(wasm): unknown matmul engine "${never}"; expected one of ` +
          MATMUL_CHOICES.join(", "),
      );
    }
  }
  _setWasmKernel(kernel, kernelFunc);
  // Sums over leading axes (bias gradients) are products with a vector of ones.
  _setWasmKernel(sum, lib === null ? _jsSum : openBlasLeadingAxesSum(lib, _jsSum));
  _wasmBlas = lib;
  return { matmul: blas === null ? "xnnpack" : "openblas", blas };
}

/** The kit's JS and tfjs' wasm forms of the {@link ONEDNN_KERNELS}, kept for switching. */
const _wasmKernels = new Map<string, tf.KernelConfig>();
/** The oneDNN the wasm backend's kernels run on, or `null` (the wasm kernels). */
let _wasmDnn: OneDnn | null = null;

/** Register the wasm kernels of `choice` for the {@link ONEDNN_KERNELS}; returns what it selected. */
function _useWasmKernels(
  choice: KernelsChoice,
  dnnOptions: LoadOneDnnOptions,
): Pick<WasmBackendInfo, "kernels" | "onednn"> {
  for (const name of ONEDNN_KERNELS) {
    if (_wasmKernels.has(name)) continue;
    const kernel = tf.getKernel(name, "wasm");
    if (kernel === undefined) throw new Error(`initBackend(wasm): no ${name} kernel registered`);
    _wasmKernels.set(name, kernel);
  }
  let dnn: OneDnn | null = null;
  switch (choice) {
    case "wasm":
      break;
    case "onednn":
    case "auto":
      dnn = _loadNative(
        () => loadOneDnn(dnnOptions),
        choice === "onednn",
        "elementwise kernels run on one core in wasm",
      );
      break;
    default: {
      const never: never = choice;
      throw new Error(
        `initBackend(wasm): unknown kernels engine "${never}"; expected one of ` +
          KERNELS_CHOICES.join(", "),
      );
    }
  }
  const original = (name: string) => _wasmKernels.get(name)!.kernelFunc;
  const native = dnn === null ? null : oneDnnKernels(dnn, original);
  for (const name of ONEDNN_KERNELS) {
    const kernel = _wasmKernels.get(name)!;
    _setWasmKernel(kernel, native === null ? kernel.kernelFunc : native[name]);
  }
  _wasmDnn = dnn;
  return {
    kernels: dnn === null ? "wasm" : "onednn",
    onednn: dnn === null
      ? null
      : { library: dnn.library, version: dnn.version, isa: dnn.isa, threads: dnn.threads },
  };
}

/** The fallbacks `"auto"` already warned about (once per process each). */
const _warned = new Set<string>();

/**
 * `load()`, or, when it throws and the native engine was not `required`, `null` with a one-line
 * warning naming the `fallback` and the cause (once per process and fallback).
 */
function _loadNative<T>(load: () => T, required: boolean, fallback: string): T | null {
  try {
    return load();
  } catch (err) {
    if (required) throw err;
    if (!_warned.has(fallback)) {
      console.warn(
        `initBackend(wasm): ${fallback}: ` + String((err as Error).message).split("\n")[0],
      );
      _warned.add(fallback);
    }
    return null;
  }
}

/**
 * Register `kernelFunc` as the wasm kernel of `kernel.kernelName` (marked as the kit's unless it
 * is tfjs' own, `kernel.kernelFunc`).
 */
function _setWasmKernel(kernel: tf.KernelConfig, kernelFunc: tf.KernelFunc): void {
  tf.unregisterKernel(kernel.kernelName, "wasm");
  tf.registerKernel({
    ...kernel,
    kernelFunc: kernelFunc === kernel.kernelFunc
      ? kernelFunc
      : Object.assign(kernelFunc, { [_KIT_KERNEL]: true }),
  });
}

/** `dist/` of the installed wasm backend package, resolved through the import map. */
function _defaultWasmDir(): string {
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  const url = new URL("./", entry);
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}
