/**
 * The multithreaded (`threaded-simd`) build of tfjs-backend-wasm under Deno.
 *
 * tfjs 4.22 never picks that build under Deno: its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false
 * whenever `IS_NODE` is (tfjs issue 3830), and forcing the flag fails because Emscripten's
 * Node code path starts its pthread workers with `worker_threads.Worker(blob: URL)`
 * (`ERR_WORKER_PATH`). This module instantiates the same Emscripten factory with what Deno's
 * `node:worker_threads` can run:
 *
 * - the pthread worker script (shipped as a string in `wasm-out/…worker.js`) is written to a
 *   temporary `.cjs` file (it uses `require`), its `"\n"` escapes kept as tfjs' own blob code
 *   keeps them, and its `Object.assign(global, {location, …})` rewritten to define own properties
 *   (Deno's worker scope has a getter-only `location`);
 * - `mainScriptUrlOrBlob` is the absolute path of the Emscripten script, which each worker reads
 *   with `fs.readFileSync`;
 * - the `emscripten_num_logical_cores` import reports `2 * threads` cores, because tfjs' C++
 *   caps its XNNPACK pool at half the logical cores (so 1 thread on a 2-core machine).
 *
 * The workers read both files while the module initialises (Emscripten pre-starts its pool of
 * 8 before it resolves), so the temporary directory is removed right after, and the global
 * `Worker` that Emscripten's Node code path overwrites is restored.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Emscripten module object of the threaded build, as tfjs' `BackendWasm` expects it. */
export interface ThreadedWasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  tfjs?: Record<string, (...a: unknown[]) => unknown>;
  PThread: {
    runningWorkers: { unref(): void }[];
    unusedWorkers: { loaded?: boolean; unref(): void }[];
  };
}

