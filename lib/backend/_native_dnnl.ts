/**
 * Native elementwise, softmax, LayerNorm and layout kernels for the wasm backend:
 * oneDNN (Debian's `libdnnl2`, the CPU kernel library behind PyTorch's `mkldnn` path), called
 * through Deno's FFI on zero-copy views of the wasm heap.
 *
 * Why: with the matrix products on OpenBLAS (lib/_native_blas.ts), the rest of a reference LM
 * step (GELU, softmax and its gradient, LayerNorm, bias and residual adds, bias-gradient sums,
 * head transposes) took about 0.75 s on one core in JS and wasm loops. oneDNN's JIT-compiled
 * AVX-512 kernels run them on all cores: on the project's 2-core Xeon a GELU over `[4096, 512]`
 * took 0.9 ms against about 30 ms for the kit's JS kernel, and a softmax backward over
 * `[16384, 256]` 2.3 ms against about 37 ms.
 *
 * Primitives are created once per operation and shape (a JIT compile of about a millisecond)
 * and kept in a bounded cache; a call rebinds the cached memory objects to the heap views and
 * executes. (Its reduction primitive is not used: a leading-axes sum over `[4096, 512]` took
 * 47 ms, so bias gradients are an OpenBLAS `sgemv`, lib/_native_blas.ts.) oneDNN's maths is the same function with its own summation order and its own
 * polynomial for `exp`/`tanh`, so results agree with the JS kernels to float32 rounding, not
 * bit for bit.
 *
 * @module
 */
import { dlopenWithEnv } from "./_dlopen.ts";

/** Options of {@link loadOneDnn}. */
export interface LoadOneDnnOptions {
  /**
   * Shared library to open (a name the dynamic loader resolves, or a path).
   * @default "libdnnl.so.2"
   */
  readonly library?: string;
  /**
   * OpenMP threads oneDNN runs its kernels on (set through libgomp's `omp_set_num_threads` on
   * the calling thread).
   * @default min(2, navigator.hardwareConcurrency)
   */
  readonly threads?: number;
  /**
   * How long an idle OpenMP thread spins before it sleeps, in busy-wait iterations
   * (`GOMP_SPINCOUNT`, read when libgomp is loaded with oneDNN; the environment is restored
   * after). libgomp's own default, 300,000, keeps oneDNN's second thread spinning through the
   * OpenBLAS products that follow, where OpenBLAS' own threads need the core. Measured on the
   * reference LM step (2-core Xeon, `deno run -A bench/train_bench.ts --only lm --steps 4`):
   * 10,000 took 0.55–0.59 s a step against 0.78–0.87 s for the default and 0.67–0.69 s for
   * `OMP_WAIT_POLICY=PASSIVE`. `null` leaves libgomp's default (or the environment's value).
   * Only the first load of a process takes effect.
   * @default 10000
   */
  readonly spinCount?: number | null;
}

/** Elementwise functions of {@link OneDnn.eltwise} (oneDNN's `dnnl_eltwise_*` algorithms). */
export type EltwiseAlg = "gelu_tanh" | "exp";

/** Binary operations of {@link OneDnn.binary} (oneDNN's `dnnl_binary_*` algorithms). */
export type BinaryAlg = "add" | "sub" | "mul";

/** A loaded oneDNN: what a run logs about it, and the kernels. */
export interface OneDnn {
  /** The library as it was opened. */
  readonly library: string;
  /** oneDNN's version, for example `"2.6.3"`. */
  readonly version: string;
  /** The instruction set its kernels use (`dnnl_get_effective_cpu_isa`, e.g. `"avx512_core_bf16"`). */
  readonly isa: string;
  /** OpenMP threads per kernel. */
  readonly threads: number;
  /** Primitives currently cached (one per operation and shape). */
  readonly cachedPrimitives: number;
  /** `y = f(x)` elementwise (`x`, `y` of the same length; `y` may be `x`). */
  eltwise(alg: EltwiseAlg, x: Float32Array, y: Float32Array): void;
  /** `dx = f'(x) · dy` elementwise. */
  eltwiseBackward(o: EltwiseBackwardArgs): void;
  /** Softmax of each row of the row-major `[rows, cols]` matrix `x` into `y`. */
  softmax(o: RowsArgs & { readonly x: Float32Array; readonly y: Float32Array }): void;
  /** The softmax gradient `dx = y · (dy - Σ dy·y)` of each row, from the forward output `y`. */
  softmaxBackward(o: SoftmaxBackwardArgs): void;
  /** LayerNorm of each row (population variance), keeping the row statistics. */
  layerNorm(o: LayerNormArgs): void;
  /** The LayerNorm gradient with respect to `x`, `gamma` and `beta`. */
  layerNormBackward(o: LayerNormBackwardArgs): void;
  /** `out = a ∘ b` with `b` broadcast along its size-1 dimensions (`out` has `a`'s dims). */
  binary(o: BinaryArgs): void;
  /** `out = transpose(x, perm)` for a row-major `x` of `dims`. */
  transpose(o: TransposeArgs): void;
}

