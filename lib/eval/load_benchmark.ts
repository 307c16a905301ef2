/**
 * One entry point for every benchmark loader.
 *
 * @module
 */
import type { DataDirOptions } from "./data_dir.ts";
import { HUMANEVAL_FILE, readHumanEval } from "./load_humaneval.ts";
import {
  MBPP_FULL_FILE,
  MBPP_SANITIZED_FILE,
  readMbppFull,
  readMbppSanitized,
} from "./load_mbpp.ts";
import {
  HUMANEVAL_PLUS_FILE,
  MBPP_PLUS_FILE,
  readHumanEvalPlus,
  readMbppPlus,
} from "./load_evalplus.ts";
import { BIGCODEBENCH_FILE, readBigCodeBench } from "./load_bigcodebench.ts";
import { type LcbWindow, LIVECODEBENCH_DIR, readLiveCodeBenchTasks } from "./load_livecodebench.ts";
import { resolveBenchmarkFile } from "./data_dir.ts";
import type { BenchmarkName, BenchmarkTask } from "./types.ts";

/**
 * Data file of a benchmark, relative to a data directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { benchmarkFile } from "./load_benchmark.ts";
 * assert.equal(benchmarkFile("mbpp+"), "evalplus/MbppPlus.jsonl.gz");
 * ```
 */
export function benchmarkFile(name: BenchmarkName): string {
  switch (name) {
    case "humaneval":
      return HUMANEVAL_FILE;
    case "humaneval+":
      return HUMANEVAL_PLUS_FILE;
    case "mbpp":
      return MBPP_SANITIZED_FILE;
    case "mbpp-full":
      return MBPP_FULL_FILE;
    case "mbpp+":
      return MBPP_PLUS_FILE;
    case "bigcodebench-complete":
    case "bigcodebench-instruct":
      return BIGCODEBENCH_FILE;
    case "livecodebench":
      return LIVECODEBENCH_DIR;
    default: {
      const never: never = name;
      throw new Error(`unknown benchmark ${String(never)}`);
    }
  }
}

/**
 * Stream the tasks of a benchmark file at `path` (for LiveCodeBench, a release file or folder,
 * within `window`).
 */
export function readBenchmark(
  name: BenchmarkName,
  path: string,
  window: LcbWindow = {},
): AsyncGenerator<BenchmarkTask> {
  switch (name) {
    case "humaneval":
      return readHumanEval(path);
    case "humaneval+":
      return readHumanEvalPlus(path);
    case "mbpp":
      return readMbppSanitized(path);
    case "mbpp-full":
      return readMbppFull(path);
    case "mbpp+":
      return readMbppPlus(path);
    case "bigcodebench-complete":
      return readBigCodeBench(path, "complete");
    case "bigcodebench-instruct":
      return readBigCodeBench(path, "instruct");
    case "livecodebench":
      return readLiveCodeBenchTasks(path, window);
    default: {
      const never: never = name;
      throw new Error(`unknown benchmark ${String(never)}`);
    }
  }
}

/** Load every task of a benchmark from the resolved data directory. */
export async function loadBenchmark(
  name: BenchmarkName,
  options: DataDirOptions & { readonly window?: LcbWindow } = {},
): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(
    readBenchmark(name, resolveBenchmarkFile(benchmarkFile(name), options), options.window),
  );
}
