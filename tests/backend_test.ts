import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  initBackend,
  readInto,
  registerWasmFastKernels,
  registerWasmUnsortedSegmentSum,
  registerWebGpuAddN,
} from "../lib/backend/mod.ts";
import { coreTypeForFlags, loadOpenBlas } from "../lib/backend/_native_blas.ts";
import { createGpt } from "../lib/model/mod.ts";

/** Run `fn` on `kind` and return plain arrays (so results survive the backend switch). */
async function on<T>(kind: "cpu" | "wasm", fn: () => T): Promise<T> {
  await initBackend(kind);
  return fn();
}

/**
 * Asserts that a request for `n` OpenBLAS threads got `got`: `n`, unless another module instance
 * of this process (a test file run before or beside this one) had used OpenBLAS too when the
 * request was made; then every product runs on its caller's thread alone
 * (lib/backend/_native_blas.ts, `KIT_OPENBLAS_USERS`). Another test file may register between the
 * request and this check (users never leave the list), so a lone `n` stays valid afterwards,
 * while a `1` for a larger `n` must be explained by a second user now.
 */
function assertBlasThreads(got: number | undefined, n: number): void {
  const [pid, users] = (Deno.env.get("KIT_OPENBLAS_USERS") ?? "").split(":");
  const shared = pid === String(Deno.pid) && (users ?? "").split(",").length > 1;
  if (got === n) return;
  assert.ok(got === 1 && shared, `asked for ${n} OpenBLAS threads, got ${got} (shared: ${shared})`);
}

Deno.test("initBackend(wasm) reports SIMD, threads, the wasm dir and the patched kernel", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(info.tfjsBackend, "wasm");
  assert.equal(info.tfjsVersion, "4.22.0");
  assert.equal(info.simd, true);
  assert.equal(info.threads, 1); // wasmThreads defaults to 1 (tests/wasm_threads_test.ts: 2)
  assert.ok(info.wasmDir !== null && existsSync(join(info.wasmDir, "tfjs-backend-wasm-simd.wasm")));
  assert.deepEqual(info.patchedKernels, [
    "UnsortedSegmentSum",
    "Slice",
    "Unpack",
    "Identity",
    "Cast",
    "Sum",
    "Transpose",
    "BatchMatMul",
    "GatherV2",
    "KitGelu",
    "KitGeluGrad",
    "KitSoftmaxGrad",
    "KitLayerNorm",
    "KitLayerNormGrad",
  ]);
  // OpenBLAS is a test prerequisite (.ci/run installs libopenblas0), so "auto" selects it.
  assert.equal(info.matmul, "openblas");
  assert.ok(
    info.blas !== null && info.blas.config.startsWith("OpenBLAS"),
    String(info.blas?.config),
  );
  assertBlasThreads(info.blas.threads, 2);
  // oneDNN is a test prerequisite too (.ci/run installs libdnnl2).
  assert.equal(info.kernels, "onednn");
  assert.ok(info.onednn !== null && /^2\./.test(info.onednn.version), String(info.onednn?.version));
  assert.equal(info.onednn.threads, 2);
  assert.deepEqual(registerWasmFastKernels(), []); // idempotent
  assert.equal(registerWasmUnsortedSegmentSum(), false); // idempotent
});