/** Shape of a row-wise operation: a row-major `[rows, cols]` matrix. */
export interface RowsArgs {
  readonly rows: number;
  readonly cols: number;
}

/** Arguments of {@link OneDnn.eltwiseBackward}. */
export interface EltwiseBackwardArgs {
  readonly alg: EltwiseAlg;
  /** The forward input. */
  readonly x: Float32Array;
  readonly dy: Float32Array;
  readonly dx: Float32Array;
}

/** Arguments of {@link OneDnn.softmaxBackward}. */
export interface SoftmaxBackwardArgs extends RowsArgs {
  /** The forward output. */
  readonly y: Float32Array;
  readonly dy: Float32Array;
  readonly dx: Float32Array;
}

/** Arguments of {@link OneDnn.layerNorm}: `y = (x - mean)/√(variance + eps)·gamma + beta`. */
export interface LayerNormArgs extends RowsArgs {
  readonly x: Float32Array;
  /** `[cols]`. */
  readonly gamma: Float32Array;
  /** `[cols]`. */
  readonly beta: Float32Array;
  readonly eps: number;
  readonly y: Float32Array;
  /** Receives each row's mean, `[rows]`. */
  readonly mean: Float32Array;
  /** Receives each row's population variance, `[rows]`. */
  readonly variance: Float32Array;
}

/** Arguments of {@link OneDnn.layerNormBackward}. */
export interface LayerNormBackwardArgs extends RowsArgs {
  readonly dy: Float32Array;
  /** The forward input and its row statistics. */
  readonly x: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly gamma: Float32Array;
  readonly eps: number;
  readonly dx: Float32Array;
  readonly dgamma: Float32Array;
  readonly dbeta: Float32Array;
}

/** Arguments of {@link OneDnn.binary}. */
export interface BinaryArgs {
  readonly alg: BinaryAlg;
  readonly a: Float32Array;
  readonly aDims: readonly number[];
  readonly b: Float32Array;
  /** Same rank as `aDims`; each entry equals `aDims`' or is 1. */
  readonly bDims: readonly number[];
  readonly out: Float32Array;
}

/** Arguments of {@link OneDnn.transpose}. */
export interface TransposeArgs {
  readonly x: Float32Array;
  readonly dims: readonly number[];
  /** Output axis `i` is input axis `perm[i]`. */
  readonly perm: readonly number[];
  readonly out: Float32Array;
}

const _SYMBOLS = {
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_strides: {
    parameters: ["buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_softmax_v2_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "buffer", "i32"],
    result: "i32",
  },
  dnnl_softmax_v2_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  dnnl_layer_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_layer_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_binary_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "buffer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_execute: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "buffer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "buffer"], result: "i32" },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_get_effective_cpu_isa: { parameters: [], result: "i32" },
} as const;

const _GOMP_SYMBOLS = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const;

