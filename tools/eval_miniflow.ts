/**
 * The MiniFlow branch of `deno task eval --bench miniflow-test`: greedy pass@1 of a code model on
 * the first tasks of the MiniFlow test split (seed 1, built once into `runs/cache`), by the same
 * `evaluateMiniflow` the studies and notebook 12 use. The samples and the summary are written
 * to the output folder.
 *
 * @module
 */
import { join } from "node:path";
import { atomicWrite } from "../lib/core/mod.ts";
import type { CodeModel } from "../lib/eval/mod.ts";
import { evaluateMiniflow } from "../lib/pipeline/mod.ts";
import { cachedBenchmark } from "../lib/pipeline/cached_benchmark.ts";
import { Sandbox } from "../lib/sandbox/mod.ts";

/** Options of {@linkcode evalMiniflowTest}. */
export interface EvalMiniflowTestOptions {
  readonly model: CodeModel;
  /** Test tasks `0 … tasks-1`. */
  readonly tasks: number;
  readonly maxTokens: number;
  readonly out: string;
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs the evaluation; returns the markdown table it prints. */
export async function evalMiniflowTest(o: EvalMiniflowTestOptions): Promise<string> {
  const sandbox = new Sandbox(o.workers === undefined ? {} : { workers: o.workers });
  try {
    const tasks = await cachedBenchmark({
      cacheDir: join("runs", "cache"),
      seed: 1,
      split: "test",
      count: o.tasks,
      sandbox,
    });
    const { summary, samples } = await evaluateMiniflow({
      model: o.model,
      tasks,
      sandbox,
      maxTokens: o.maxTokens,
      onProgress: o.onProgress,
    });
    await atomicWrite(
      join(o.out, "samples.jsonl"),
      samples.map((s) => JSON.stringify(s)).join("\n") + "\n",
    );
    await atomicWrite(
      join(o.out, "summary.json"),
      JSON.stringify({ ...summary, sandbox: sandbox.isolation }, null, 2) + "\n",
    );
    return [
      "| benchmark | model | tasks | pass@1 |",
      "|---|---|---:|---:|",
      `| MiniFlow test | ${o.model.name} | ${summary.tasks} | ${
        (100 * summary.passAt1).toFixed(1)
      } |`,
      "",
      "| error | count |",
      "|---|---:|",
      ...(summary.errors.length === 0
        ? ["| (none) | 0 |"]
        : summary.errors.map(([e, c]) => `| ${e} | ${c} |`)),
    ].join("\n");
  } finally {
    await sandbox.close();
  }
}