Deno.test("initBackend: same kind is a no-op, a different kind switches", async () => {
  const a = await initBackend("wasm");
  const b = await initBackend("wasm");
  assert.equal(a, b);
  const c = await initBackend("cpu");
  assert.equal(c.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal("simd" in c, false); // only the wasm info has a build to describe
  const d = await initBackend("wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(d.simd, true);
});

Deno.test("UnsortedSegmentSum on wasm: hand-computed example with duplicate ids", async () => {
  await initBackend("wasm");
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const ids = tf.tensor1d([2, 0, 2], "int32");
  const out = tf.unsortedSegmentSum(x, ids, 3);
  assert.deepEqual(out.arraySync(), [[3, 4], [0, 0], [6, 8]]);
  tf.dispose([x, ids, out]);
});

Deno.test("UnsortedSegmentSum on wasm equals cpu on float data; 2-D ids match 1-D", async () => {
  const n = 64, d = 5, segs = 7;
  const xs = Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.37) * 10);
  const ids = Array.from({ length: n }, (_, i) => (i * 5 + 3) % segs);
  const run = () =>
    tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor2d(xs, [n, d]), tf.tensor1d(ids, "int32"), segs)
        .arraySync() as number[][]
    );
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  // wasm (ScatterNd) accumulates in index order in float32: bit-identical to this loop.
  const seq = Array.from({ length: segs }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      seq[ids[i]][j] = Math.fround(seq[ids[i]][j] + Math.fround(xs[i * d + j]));
    }
  }
  assert.deepEqual(wasm, seq);
  // cpu (mask-multiply-reduce) sums in another order: equal up to float32 rounding.
  for (let s = 0; s < segs; s++) {
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(wasm[s][j] - cpu[s][j]) <= 1e-6 * Math.max(1, Math.abs(cpu[s][j])));
    }
  }
  // TF semantics: segment ids may have any prefix shape of x (tfjs' cpu kernel mishandles it).
  const twoD = tf.tidy(() =>
    tf.unsortedSegmentSum(
      tf.tensor3d(xs, [8, 8, d]),
      tf.tensor2d(ids, [8, 8], "int32") as unknown as tf.Tensor1D,
      segs,
    ).arraySync()
  );
  assert.deepEqual(twoD, wasm);
});

Deno.test("embedding (gather) gradient on wasm equals cpu", async () => {
  const table = Array.from({ length: 6 * 3 }, (_, i) => (i % 7) / 7);
  const idx = [[0, 3, 3, 5], [1, 0, 5, 5]];
  const run = () =>
    tf.tidy(() => {
      const w = tf.tensor2d(table, [6, 3]);
      const weights = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i - 11), [2, 4, 3]);
      const grad = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(t, tf.tensor2d(idx, [2, 4], "int32")), weights))
      )(w);
      return grad.arraySync() as number[][];
    });
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  assert.deepEqual(wasm, cpu);
  // Row 5 is gathered at (0,3), (1,2), (1,3): weights rows 3, 6, 7 -> (-2+7+10, ...).
  assert.deepEqual(cpu[5], [-2 + 7 + 10, -1 + 8 + 11, 0 + 9 + 12]);
  assert.deepEqual(cpu[2], [0, 0, 0]);
});

Deno.test("initBackend(tensorflow) without tfjs-node-gpu fails with an actionable message", async () => {
  const missing = new URL("./no_such_dir/tfjs-node-gpu.js", import.meta.url).href;
  await assert.rejects(
    () => initBackend("tensorflow", { tensorflowModule: missing }),
    (err: Error) => {
      assert.match(err.message, /initBackend\(tensorflow\): cannot load ".*tfjs-node-gpu\.js"/);
      assert.match(err.message, /deno install --allow-scripts=npm:@tensorflow\/tfjs-node-gpu/);
      assert.match(err.message, /choose the webgpu or wasm backend/);
      return true;
    },
  );
  // A failed switch leaves the previous backend in place.
  await initBackend("wasm");
  assert.equal(tf.getBackend(), "wasm");
});