/** oneDNN enum values (dnnl_types.h of oneDNN 2.6). */
const _F32 = 3, _CPU = 1;
const _FORWARD_TRAINING = 64, _BACKWARD = 128, _BACKWARD_DATA = 160;
const _SOFTMAX_ACCURATE = 0x30000;
const _USE_SCALE = 0x8, _USE_SHIFT = 0x10;
const _ELTWISE: Record<EltwiseAlg, number> = { gelu_tanh: 0xcf, exp: 0xbf };
const _BINARY: Record<BinaryAlg, number> = { add: 0x1fff0, mul: 0x1fff1, sub: 0x1fff5 };
const _ARG = {
  src: 1,
  src1: 2,
  dst: 17,
  diffSrc: 129,
  diffDst: 145,
  mean: 49,
  variance: 50,
  scale: 51,
  shift: 52,
  diffScale: 255,
  diffShift: 256,
} as const;
const _STATUS = [
  "success",
  "out_of_memory",
  "invalid_arguments",
  "unimplemented",
  "iterator_ends",
  "runtime_error",
  "not_required",
];
const _ISA: Record<number, string> = {
  0x1: "sse41",
  0x3: "avx",
  0x7: "avx2",
  0x27: "avx512_core",
  0x67: "avx512_core_vnni",
  0xe7: "avx512_core_bf16",
  0x3e7: "avx512_core_amx",
  0x407: "avx2_vnni",
};
/** Bytes of a `dnnl_memory_desc_t` (696 in oneDNN 2.6) and of the largest op descriptor (3496), rounded up. */
const _MD_BYTES = 1024, _OP_DESC_BYTES = 8192;
/**
 * Operations on fewer elements than this (largest argument) run on one OpenMP thread. Measured
 * on the KV-cache decoder at batch 1 (`deno run -A bench/generate_bench.ts`), where a step's
 * GELU has 512 elements and its softmax 4 rows of 256.
 */
export const SINGLE_THREAD_ELEMENTS = 1 << 16;
/** Largest number of primitives kept; the least recently used is destroyed beyond it. */
const _CACHE_LIMIT = 512;

type _Lib = Deno.DynamicLibrary<typeof _SYMBOLS>;

/** A created primitive with one memory object per argument, rebound to new data each call. */
interface _Primitive {
  readonly prim: Deno.PointerObject;
  readonly mems: readonly Deno.PointerObject[];
  /** `dnnl_exec_arg_t[]`: `{ int arg; dnnl_memory_t memory; }`, 16 bytes each. */
  readonly args: Uint8Array;
}

/** libgomp's thread count as last set (process-wide, like libgomp's own setting). */
let _ompThreadsNow = 0;

let _loaded: {
  library: string;
  lib: _Lib;
  gomp: Deno.DynamicLibrary<typeof _GOMP_SYMBOLS>;
  /** One handle (engine, stream, primitive cache) per thread count. */
  byThreads: Map<number, _OneDnn>;
} | null = null;

/**
 * Open oneDNN through Deno's FFI (needs `--allow-ffi`, included in `-A`). The library is opened
 * once per process, with one handle (engine, stream and primitive cache) per thread count; later
 * calls set the thread count and return its handle.
 *
 * @throws when the library cannot be opened (the message names it and the Debian package) or
 * the options are invalid.
 */
export function loadOneDnn(options: LoadOneDnnOptions = {}): OneDnn {
  const library = options.library ?? "libdnnl.so.2";
  const threads = options.threads ?? Math.min(2, navigator.hardwareConcurrency);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`loadOneDnn: threads must be an integer >= 1, found ${threads}`);
  }
  const spinCount = options.spinCount === undefined ? 10000 : options.spinCount;
  if (spinCount !== null && !(Number.isInteger(spinCount) && spinCount >= 0)) {
    throw new Error(`loadOneDnn: spinCount must be an integer >= 0, found ${spinCount}`);
  }
  if (_loaded !== null && _loaded.library !== library) {
    throw new Error(
      `loadOneDnn: "${library}" requested, but this process already loaded "${_loaded.library}"`,
    );
  }
  if (_loaded === null) {
    const lib = dlopenWithEnv({
      caller: "loadOneDnn",
      library,
      symbols: _SYMBOLS,
      env: { GOMP_SPINCOUNT: spinCount === null ? null : String(spinCount) },
      hint: "Install oneDNN (Debian/Ubuntu: `apt-get install libdnnl2`), pass its path, or " +
        'choose the wasm kernels (initBackend("wasm", { kernels: "wasm" })).',
    });
    // oneDNN's OpenMP runtime: the process-wide libgomp it was linked against.
    const gomp = Deno.dlopen("libgomp.so.1", _GOMP_SYMBOLS);
    _loaded = { library, lib, gomp, byThreads: new Map() };
  }
  _loaded.gomp.symbols.omp_set_num_threads(threads);
  _ompThreadsNow = _loaded.gomp.symbols.omp_get_max_threads();
  let dnn = _loaded.byThreads.get(_ompThreadsNow);
  if (dnn === undefined) {
    dnn = new _OneDnn(library, _loaded.lib, _loaded.gomp.symbols, _ompThreadsNow);
    _loaded.byThreads.set(_ompThreadsNow, dnn);
  }
  return dnn;
}

