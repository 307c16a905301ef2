/**
 * Native single-precision matrix products for the wasm backend: OpenBLAS' `cblas_sgemm`, called
 * through Deno's FFI on zero-copy views of the wasm heap.
 *
 * Why: after every other fix, matrix products were 2.9 of the 4.0 CPU-seconds of a reference LM
 * step, and XNNPACK's wasm SIMD128 kernels reach about 16–22 GFLOP/s on the model's shapes where
 * OpenBLAS' AVX-512 kernels reach about 100 per core (measured on the project's 2-core Xeon:
 * `deno run -A bench/peer/compare.ts`, and `deno bench -A bench/matmul_bench.ts` for the
 * products alone). Debian ships OpenBLAS as `libopenblas0`, the same library the PyTorch peer
 * of bench/peer/ uses.
 *
 * `cblas_sgemm` takes the transpose flags itself, so tfjs' matMul gradient (which uses both) and
 * batched attention products need no transposed copies; a batch runs one call per entry. The
 * maths is the same product; the summation order inside a dot product differs from XNNPACK's,
 * so results agree to float32 rounding (the kit's tests hold them within 1e-4 of the cpu
 * backend), not bit for bit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { dlopenWithEnv } from "./_dlopen.ts";
import { leadingSumGeometry, matMulGeometry, type WasmBackendInternals } from "./_wasm_kernels.ts";

/** Options of {@link loadOpenBlas}. */
export interface LoadOpenBlasOptions {
  /**
   * Shared library to open (a name the dynamic loader resolves, or a path).
   * @default "libopenblas.so.0"
   */
  readonly library?: string;
  /**
   * OpenBLAS kernel family to pin (`OPENBLAS_CORETYPE`, read by OpenBLAS when it is loaded):
   * `"auto"` picks one from the CPU's flags in /proc/cpuinfo (`avx512_bf16` → `Cooperlake`,
   * `avx512f` → `SkylakeX`, `avx2` → `Haswell`, else OpenBLAS' own detection), because Debian's
   * OpenBLAS 0.3.21 falls back to a generic kernel, about 5× slower, on CPUs newer than it
   * knows. `null` leaves the choice to OpenBLAS. The process environment is restored after the
   * library is loaded. Only the first load of a process takes effect.
   * @default "auto"
   */
  readonly coreType?: string | null;
  /**
   * How long an idle OpenBLAS thread spins before it sleeps, as `2^threadTimeout` CPU cycles
   * (`OPENBLAS_THREAD_TIMEOUT`, 4 to 30, read when OpenBLAS is loaded; the environment is
   * restored after). OpenBLAS' own default, 28 (about 0.1 s), keeps the second thread spinning
   * through the elementwise work between products. Measured on the reference LM step (2 threads,
   * `deno run -A bench/train_bench.ts --only lm --steps 6 --blas-thread-timeout N`, 5 alternating
   * runs each, 2-core Xeon): 16 (about 30 µs) took a median 1.40 CPU-s per step against 2.13 for
   * 28, at a median wall time of 1.02 s against 1.07 s; 4 (sleep at once) cut the CPU as much but
   * was slower in one of two series. `null` leaves OpenBLAS' default (or the environment's
   * value). Only the first load of a process takes effect.
   * @default 16
   */
  readonly threadTimeout?: number | null;
  /**
   * Threads OpenBLAS uses per product (it uses fewer on small products by itself). Measured on
   * the reference LM step (2-core Xeon): a second thread cut the wall time by about 15% (at
   * OpenBLAS' default spin time it also doubled the CPU time; see `threadTimeout`); more threads
   * were not measured.
   * @default min(2, navigator.hardwareConcurrency)
   */
  readonly threads?: number;
}