Deno.test({
  name: "webgpu forward logits and gradients equal wasm within 1e-3 on a tiny seeded model",
  // Deno's WebGPU device keeps internal resources alive after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const config = {
      vocabSize: 37,
      contextLength: 16,
      dModel: 16,
      nLayer: 2,
      nHead: 4,
      mlpRatio: 4,
      dropout: 0,
      seed: 11,
    };
    const ids = [[1, 5, 9, 36, 2, 7, 7, 0], [3, 3, 3, 3, 30, 31, 32, 33]];
    const run = async () => {
      const model = createGpt(config);
      const input = tf.tensor2d(ids, [2, 8], "int32");
      const logits = model.logits(input);
      const weights = tf.tensor3d(
        Array.from({ length: 2 * 8 * 37 }, (_, i) => Math.cos(i)),
        [2, 8, 37],
      );
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.logits(input), weights)),
        model.variables as tf.Variable[],
      );
      // webgpu has no synchronous read-back: use the async readers.
      const out = {
        logits: (await logits.data()) as Float32Array,
        grads: await Promise.all(
          model.variables.map(async (v) => (await grads[v.name].data()) as Float32Array),
        ),
      };
      tf.dispose([input, logits, weights, value, grads]);
      model.dispose();
      return out;
    };
    const maxDiff = (a: Float32Array, b: Float32Array) => {
      let m = 0, scale = 0;
      for (let i = 0; i < a.length; i++) {
        m = Math.max(m, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(a[i]));
      }
      return { m, scale };
    };
    await initBackend("wasm");
    const wasm = await run();
    // Throws "navigator.gpu has no adapter. Install ... mesa-vulkan-drivers" when WebGPU is absent.
    const info = await initBackend("webgpu");
    assert.equal(info.tfjsBackend, "webgpu");
    assert.ok(info.adapter !== null && info.adapter.length > 0);
    assert.deepEqual(info.patchedKernels, ["AddN", "uploadToGPU"]);
    assert.equal(tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE"), 100);
    const gpu = await run();
    // The same numbers through tfjs' own mapped-buffer uploads: the kit's queue uploads move
    // the same bytes.
    tf.env().set("KIT_WEBGPU_QUEUE_UPLOADS", false);
    const plain = await run();
    tf.env().set("KIT_WEBGPU_QUEUE_UPLOADS", true);
    assert.deepEqual(plain.logits, gpu.logits);
    plain.grads.forEach((g, i) => assert.deepEqual(g, gpu.grads[i], `gradient ${i}`));
    await initBackend("wasm");
    const l = maxDiff(wasm.logits, gpu.logits);
    assert.ok(l.m < 1e-3, `max |webgpu - wasm| logits = ${l.m}`);
    assert.ok(l.scale > 1e-2, "logits carry signal");
    for (let i = 0; i < wasm.grads.length; i++) {
      const g = maxDiff(wasm.grads[i], gpu.grads[i]);
      assert.ok(
        g.m < 1e-3 * Math.max(1, g.scale),
        `gradient ${i}: max diff ${g.m}, scale ${g.scale}`,
      );
    }
  },
});

Deno.test("wasm Slice/Unpack replacements: identical values to cpu for contiguous and strided cases", async () => {
  const xs = Array.from({ length: 4 * 5 * 6 }, (_, i) => i * 0.5 - 7);
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor3d(xs, [4, 5, 6]);
      const xi = tf.tensor3d(xs.map((v) => Math.round(v)), [4, 5, 6], "int32");
      return {
        contiguous: tf.slice(x, [1, 0, 0], [2, 5, 6]).arraySync(),
        rows: tf.slice(x, [2, 3, 0], [1, 2, 6]).arraySync(),
        strided: tf.slice(x, [0, 1, 2], [4, 3, 2]).arraySync(),
        int: tf.slice(xi, [3, 0, 0], [1, 5, 6]).arraySync(),
        unstack0: tf.unstack(x).map((t) => t.arraySync()),
        unstack2: tf.unstack(x, 2).map((t) => t.arraySync()),
        empty: tf.slice(x, [0, 0, 0], [0, 5, 6]).shape,
        grad: tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t)[2], 3)))(x).arraySync(),
      };
    });
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  assert.deepEqual(wasm, cpu);
  assert.deepEqual((cpu.rows as number[][][])[0][0], xs.slice(2 * 30 + 3 * 6, 2 * 30 + 4 * 6));
});