/** Options of {@link loadThreadedWasm}. */
export interface LoadThreadedWasmOptions {
  /** `dist/` directory of the installed tfjs-backend-wasm package (`../wasm-out` holds its scripts). */
  readonly distDir: string;
  /**
   * Directory holding `tfjs-backend-wasm-threaded-simd.wasm`.
   * @default distDir
   */
  readonly wasmDir?: string;
  /** XNNPACK threads (the calling thread included), 2 to 8 (tfjs' own cap). */
  readonly threads: number;
  /**
   * Directory for the short-lived worker script.
   * @default `os.tmpdir()`
   */
  readonly tempDir?: string;
  /**
   * Milliseconds to wait for the module and its pthread workers to start.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
}

type _Factory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;

/**
 * Instantiate tfjs-backend-wasm's threaded-simd build with its tfjs bindings (`module.tfjs`),
 * ready for `new BackendWasm(module)` after `setThreadsCount(threads)`.
 *
 * @throws when SharedArrayBuffer or wasm threads are unavailable, or the module fails to start.
 */
export async function loadThreadedWasm(options: LoadThreadedWasmOptions): Promise<
  ThreadedWasmModule
> {
  const { distDir, threads } = options;
  if (!Number.isInteger(threads) || threads < 2 || threads > 8) {
    throw new Error(`loadThreadedWasm: threads must be an integer in [2, 8], found ${threads}`);
  }
  if (typeof SharedArrayBuffer !== "function") {
    throw new Error("loadThreadedWasm: SharedArrayBuffer is not available");
  }
  const wasmOut = join(distDir, "..", "wasm-out");
  const script = join(wasmOut, "tfjs-backend-wasm-threaded-simd.js");
  const binary = join(options.wasmDir ?? distDir, "tfjs-backend-wasm-threaded-simd.wasm");
  for (const file of [script, binary]) {
    if (!existsSync(file)) throw new Error(`loadThreadedWasm: ${file} does not exist`);
  }
  const require = createRequire(import.meta.url);
  const factory = require(script) as _Factory;
  const { wasmWorkerContents } = require(
    join(wasmOut, "tfjs-backend-wasm-threaded-simd.worker.js"),
  ) as { wasmWorkerContents: string };
  const assign = "Object.assign(global,";
  if (typeof factory !== "function" || !wasmWorkerContents.includes(assign)) {
    throw new Error(
      `loadThreadedWasm: unexpected Emscripten files in ${wasmOut} (another tfjs version?)`,
    );
  }
  const shim = "function __kitAssignGlobals(g,o){for(const k of Object.keys(o))" +
    "Object.defineProperty(g,k,{value:o[k],writable:true,configurable:true,enumerable:true});" +
    "return g}\n";
  const dir = mkdtempSync(join(options.tempDir ?? tmpdir(), "tfjs-wasm-threads-"));
  try {
    const worker = join(dir, "tfjs-backend-wasm-threaded-simd.worker.cjs");
    writeFileSync(
      worker,
      shim + wasmWorkerContents.replace(assign, "__kitAssignGlobals(global,").replace(
        /\n/g,
        "\\n",
      ),
    );
    let patchedCores = 0;
    const savedWorker = Object.getOwnPropertyDescriptor(globalThis, "Worker");
    let timer: ReturnType<typeof setTimeout> | undefined;
    let abort: (reason: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      abort = reject;
      const ms = options.startTimeoutMs ?? 60_000;
      timer = setTimeout(
        () => reject(new Error(`loadThreadedWasm: the module did not start within ${ms} ms`)),
        ms,
      );
    });
    // Emscripten's own messages are kept for the error instead of printed (fallback stays quiet).
    const messages: string[] = [];
    let starting = true;
    const started = factory({
      print: (line: string) => starting ? messages.push(line) : console.log(line),
      printErr: (line: string) => starting ? messages.push(line) : console.error(line),
      onAbort: (what: unknown) =>
        abort(new Error(`loadThreadedWasm: Emscripten aborted: ${what} ${messages.join(" | ")}`)),
      locateFile: (path: string, prefix: string) => {
        if (path.endsWith(".worker.js")) return worker;
        if (path.endsWith(".wasm")) return binary;
        return prefix + path;
      },
      mainScriptUrlOrBlob: script,
      instantiateWasm: (
        imports: Record<string, Record<string, unknown>>,
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) => {
        for (const ns of Object.values(imports)) {
          for (const [key, value] of Object.entries(ns)) {
            if (typeof value === "function" && value.name === "_emscripten_num_logical_cores") {
              ns[key] = () => 2 * threads;
              patchedCores++;
            }
          }
        }
        WebAssembly.instantiate(readFileSync(binary), imports as WebAssembly.Imports).then(
          (r) => receive(r.instance, r.module),
        );
        return {};
      },
    });
    const module = await Promise.race([started, failed]).finally(() => {
      clearTimeout(timer);
      starting = false;
      // Emscripten's Node path sets `global.Worker = worker_threads.Worker`; put Deno's back.
      // Its pool of 8 workers is started by now, and tfjs never runs more than 8 threads.
      if (savedWorker === undefined) delete (globalThis as { Worker?: unknown }).Worker;
      else Object.defineProperty(globalThis, "Worker", savedWorker);
    });
    if (patchedCores !== 1) {
      throw new Error(
        `loadThreadedWasm: found ${patchedCores} emscripten_num_logical_cores imports, expected 1`,
      );
    }
    const notLoaded = module.PThread.unusedWorkers.filter((w) => w.loaded !== true).length;
    if (notLoaded > 0) {
      throw new Error(`loadThreadedWasm: ${notLoaded} pthread workers did not start`);
    }
    module.tfjs = {
      init: module.cwrap("init", null, []),
      initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
      getThreadsCount: module.cwrap("get_threads_count", "number", []),
      registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
      disposeData: module.cwrap("dispose_data", null, ["number"]),
      dispose: module.cwrap("dispose", null, []),
    };
    return module;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