/** A loaded OpenBLAS: what a run logs about it, and the product. */
export interface OpenBlas {
  /** The library as it was opened. */
  readonly library: string;
  /** OpenBLAS' build description (`openblas_get_config`, e.g. `"OpenBLAS 0.3.21 DYNAMIC_ARCH …"`). */
  readonly config: string;
  /** The kernel family in use (`openblas_get_corename`, e.g. `"Cooperlake"`). */
  readonly coreName: string;
  /** Threads per product (the most; see {@link OpenBlas.useThreadsFor}). */
  readonly threads: number;
  /**
   * Set the threads of the products that follow for a job of `macs` multiply-adds in all: one
   * below {@link SINGLE_THREAD_MACS}, else {@link OpenBlas.threads}. OpenBLAS' own rule threads
   * any product above 2^18, and its idle threads sleep after a short spin, so isolated small
   * products (a decoding step's `[16, 128] · [128, 512]`) paid a thread wake-up each: the
   * reference model's cached decoding at batch 16 ran at about 3,300 tokens/s on 2 threads and
   * 5,000 on one. Costs nothing when the count does not change.
   */
  useThreadsFor(macs: number): void;
  /**
   * Row-major `C = op(A) · op(B)` (`alpha` 1, `beta` 0) with `op(A)` `[m, k]` and `op(B)`
   * `[k, n]`; `lda`, `ldb`, `ldc` are the row strides of the arrays as stored.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    c: Float32Array,
    ldc: number,
  ): void;
  /**
   * `y = A · x` (or `Aᵀ · x` with `trans`) for a row-major `A` of `[rows, cols]` (`alpha` 1,
   * `beta` 0); `Aᵀ` times ones gives the column sums.
   */
  sgemv(o: SgemvArgs): void;
}

/** Arguments of {@link OpenBlas.sgemv}. */
export interface SgemvArgs {
  readonly trans: boolean;
  readonly rows: number;
  readonly cols: number;
  /** Row-major `[rows, cols]`. */
  readonly a: Float32Array;
  /** `[cols]`, or `[rows]` with `trans`. */
  readonly x: Float32Array;
  /** `[rows]`, or `[cols]` with `trans`. */
  readonly y: Float32Array;
}

const _SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_corename: { parameters: [], result: "pointer" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const;

/** Jobs below this many multiply-adds run on one OpenBLAS thread (see {@link OpenBlas.useThreadsFor}). */
export const SINGLE_THREAD_MACS = 1 << 22;

/** CBLAS enum values. */
const _ROW_MAJOR = 101, _NO_TRANS = 111, _TRANS = 112;

let _loaded: { library: string; lib: Deno.DynamicLibrary<typeof _SYMBOLS> } | null = null;
/** OpenBLAS' thread count as last set (process-wide, like the library's own setting). */
let _threadsNow = 0;

/**
 * The worker threads of this process that use OpenBLAS, each module instance by a random id,
 * kept in an environment variable (`<pid>:<id>,<id>…`): worker threads share the C environment
 * but not JS state. OpenBLAS' thread server is not safe for products called from two threads at
 * once (two test files run in parallel in one process hung in it, one product waiting forever),
 * so once a second thread uses it every product runs on its caller's thread alone.
 */
const _USERS_ENV = "KIT_OPENBLAS_USERS";
const _instance = crypto.randomUUID().slice(0, 8);

/** This instance's co-users of OpenBLAS in this process (itself included once registered). */
function _blasUsers(): string[] {
  const [pid, list] = (Deno.env.get(_USERS_ENV) ?? "").split(":");
  return pid === String(Deno.pid) && list ? list.split(",") : [];
}

/** Registers this instance; whether it is OpenBLAS' only user in the process. */
function _registerBlasUser(): boolean {
  const users = _blasUsers();
  if (!users.includes(_instance)) users.push(_instance);
  Deno.env.set(_USERS_ENV, `${Deno.pid}:${users.join(",")}`);
  return users.length === 1;
}

/**
 * Whether another thread of this process uses OpenBLAS too. Two threads registering at once can
 * lose one write (each reads the list, then sets its own), so an instance missing from the list
 * registers again: the next product of either thread then sees both.
 */
function _blasShared(): boolean {
  const users = _blasUsers();
  return users.includes(_instance) ? users.length > 1 : !_registerBlasUser();
}

/**
 * The `OPENBLAS_CORETYPE` that `"auto"` pins for a CPU with these /proc/cpuinfo `flags`, or
 * `null` to leave the choice to OpenBLAS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coreTypeForFlags } from "./_native_blas.ts";
 * assert.equal(coreTypeForFlags(["fma", "avx2", "avx512f", "avx512_bf16"]), "Cooperlake");
 * assert.equal(coreTypeForFlags(["sse4_2"]), null);
 * ```
 */
export function coreTypeForFlags(flags: readonly string[]): string | null {
  const has = new Set(flags);
  if (has.has("avx512_bf16")) return "Cooperlake";
  if (has.has("avx512f")) return "SkylakeX";
  if (has.has("avx2")) return "Haswell";
  return null;
}

/** The first `flags` line of /proc/cpuinfo, split; `[]` where there is none (not Linux/x86). */
function _cpuFlags(): string[] {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
      .find((l) => l.startsWith("flags"));
    return line === undefined ? [] : line.slice(line.indexOf(":") + 1).trim().split(/\s+/);
  } catch {
    return [];
  }
}