class _OneDnn implements OneDnn {
  readonly library: string;
  readonly version: string;
  readonly isa: string;
  readonly threads: number;
  readonly #s: _Lib["symbols"];
  readonly #gomp: Deno.DynamicLibrary<typeof _GOMP_SYMBOLS>["symbols"];
  readonly #engine: Deno.PointerObject;
  readonly #stream: Deno.PointerObject;
  readonly #cache = new Map<string, _Primitive>();
  #zeroes = new Float32Array(0);

  constructor(
    library: string,
    lib: _Lib,
    gomp: Deno.DynamicLibrary<typeof _GOMP_SYMBOLS>["symbols"],
    threads: number,
  ) {
    this.library = library;
    this.threads = threads;
    this.#gomp = gomp;
    const s = this.#s = lib.symbols;
    const v = new Deno.UnsafePointerView(s.dnnl_version()!);
    this.version = `${v.getInt32(0)}.${v.getInt32(4)}.${v.getInt32(8)}`;
    const isa = s.dnnl_get_effective_cpu_isa();
    this.isa = _ISA[isa] ?? `0x${isa.toString(16)}`;
    this.#engine = this.#create("dnnl_engine_create", (out) => s.dnnl_engine_create(out, _CPU, 0n));
    this.#stream = this.#create(
      "dnnl_stream_create",
      (out) => s.dnnl_stream_create(out, this.#engine, 0x3), // dnnl_stream_default_flags
    );
  }

  get cachedPrimitives(): number {
    return this.#cache.size;
  }

