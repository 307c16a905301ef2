/** Shared helpers of the eval tests: whether the public benchmark files can be found. */
import { resolveBenchmarkFile } from "../../lib/eval/data_dir.ts";
import { benchmarkFile } from "../../lib/eval/load_benchmark.ts";
import type { BenchmarkName } from "../../lib/eval/types.ts";

/** True when the data file of `name` is in one of the default data directories. */
export function hasData(name: BenchmarkName): boolean {
  try {
    resolveBenchmarkFile(benchmarkFile(name));
    return true;
  } catch {
    return false;
  }
}
