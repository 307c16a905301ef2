/**
 * MiniFlow evaluation splits built once per (seed, split, count) and cached on disk (building a
 * split runs every reference solution in the sandbox).
 *
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite, toJsonl } from "../core/mod.ts";
import { buildBenchmark, readBenchmarkJsonl } from "../miniflow/mod.ts";
import type { BenchmarkTask, MiniflowSplit, SandboxRunner } from "../miniflow/types.ts";
import { _withCacheLock } from "./_cache_lock.ts";

/** Options of {@linkcode cachedBenchmark}. */
export interface CachedBenchmarkOptions {
  /** Folder of the caches (for example `runs/cache`). */
  readonly cacheDir: string;
  /** MiniFlow seed. */
  readonly seed: number;
  readonly split: MiniflowSplit;
  /** Tasks `0 … count-1` of the split. */
  readonly count: number;
  readonly sandbox: SandboxRunner;
}

/**
 * Tasks `0 … count-1` of a MiniFlow split, read from
 * `<cacheDir>/miniflow-bench-<seed>-<split>-<count>.jsonl` or built (lib/miniflow's
 * `buildBenchmark`) and written there first.
 */
export async function cachedBenchmark(options: CachedBenchmarkOptions): Promise<BenchmarkTask[]> {
  const { cacheDir, seed, split, count } = options;
  if (count === 0) return [];
  const path = join(cacheDir, `miniflow-bench-${seed}-${split}-${count}.jsonl`);
  const exists = async () => {
    try {
      await readFile(path);
      return true;
    } catch {
      return false;
    }
  };
  await mkdir(cacheDir, { recursive: true });
  await _withCacheLock({
    path,
    done: exists,
    build: async () => {
      const tasks = await buildBenchmark({ seed, count, split, sandbox: options.sandbox });
      await atomicWrite(path, toJsonl(tasks));
    },
  });
  return await readBenchmarkJsonl(path);
}
