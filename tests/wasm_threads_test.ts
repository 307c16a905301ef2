import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { initBackend } from "../lib/backend/mod.ts";
import { loadThreadedWasm } from "../lib/backend/_wasm_threads.ts";
import { type WasmThreadsProbe, wasmThreadsProbe } from "./_wasm_threads_probe.ts";

const CHILD = new URL("./_wasm_threads_child.ts", import.meta.url).pathname;

/** Runs the child with `args`; returns its parsed JSON line and its stderr. */
function child(args: string[]): {
  out: WasmThreadsProbe & {
    info: { threads: number; simd: boolean };
    tfjsBackend: string;
    globalWorkerKept: boolean;
  };
  stderr: string;
} {
  const r = spawnSync(Deno.execPath(), ["run", "-A", CHILD, ...args], {
    encoding: "utf8",
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `child exited with ${r.status} (signal ${r.signal}): ${r.stderr}`);
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  return { out: JSON.parse(line), stderr: r.stderr };
}

Deno.test("wasmThreads 2 runs XNNPACK on 2 threads with results bit-identical to 1 thread", async () => {
  await initBackend("wasm");
  const single = wasmThreadsProbe();
  assert.deepEqual(single.small, [[3, 2], [7, 4]]);
  assert.deepEqual(single.smallTransposed, [[4, 3], [6, 4]]);
  const { out, stderr } = child(["--threads", "2"]);
  assert.equal(out.info.threads, 2);
  assert.equal(out.info.simd, true);
  assert.equal(out.tfjsBackend, "wasm");
  assert.equal(out.globalWorkerKept, true); // Emscripten's `global.Worker = …` is undone
  assert.equal(stderr.includes("single-threaded"), false, stderr);
  assert.deepEqual(out.small, [[3, 2], [7, 4]]);
  assert.deepEqual(out.smallTransposed, [[4, 3], [6, 4]]);
  // Threads split the output rows; every element keeps its summation order.
  assert.deepEqual(out.large, single.large);
  assert.deepEqual(out.batched, single.batched);
});

Deno.test("wasmThreads falls back to one thread with a one-line warning when the build is missing", () => {
  const dist = new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).pathname;
  const dir = mkdtempSync(join(tmpdir(), "wasm-no-threads-"));
  try {
    for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]) {
      copyFileSync(join(dist, f), join(dir, f));
    }
    const { out, stderr } = child(["--threads", "2", "--wasm-dir", dir]);
    assert.equal(out.info.threads, 1);
    assert.deepEqual(out.small, [[3, 2], [7, 4]]);
    const warnings = stderr.split("\n").filter((l) => l.includes("initBackend(wasm)"));
    assert.equal(warnings.length, 1, stderr);
    assert.match(
      warnings[0],
      /^initBackend\(wasm\): 2 threads unavailable, running single-threaded: /,
    );
    assert.match(warnings[0], /tfjs-backend-wasm-threaded-simd\.wasm/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("loadThreadedWasm names a bad thread count", async () => {
  await assert.rejects(
    loadThreadedWasm({ distDir: "/nonexistent", threads: 1 }),
    /threads must be an integer in \[2, 8\], found 1/,
  );
});

Deno.test("a later initBackend(wasm) asking for another thread count fails naming both", async () => {
  await initBackend("wasm"); // this process: the first call used the default, 1 thread
  assert.equal((await initBackend("wasm", { wasmThreads: 1 })).threads, 1);
  await assert.rejects(
    initBackend("wasm", { wasmThreads: 2 }),
    /wasmThreads 2 requested, but this process's wasm backend was initialised with wasmThreads 1/,
  );
});