  eltwise(alg: EltwiseAlg, x: Float32Array, y: Float32Array): void {
    _sameLength("eltwise", { x, y });
    this.#run(`eltwise ${alg} ${x.length}`, [x, y], () => {
      const md = this.#md([x.length]);
      return this.#primitive(this.#eltwiseForwardDesc(alg, md), null, [
        [_ARG.src, md],
        [_ARG.dst, md],
      ]);
    });
  }

  eltwiseBackward({ alg, x, dy, dx }: EltwiseBackwardArgs): void {
    _sameLength("eltwiseBackward", { x, dy, dx });
    this.#run(`eltwise-bwd ${alg} ${x.length}`, [x, dy, dx], () => {
      const md = this.#md([x.length]);
      const desc = new Uint8Array(_OP_DESC_BYTES);
      this.#check(
        "dnnl_eltwise_backward_desc_init",
        this.#s.dnnl_eltwise_backward_desc_init(desc, _ELTWISE[alg], md, md, 0, 0),
      );
      return this.#primitive(desc, this.#eltwiseForwardDesc(alg, md), [
        [_ARG.src, md],
        [_ARG.diffDst, md],
        [_ARG.diffSrc, md],
      ]);
    });
  }

  softmax({ x, y, rows, cols }: RowsArgs & { x: Float32Array; y: Float32Array }): void {
    _rows("softmax", rows, cols, { x, y });
    this.#run(`softmax ${rows} ${cols}`, [x, y], () => {
      const md = this.#md([rows, cols]);
      return this.#primitive(this.#softmaxForwardDesc(md), null, [[_ARG.src, md], [
        _ARG.dst,
        md,
      ]]);
    });
  }

  softmaxBackward({ y, dy, dx, rows, cols }: SoftmaxBackwardArgs): void {
    _rows("softmaxBackward", rows, cols, { y, dy, dx });
    this.#run(`softmax-bwd ${rows} ${cols}`, [y, dy, dx], () => {
      const md = this.#md([rows, cols]);
      const desc = new Uint8Array(_OP_DESC_BYTES);
      this.#check(
        "dnnl_softmax_v2_backward_desc_init",
        this.#s.dnnl_softmax_v2_backward_desc_init(desc, _SOFTMAX_ACCURATE, md, md, md, 1),
      );
      return this.#primitive(desc, this.#softmaxForwardDesc(md), [
        [_ARG.dst, md],
        [_ARG.diffDst, md],
        [_ARG.diffSrc, md],
      ]);
    });
  }

  layerNorm(o: LayerNormArgs): void {
    const { x, gamma, beta, y, mean, variance, rows, cols, eps } = o;
    _rows("layerNorm", rows, cols, { x, y });
    _lengths("layerNorm", { gamma: [gamma, cols], beta: [beta, cols] });
    _lengths("layerNorm", { mean: [mean, rows], variance: [variance, rows] });
    this.#run(`lnorm ${rows} ${cols} ${eps}`, [x, gamma, beta, y, mean, variance], () => {
      const md = this.#md([rows, cols]), stat = this.#md([rows]), w = this.#md([cols]);
      return this.#primitive(this.#layerNormForwardDesc(md, stat, eps), null, [
        [_ARG.src, md],
        [_ARG.scale, w],
        [_ARG.shift, w],
        [_ARG.dst, md],
        [_ARG.mean, stat],
        [_ARG.variance, stat],
      ]);
    });
  }

  layerNormBackward(o: LayerNormBackwardArgs): void {
    const { dy, x, mean, variance, gamma, eps, dx, dgamma, dbeta, rows, cols } = o;
    _rows("layerNormBackward", rows, cols, { dy, x, dx });
    _lengths("layerNormBackward", { gamma: [gamma, cols], dgamma: [dgamma, cols] });
    _lengths("layerNormBackward", { dbeta: [dbeta, cols], mean: [mean, rows] });
    _lengths("layerNormBackward", { variance: [variance, rows] });
    // oneDNN checks that the shift is bound, though no gradient reads it.
    const views = [x, mean, variance, dy, gamma, this.#zeros(cols), dx, dgamma, dbeta];
    this.#run(`lnorm-bwd ${rows} ${cols} ${eps}`, views, () => {
      const md = this.#md([rows, cols]), stat = this.#md([rows]), w = this.#md([cols]);
      const desc = new Uint8Array(_OP_DESC_BYTES);
      this.#check(
        "dnnl_layer_normalization_backward_desc_init",
        this.#s.dnnl_layer_normalization_backward_desc_init(
          desc,
          _BACKWARD,
          md,
          md,
          stat,
          eps,
          _USE_SCALE | _USE_SHIFT,
        ),
      );
      return this.#primitive(desc, this.#layerNormForwardDesc(md, stat, eps), [
        [_ARG.src, md],
        [_ARG.mean, stat],
        [_ARG.variance, stat],
        [_ARG.diffDst, md],
        [_ARG.scale, w],
        [_ARG.shift, w],
        [_ARG.diffSrc, md],
        [_ARG.diffScale, w],
        [_ARG.diffShift, w],
      ]);
    });
  }

  binary({ alg, a, aDims, b, bDims, out }: BinaryArgs): void {
    _dims("binary", { a: [a, aDims], b: [b, bDims], out: [out, aDims] });
    _broadcastDims("binary", aDims, bDims);
    this.#run(`binary ${alg} ${aDims} ${bDims}`, [a, b, out], () => {
      const ma = this.#md(aDims), mb = this.#md(bDims);
      const desc = new Uint8Array(_OP_DESC_BYTES);
      this.#check(
        "dnnl_binary_desc_init",
        this.#s.dnnl_binary_desc_init(desc, _BINARY[alg], ma, mb, ma),
      );
      return this.#primitive(desc, null, [[_ARG.src, ma], [_ARG.src1, mb], [_ARG.dst, ma]]);
    });
  }

  transpose({ x, dims, perm, out }: TransposeArgs): void {
    const outDims = perm.map((p) => dims[p]);
    if (
      perm.length !== dims.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)
    ) {
      throw new Error(
        `oneDNN transpose: perm [${perm}] is not a permutation of ${dims.length} axes`,
      );
    }
    _dims("transpose", { x: [x, dims], out: [out, outDims] });
    this.#run(`transpose ${dims} ${perm}`, [x, out], () => {
      const inStrides = _rowMajorStrides(dims);
      // The input read in output order: output axis i walks input axis perm[i].
      const src = this.#md(outDims, perm.map((p) => inStrides[p]));
      const dst = this.#md(outDims);
      const out = new BigUint64Array(1);
      this.#check(
        "dnnl_reorder_primitive_desc_create",
        this.#s.dnnl_reorder_primitive_desc_create(out, src, this.#engine, dst, this.#engine, null),
      );
      return this.#fromPd(_pointer(out), [[_ARG.src, src], [_ARG.dst, dst]]);
    });
  }

  /** Run the cached primitive `key` (built by `build` on first use) on `views`, in its argument order. */
  #run(key: string, views: readonly Float32Array[], build: () => _Primitive): void {
    // Small jobs on one thread: waking a sleeping OpenMP thread costs more than they take (the
    // same shape always gets the same count, at creation and at execution).
    let size = 0;
    for (const v of views) size = Math.max(size, v.length);
    const want = size < SINGLE_THREAD_ELEMENTS ? 1 : this.threads;
    if (want !== _ompThreadsNow) {
      this.#gomp.omp_set_num_threads(want);
      _ompThreadsNow = want;
    }
    let p = this.#cache.get(key);
    if (p === undefined) {
      p = build();
      if (this.#cache.size >= _CACHE_LIMIT) {
        const [oldKey, old] = this.#cache.entries().next().value!;
        this.#cache.delete(oldKey);
        this.#destroy(old);
      }
    } else {
      this.#cache.delete(key); // re-inserted below: the Map's order is the recency order
    }
    this.#cache.set(key, p);
    const s = this.#s;
    for (let i = 0; i < views.length; i++) {
      this.#check(
        "dnnl_memory_set_data_handle",
        s.dnnl_memory_set_data_handle(p.mems[i], views[i]),
      );
    }
    this.#check(
      "dnnl_primitive_execute",
      s.dnnl_primitive_execute(p.prim, this.#stream, views.length, p.args),
    );
    this.#check("dnnl_stream_wait", s.dnnl_stream_wait(this.#stream));
  }

  /** `n` zeros (a shared buffer, never written). */
  #zeros(n: number): Float32Array {
    if (this.#zeroes.length < n) this.#zeroes = new Float32Array(n);
    return this.#zeroes.subarray(0, n);
  }

  #eltwiseForwardDesc(alg: EltwiseAlg, md: Uint8Array): Uint8Array {
    const desc = new Uint8Array(_OP_DESC_BYTES);
    this.#check(
      "dnnl_eltwise_forward_desc_init",
      this.#s.dnnl_eltwise_forward_desc_init(desc, _FORWARD_TRAINING, _ELTWISE[alg], md, 0, 0),
    );
    return desc;
  }

  #softmaxForwardDesc(md: Uint8Array): Uint8Array {
    const desc = new Uint8Array(_OP_DESC_BYTES);
    this.#check(
      "dnnl_softmax_v2_forward_desc_init",
      this.#s.dnnl_softmax_v2_forward_desc_init(
        desc,
        _FORWARD_TRAINING,
        _SOFTMAX_ACCURATE,
        md,
        md,
        1,
      ),
    );
    return desc;
  }

  #layerNormForwardDesc(md: Uint8Array, stat: Uint8Array, eps: number): Uint8Array {
    const desc = new Uint8Array(_OP_DESC_BYTES);
    this.#check(
      "dnnl_layer_normalization_forward_desc_init",
      this.#s.dnnl_layer_normalization_forward_desc_init(
        desc,
        _FORWARD_TRAINING,
        md,
        stat,
        eps,
        _USE_SCALE | _USE_SHIFT,
      ),
    );
    return desc;
  }

  /** A float32 memory descriptor of `dims`, row-major unless `strides` are given. */
  #md(dims: readonly number[], strides?: readonly number[]): Uint8Array {
    const md = new Uint8Array(_MD_BYTES);
    const d = BigInt64Array.from(dims, BigInt);
    const st = BigInt64Array.from(strides ?? _rowMajorStrides(dims), BigInt);
    this.#check(
      "dnnl_memory_desc_init_by_strides",
      this.#s.dnnl_memory_desc_init_by_strides(md, dims.length, d, _F32, st),
    );
    return md;
  }

  /** Create the primitive of op descriptor `desc` (with the forward descriptor as a hint for backward ones). */
  #primitive(
    desc: Uint8Array,
    forward: Uint8Array | null,
    args: readonly (readonly [number, Uint8Array])[],
  ): _Primitive {
    const s = this.#s;
    let hint: Deno.PointerObject | null = null;
    if (forward !== null) {
      hint = this.#create(
        "dnnl_primitive_desc_create",
        (out) => s.dnnl_primitive_desc_create(out, forward, null, this.#engine, null),
      );
    }
    try {
      const pd = this.#create(
        "dnnl_primitive_desc_create",
        (out) => s.dnnl_primitive_desc_create(out, desc, null, this.#engine, hint),
      );
      return this.#fromPd(pd, args);
    } finally {
      if (hint !== null) s.dnnl_primitive_desc_destroy(hint);
    }
  }

  /** The primitive of `pd` (destroyed here) with one memory object per argument. */
  #fromPd(pd: Deno.PointerObject, args: readonly (readonly [number, Uint8Array])[]): _Primitive {
    const s = this.#s;
    try {
      const prim = this.#create("dnnl_primitive_create", (out) => s.dnnl_primitive_create(out, pd));
      const mems = args.map(([, md]) =>
        this.#create(
          "dnnl_memory_create",
          (out) => s.dnnl_memory_create(out, md, this.#engine, null),
        )
      );
      const buf = new Uint8Array(16 * args.length);
      const view = new DataView(buf.buffer);
      args.forEach(([arg], i) => {
        view.setInt32(16 * i, arg, true);
        view.setBigUint64(16 * i + 8, Deno.UnsafePointer.value(mems[i]) as bigint, true);
      });
      return { prim, mems, args: buf };
    } finally {
      s.dnnl_primitive_desc_destroy(pd);
    }
  }

  #destroy(p: _Primitive): void {
    this.#s.dnnl_primitive_destroy(p.prim);
    for (const m of p.mems) this.#s.dnnl_memory_destroy(m);
  }

  /** Call `f` with an out-pointer cell and return the pointer it wrote. */
  #create(name: string, f: (out: BigUint64Array) => number): Deno.PointerObject {
    const out = new BigUint64Array(1);
    this.#check(name, f(out));
    return _pointer(out);
  }

  #check(name: string, status: number): void {
    if (status !== 0) {
      throw new Error(
        `oneDNN ${name} failed: ${
          _STATUS[status] ?? "status " + status
        } (${this.library} ${this.version})`,
      );
    }
  }
}

