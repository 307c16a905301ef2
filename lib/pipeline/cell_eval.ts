/**
 * The evaluation stage of a preference cell: greedy pass@1 of the trained policy on the cell's
 * evaluation target (the MiniFlow test split, or a lib/eval benchmark with an optional task
 * subset) and on the MiniFlow validation split, each checked in the sandbox, with the checked
 * completions written to the cell folder.
 *
 * @module
 */
import { join } from "node:path";
import { atomicWrite, toJsonl } from "../core/mod.ts";
import {
  type BenchmarkName,
  BenchmarkRunner,
  type BenchmarkTask,
  evaluateModel,
  loadBenchmark,
} from "../eval/mod.ts";
import type { CodeModel } from "../eval/code_model.ts";
import type { SandboxRunner } from "../miniflow/types.ts";
import { cachedBenchmark } from "./cached_benchmark.ts";
import { PREFERENCE_CELL_FILES } from "./cell_store.ts";
import { evaluateMiniflow, type MiniflowEvalSummary } from "./evaluate_miniflow.ts";
import type { PreferenceCellProgress } from "./preference.ts";
import type { EvalTarget, PreferenceEvalConfig, PreferenceScale } from "./preference_config.ts";

/** Options of {@linkcode evaluateCell}. */
export interface EvaluateCellOptions {
  /** The trained policy as a code model (its name is recorded with the samples). */
  readonly model: CodeModel;
  readonly eval: PreferenceEvalConfig;
  readonly scale: PreferenceScale;
  readonly sandbox: SandboxRunner;
  readonly cellDir: string;
  /** Folder of the shared caches (MiniFlow splits, benchmark reference outputs). */
  readonly cacheDir: string;
  readonly report: (p: PreferenceCellProgress) => void;
}

/** The pass@1 scores of a cell. */
export interface CellEvaluation {
  /** On the evaluation target. */
  readonly test: MiniflowEvalSummary;
  /** On the MiniFlow validation split. */
  readonly validation: MiniflowEvalSummary;
  /** On each of `eval.also`, by target. */
  readonly also: Readonly<Partial<Record<EvalTarget, MiniflowEvalSummary>>>;
}

/** Score the policy on the target, on `eval.also` and on the validation split. */
export async function evaluateCell(o: EvaluateCellOptions): Promise<CellEvaluation> {
  const test = await _target(o, o.eval.target, PREFERENCE_CELL_FILES.evalTest, o.eval.tasks);
  const also: Partial<Record<EvalTarget, MiniflowEvalSummary>> = {};
  for (const target of o.eval.also) {
    also[target] = await _target(o, target, `eval-also-${target}.jsonl`, null);
  }
  const validation = await _miniflowSplit(o, "validation", o.scale.valTasks, {
    file: PREFERENCE_CELL_FILES.evalVal,
    stage: "eval-validation",
  });
  return { test, validation, also };
}

/** pass@1 on one target: the MiniFlow test split or a benchmark's tasks (`ids`, or the first n). */
function _target(
  o: EvaluateCellOptions,
  target: EvalTarget,
  file: string,
  ids: readonly string[] | null,
): Promise<MiniflowEvalSummary> {
  return target === "miniflow"
    ? _miniflowSplit(o, "test", o.scale.testTasks, { file, stage: "eval-test" })
    : _benchmark(o, target, file, ids);
}

/** A display name of a target, for tables and logs. */
export function evalTargetLabel(e: Pick<PreferenceEvalConfig, "target" | "tasks">): string {
  const name = _TARGET_NAMES[e.target];
  return e.tasks === null ? name : `${name} (${e.tasks.length} tasks)`;
}

const _TARGET_NAMES: Readonly<Record<EvalTarget, string>> = {
  miniflow: "MiniFlow test split",
  humaneval: "HumanEval",
  "humaneval+": "HumanEval+",
  mbpp: "MBPP (sanitized)",
  "mbpp-full": "MBPP (full)",
  "mbpp+": "MBPP+",
  "bigcodebench-complete": "BigCodeBench-Complete (Full)",
  "bigcodebench-instruct": "BigCodeBench-Instruct (Full)",
  livecodebench: "LiveCodeBench",
};

async function _miniflowSplit(
  o: EvaluateCellOptions,
  split: "test" | "validation",
  count: number,
  out: { readonly file: string; readonly stage: "eval-test" | "eval-validation" },
): Promise<MiniflowEvalSummary> {
  const tasks = await cachedBenchmark({
    cacheDir: o.cacheDir,
    seed: o.eval.seed,
    split,
    count,
    sandbox: o.sandbox,
  });
  const { stage, file } = out;
  const { summary, samples } = await evaluateMiniflow({
    model: o.model,
    tasks,
    sandbox: o.sandbox,
    maxTokens: o.scale.maxNewTokens,
    batchSize: o.eval.batchSize,
    onProgress: (done, total) => o.report({ stage, done, total }),
  });
  await atomicWrite(join(o.cellDir, file), toJsonl(samples));
  return summary;
}

async function _benchmark(
  o: EvaluateCellOptions,
  name: BenchmarkName,
  file: string,
  ids: readonly string[] | null,
): Promise<MiniflowEvalSummary> {
  const model = o.model;
  const tasks = targetTasks(await loadBenchmark(name), ids, o.scale.testTasks, name);
  const runner = new BenchmarkRunner({ cacheDir: join(o.cacheDir, "eval") });
  try {
    const { summary, samples } = await evaluateModel({
      tasks,
      model,
      runner,
      generation: { n: 1, temperature: 0, topP: 1, maxTokens: o.scale.maxNewTokens },
      batchSize: o.eval.batchSize,
      onProgress: (done, total) => o.report({ stage: "eval-test", done, total }),
    });
    const order = new Map(tasks.map((t, i) => [t.taskId, i]));
    const sorted = [...samples].sort((x, y) => order.get(x.taskId)! - order.get(y.taskId)!);
    await atomicWrite(join(o.cellDir, file), toJsonl(sorted));
    const passed = samples.filter((s) => s.verdict === "pass").length;
    return {
      tasks: summary.tasks,
      passed,
      passAt1: summary.passAtK["pass@1"],
      errors: summary.errors,
    };
  } finally {
    await runner.close();
  }
}

/**
 * The tasks of a benchmark target: those named by `ids` (in their order), or the first `count`.
 * An id the benchmark lacks is an error naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetTasks } from "./cell_eval.ts";
 * const all = [{ taskId: "a" }, { taskId: "b" }, { taskId: "c" }] as never[];
 * assert.deepEqual(targetTasks(all, null, 2, "mbpp").map((t: { taskId: string }) => t.taskId), ["a", "b"]);
 * assert.deepEqual(targetTasks(all, ["c", "a"], 0, "mbpp").map((t: { taskId: string }) => t.taskId), ["c", "a"]);
 * assert.throws(() => targetTasks(all, ["z"], 0, "mbpp"), /eval.tasks: mbpp has no task "z"/);
 * ```
 */
export function targetTasks(
  all: readonly BenchmarkTask[],
  ids: readonly string[] | null,
  count: number,
  name: BenchmarkName,
): BenchmarkTask[] {
  if (ids === null) return all.slice(0, count);
  const byId = new Map(all.map((t) => [t.taskId, t]));
  return ids.map((id) => {
    const task = byId.get(id);
    if (task === undefined) {
      throw new Error(
        `eval.tasks: ${name} has no task ${JSON.stringify(id)} (${all.length} tasks)`,
      );
    }
    return task;
  });
}