/**
 * Open OpenBLAS through Deno's FFI (needs `--allow-ffi`, included in `-A`). The library is
 * opened once per process; later calls only set the thread count.
 *
 * @throws when the library cannot be opened (the message names it and the Debian package) or
 * the options are invalid.
 */
export function loadOpenBlas(options: LoadOpenBlasOptions = {}): OpenBlas {
  const library = options.library ?? "libopenblas.so.0";
  const threads = options.threads ?? Math.min(2, navigator.hardwareConcurrency);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`loadOpenBlas: threads must be an integer >= 1, found ${threads}`);
  }
  const timeout = options.threadTimeout === undefined ? 16 : options.threadTimeout;
  if (timeout !== null && !(Number.isInteger(timeout) && timeout >= 4 && timeout <= 30)) {
    throw new Error(`loadOpenBlas: threadTimeout must be an integer in [4, 30], found ${timeout}`);
  }
  if (_loaded !== null && _loaded.library !== library) {
    throw new Error(
      `loadOpenBlas: "${library}" requested, but this process already loaded "${_loaded.library}"`,
    );
  }
  if (_loaded === null) {
    const coreType = options.coreType === undefined || options.coreType === "auto"
      ? coreTypeForFlags(_cpuFlags())
      : options.coreType;
    const lib = dlopenWithEnv({
      caller: "loadOpenBlas",
      library,
      symbols: _SYMBOLS,
      env: {
        OPENBLAS_CORETYPE: coreType,
        OPENBLAS_THREAD_TIMEOUT: timeout === null ? null : String(timeout),
      },
      hint: "Install OpenBLAS (Debian/Ubuntu: `apt-get install libopenblas0`), pass its path, " +
        'or choose the xnnpack matmul engine (initBackend("wasm", { matmul: "xnnpack" })).',
    });
    _loaded = { library, lib };
  }
  const s = _loaded.lib.symbols;
  s.openblas_set_num_threads(_registerBlasUser() ? threads : 1);
  const text = (p: Deno.PointerValue) => p === null ? "" : Deno.UnsafePointerView.getCString(p);
  const most = _threadsNow = s.openblas_get_num_threads();
  return {
    library,
    config: text(s.openblas_get_config()).trim(),
    coreName: text(s.openblas_get_corename()),
    threads: most,
    useThreadsFor(macs) {
      const want = macs < SINGLE_THREAD_MACS || _blasShared() ? 1 : most;
      if (want !== _threadsNow) {
        s.openblas_set_num_threads(want);
        _threadsNow = want;
      }
    },
    sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc) {
      s.cblas_sgemm(
        _ROW_MAJOR,
        transA ? _TRANS : _NO_TRANS,
        transB ? _TRANS : _NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        lda,
        b,
        ldb,
        0,
        c,
        ldc,
      );
    },
    sgemv({ trans, rows, cols, a, x, y }) {
      s.cblas_sgemv(_ROW_MAJOR, trans ? _TRANS : _NO_TRANS, rows, cols, 1, a, cols, x, 1, 0, y, 1);
    },
  };
}