function _pointer(cell: BigUint64Array): Deno.PointerObject {
  const p = Deno.UnsafePointer.create(cell[0]);
  if (p === null) throw new Error("oneDNN returned a null handle");
  return p;
}

function _rowMajorStrides(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

function _sameLength(op: string, views: Record<string, Float32Array>): void {
  const entries = Object.entries(views);
  const n = entries[0][1].length;
  for (const [name, v] of entries) {
    if (v.length !== n) {
      throw new Error(
        `oneDNN ${op}: ${name} has ${v.length} elements, ${entries[0][0]} has ${n}`,
      );
    }
  }
}

function _rows(op: string, rows: number, cols: number, views: Record<string, Float32Array>): void {
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) {
    throw new Error(
      `oneDNN ${op}: rows and cols must be positive integers, found ${rows}, ${cols}`,
    );
  }
  _lengths(op, Object.fromEntries(Object.entries(views).map(([k, v]) => [k, [v, rows * cols]])));
}

function _lengths(op: string, views: Record<string, [Float32Array, number]>): void {
  for (const [name, [v, n]] of Object.entries(views)) {
    if (v.length !== n) {
      throw new Error(`oneDNN ${op}: ${name} must have ${n} elements, found ${v.length}`);
    }
  }
}

function _dims(op: string, views: Record<string, [Float32Array, readonly number[]]>): void {
  for (const [name, [v, dims]] of Object.entries(views)) {
    if (dims.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`oneDNN ${op}: ${name} dims must be positive integers, found [${dims}]`);
    }
    const n = dims.reduce((a, b) => a * b, 1);
    if (v.length !== n) {
      throw new Error(
        `oneDNN ${op}: ${name} of dims [${dims}] needs ${n} elements, found ${v.length}`,
      );
    }
  }
}

function _broadcastDims(op: string, full: readonly number[], part: readonly number[]): void {
  if (full.length !== part.length || part.some((d, i) => d !== 1 && d !== full[i])) {
    throw new Error(
      `oneDNN ${op}: dims [${part}] must have the rank of [${full}] with each entry equal or 1`,
    );
  }
}