Deno.test("wasm matMul: every transpose flag and batch form equals cpu (hand-checked 2×2 too)", async () => {
  const k = 45, n = 29;
  // m = 1 (one row, a decoding step) takes OpenBLAS' matrix-vector path.
  const forms: [boolean, boolean, number[], number[], number][] = [];
  for (const m of [37, 1]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      for (const [ba, bb] of [[[], []], [[3], [3]], [[1], [4]], [[2, 3], [2, 3]], [[4], [1]]]) {
        forms.push([ta, tb, ba, bb, m]);
      }
    }
  }
  const run = () =>
    tf.tidy(() =>
      forms.map(([ta, tb, ba, bb, m], i) => {
        const a = tf.randomNormal([...ba, ...(ta ? [k, m] : [m, k])], 0, 1, "float32", i + 1);
        const b = tf.randomNormal([...bb, ...(tb ? [n, k] : [k, n])], 0, 1, "float32", 99 + i);
        const c = tf.matMul(a, b, ta, tb);
        return { shape: c.shape, values: c.dataSync() as Float32Array };
      })
    );
  const cpu = await on("cpu", run);
  for (const matmul of ["xnnpack", "openblas"] as const) {
    assert.equal((await initBackend("wasm", { matmul })).matmul, matmul);
    const before = tf.engine().backend.numDataIds();
    const wasm = run();
    // every temporary buffer and heap view of the kernel was released
    assert.equal(tf.engine().backend.numDataIds(), before);
    forms.forEach((form, i) => {
      assert.deepEqual(wasm[i].shape, cpu[i].shape, `${matmul} form ${form}`);
      let d = 0;
      wasm[i].values.forEach((v, j) => d = Math.max(d, Math.abs(v - cpu[i].values[j])));
      assert.ok(d < 1e-4, `${matmul} form ${form}: max |wasm - cpu| = ${d}`);
    });
  }
  assert.equal((await initBackend("wasm")).matmul, "openblas"); // "auto" keeps the engine
  // OpenBLAS threads follow the latest request (a study's runtime.blasThreads).
  assert.equal((await initBackend("wasm", { blas: { threads: 1 } })).blas?.threads, 1);
  assertBlasThreads((await initBackend("wasm", { blas: { threads: 2 } })).blas?.threads, 2);
  // A rank-2 right operand broadcast against a batch: ones [2, 3, 2, 4] · ones [4, 2] = 4s.
  const bc = tf.tidy(() => tf.matMul(tf.ones([2, 3, 2, 4]), tf.ones([4, 2])).arraySync());
  assert.deepEqual(bc, Array.from({ length: 2 }, () => Array(3).fill([[4, 4], [4, 4]])));
  // [[1, 2], [3, 4]]ᵀ · [[1, 0], [1, 1]] = [[1+3, 3], [2+4, 4]]
  const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0], [1, 1]]), true, false);
  assert.deepEqual(c.arraySync(), [[4, 3], [6, 4]]);
  // and the product with transposeB: [[1, 2], [3, 4]] · [[1, 0], [1, 1]]ᵀ = [[1, 3], [3, 7]]
  const d = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0], [1, 1]]), false, true);
  assert.deepEqual(d.arraySync(), [[1, 3], [3, 7]]);
  tf.dispose([c, d]);
});

Deno.test("wasm GatherV2 replacement: rows and inner blocks equal cpu; bad index is named", async () => {
  const cases = (): { shape: number[]; values: number[] }[] =>
    tf.tidy(() => {
      const x = tf.randomNormal([5, 4, 3], 0, 1, "float32", 7);
      const xi = tf.tensor2d([[1, 2], [3, 4], [5, 6]], undefined, "int32");
      const ids = tf.tensor2d([[4, 0, 4], [2, 2, 1]], undefined, "int32");
      return [
        tf.gather(x, ids), // axis 0, 2-D indices (an embedding lookup)
        tf.gather(x, tf.tensor1d([3, 0], "int32"), 1), // inner blocks of 3 under 5 outer rows
        tf.gather(x, tf.tensor1d([2, 2, 0], "int32"), 2),
        tf.gather(xi, tf.tensor1d([2, 0], "int32")), // int32 data
      ].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    });
  const cpu = await on("cpu", cases);
  await initBackend("wasm");
  assert.deepEqual(cases(), cpu);
  // hand-checked: rows 2 and 0 of [[1, 2], [3, 4], [5, 6]]
  assert.deepEqual(cpu[3].values, [5, 6, 1, 2]);
  const before = tf.engine().backend.numDataIds();
  assert.throws(
    () => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], "int32")),
    /GatherV2: indices\[1\] = 3 is not in \[0, 2\]/,
  );
  assert.equal(tf.engine().backend.numDataIds(), before + 2); // only the two inputs remain
});