/**
 * A wasm `BatchMatMul` kernel running every float32 product on `blas` (one `sgemm` per batch
 * entry, on views of the heap; one-sided batch broadcasts read the single operand each time).
 * Other dtypes, two-sided broadcasts and empty products go to `fallback`.
 */
export function openBlasBatchMatMul(blas: OpenBlas, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: Parameters<tf.KernelFunc>[0]) => {
    const g = matMulGeometry(args);
    if (g === null) return fallback(args);
    const { a, b, transposeA, transposeB, m, k, n, batchA, batchB, batch, outer } = g;
    const backend = args.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput([...outer, m, n], "float32");
    // Views are taken after makeOutput, which may grow (and detach) the heap.
    const av = backend.typedArrayFromHeap(a) as Float32Array;
    const bv = backend.typedArrayFromHeap(b) as Float32Array;
    const cv = backend.typedArrayFromHeap(out) as Float32Array;
    const lda = transposeA ? m : k, ldb = transposeB ? k : n;
    blas.useThreadsFor(batch * m * n * k);
    if (batch === 1 && m === 1 && !transposeA) {
      // One row (a decoding step): a matrix-vector product, which OpenBLAS splits over its
      // threads by rows where its sgemm runs one row on one thread.
      blas.sgemv({
        trans: !transposeB,
        rows: transposeB ? n : k,
        cols: transposeB ? k : n,
        a: bv,
        x: av,
        y: cv,
      });
      return out;
    }
    if (batch === 1) {
      blas.sgemm(transposeA, transposeB, m, n, k, av, lda, bv, ldb, cv, n);
      return out;
    }
    const sa = batchA === 1 ? 0 : m * k, sb = batchB === 1 ? 0 : k * n, sc = m * n;
    for (let i = 0; i < batch; i++) {
      blas.sgemm(
        transposeA,
        transposeB,
        m,
        n,
        k,
        av.subarray(i * sa, i * sa + m * k),
        lda,
        bv.subarray(i * sb, i * sb + k * n),
        ldb,
        cv.subarray(i * sc, (i + 1) * sc),
        n,
      );
    }
    return out;
  };
}

/** Inputs smaller than this (in elements) stay on the JS `Sum`. */
const _BLAS_SUM_MIN_ELEMENTS = 16384;
let _ones = new Float32Array(0);

/**
 * A wasm `Sum` kernel that sums a float32 tensor over its leading axes (the bias gradients of a
 * training step, `[B·T, n]` to `[n]`) as one threaded `sgemv` with a vector of ones: the JS row
 * loop ran on one core at about 1 ns an element. Other reductions, other dtypes and inputs under
 * 16,384 elements go to `fallback`. The summation order differs from the row loop's, so results
 * agree to float32 rounding.
 */
export function openBlasLeadingAxesSum(blas: OpenBlas, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: Parameters<tf.KernelFunc>[0]) => {
    const g = leadingSumGeometry(args);
    if (g === null || g.rows * g.cols < _BLAS_SUM_MIN_ELEMENTS) return fallback(args);
    const { x, rows, cols } = g;
    const backend = args.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(g.outShape, "float32");
    if (_ones.length < rows) _ones = new Float32Array(rows).fill(1);
    blas.useThreadsFor(rows * cols);
    blas.sgemv({
      trans: true,
      rows,
      cols,
      a: backend.typedArrayFromHeap(x) as Float32Array,
      x: _ones.subarray(0, rows),
      y: backend.typedArrayFromHeap(out) as Float32Array,
    });
    return out;
  };
}