Deno.test("OpenBLAS: a missing library is named with the package; core type follows CPU flags", async () => {
  await initBackend("wasm"); // this process loads libopenblas.so.0
  // A fresh process: this one has OpenBLAS loaded already (one library per process).
  const url = new URL("../lib/backend/_native_blas.ts", import.meta.url).href;
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { loadOpenBlas } from "${url}"; loadOpenBlas({ library: "libmissing.so.9" });`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(child.code, 1);
  assert.match(
    new TextDecoder().decode(child.stderr),
    /cannot open "libmissing\.so\.9".*apt-get install libopenblas0/s,
  );
  assert.throws(
    () => loadOpenBlas({ library: "libmissing.so.9" }),
    /"libmissing\.so\.9" requested, but this process already loaded "libopenblas\.so\.0"/,
  );
  assert.equal(coreTypeForFlags(["avx2", "avx512f", "avx512_bf16"]), "Cooperlake");
  assert.equal(coreTypeForFlags(["avx2", "avx512f"]), "SkylakeX");
  assert.equal(coreTypeForFlags(["avx2", "fma"]), "Haswell");
  assert.equal(coreTypeForFlags(["sse4_2"]), null);
  assert.throws(() => loadOpenBlas({ threads: 0 }), /threads must be an integer >= 1, found 0/);
  assert.throws(
    () => loadOpenBlas({ threadTimeout: 3 }),
    /threadTimeout must be an integer in \[4, 30\], found 3/,
  );
  // The environment it sets for OpenBLAS' start-up is restored afterwards (a fresh process).
  const probe = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { loadOpenBlas } from "${url}"; const b = loadOpenBlas({ coreType: "Haswell" }); ` +
      `console.log([b.coreName, Deno.env.get("OPENBLAS_CORETYPE"), ` +
      `Deno.env.get("OPENBLAS_THREAD_TIMEOUT")].join(" "));`,
    ],
    env: { OPENBLAS_CORETYPE: "Prescott", OPENBLAS_THREAD_TIMEOUT: "9" },
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(probe.stdout).trim(), "Haswell Prescott 9");
  // "auto" without OpenBLAS trains on XNNPACK and says so in one line; "openblas" fails.
  const backendUrl = new URL("../lib/backend/mod.ts", import.meta.url).href;
  const fallback = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { initBackend } from "${backendUrl}"; ` +
      `const i = await initBackend("wasm", { blas: { library: "libmissing.so.9" } }); ` +
      `console.log(i.matmul, i.blas); ` +
      `await initBackend("wasm", { matmul: "openblas", blas: { library: "libmissing.so.9" } });`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(fallback.stdout).trim(), "xnnpack null");
  const stderr = new TextDecoder().decode(fallback.stderr);
  assert.match(stderr, /matmuls run on XNNPACK .*cannot open "libmissing\.so\.9"/);
  assert.match(stderr, /Uncaught .*cannot open "libmissing\.so\.9"/);
  assert.equal(fallback.code, 1);
});

Deno.test("wasm Transpose and leading-axes Sum replacements equal cpu", async () => {
  const perms: [number[], number[]][] = [
    [[37, 45], [1, 0]],
    [[2, 3, 4, 5], [2, 0, 1, 3]],
    [[2, 3, 4, 5], [0, 1, 3, 2]],
    [[2, 3, 4, 5], [1, 0, 2, 3]],
    [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 3, 2, 4, 5], [2, 0, 3, 1, 4]],
    [[2, 1, 4, 5], [1, 0, 2, 3]],
    [[2, 3, 4], [2, 1, 0]],
    [[6, 70, 33], [0, 2, 1]],
  ];
  const sums: [number[], number | number[], boolean][] = [
    [[40, 7], 0, false],
    [[3, 5, 7], [0, 1], true],
    [[3, 5, 7], [1, 0], false],
    [[3, 5, 7], 1, false],
    [[3, 5], [0, 1], false],
  ];
  const run = () =>
    tf.tidy(() => ({
      t: perms.map(([s, p], i) =>
        tf.transpose(tf.randomNormal(s, 0, 1, "float32", i + 1), p).arraySync()
      ),
      ti: tf.transpose(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3], "int32"), [0, 2, 1]).arraySync(),
      s: sums.map(([s, ax, kd], i) =>
        tf.sum(tf.randomNormal(s, 0, 1, "float32", 50 + i), ax, kd).arraySync()
      ),
    }));
  const cpu = await on("cpu", run);
  const wasm = await on("wasm", run);
  assert.deepEqual(wasm.t, cpu.t); // copies: bit-identical
  assert.deepEqual(wasm.ti, [[[1, 4], [2, 5], [3, 6]]]);
  // Sums: float32 row accumulation (cpu adds in another order), equal to rounding.
  const flat = (x: unknown): number[] => Array.isArray(x) ? x.flatMap(flat) : [x as number];
  const a = flat(wasm.s), b = flat(cpu.s);
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `sum ${i}: ${v} vs ${b[i]}`));
  await initBackend("wasm");
  // Hand-checked: column sums of [[1, 2], [3, 4], [5, 6]].
  assert.deepEqual(tf.sum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), 0).arraySync(), [9, 12]);
});

Deno.test("readInto copies a tensor into the caller's buffer on wasm and cpu; a wrong size or dtype is named", async () => {
  for (const kind of ["wasm", "cpu"] as const) {
    await initBackend(kind);
    const x = tf.tensor2d([[1.5, -2], [3, 4.25], [5, 6]]);
    const buf = new Float32Array(6).fill(9);
    assert.equal(readInto(x, buf), buf);
    assert.deepEqual([...buf], [1.5, -2, 3, 4.25, 5, 6], kind);
    x.dispose(); // the copy outlives the tensor
    assert.deepEqual([...buf], [1.5, -2, 3, 4.25, 5, 6], kind);
    const i = tf.tensor1d([1, 2], "int32");
    assert.throws(
      () => readInto(i, new Float32Array(2)),
      /float32 tensor of 2 values, got int32 \[2\]/,
    );
    const y = tf.zeros([2, 3]);
    assert.throws(() => readInto(y, new Float32Array(5)), /of 5 values, got float32 \[2,3\]/);
    tf.dispose([i, y]);
  }
});

Deno.test("wasm Identity shares the buffer (no copy per saved tensor); values stay intact", async () => {
  await initBackend("wasm");
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.clone(x);
  assert.equal(y.dataId, x.dataId);
  x.dispose();
  assert.deepEqual(y.arraySync(), [[1, 2], [3, 4]]);
  const z = tf.cast(y, "float32");
  assert.equal(z.dataId, y.dataId);
  const i = tf.cast(y, "int32");
  assert.notEqual(i.dataId, y.dataId);
  assert.deepEqual(i.arraySync(), [[1, 2], [3, 4]]);
  tf.dispose([y, z, i]);
});

Deno.test({
  name: "webgpu AddN over 20 inputs: exact sums, and no stale value on the next call",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("webgpu");
    assert.equal(registerWebGpuAddN(), false); // initBackend installed it
    const sumOf = async (scale: number) => {
      const xs = Array.from({ length: 20 }, (_, i) => tf.tensor1d([i * scale, 1]));
      const s = tf.addN(xs);
      const v = Array.from(await s.data());
      tf.dispose([...xs, s]);
      return v;
    };
    // sum_{i<20} i = 190
    assert.deepEqual(await sumOf(1), [190, 20]);
    assert.deepEqual(await sumOf(2), [380, 20]);
    const few = tf.addN([tf.tensor1d([1]), tf.tensor1d([2]), tf.tensor1d([4])]);
    assert.deepEqual(Array.from(await few.data()), [7]);
    few.dispose();
    await initBackend("wasm");
  },
});
