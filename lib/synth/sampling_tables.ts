/**
 * The paper's Tables 5 and 6, from a debugging run and a sampling run over the same tasks:
 * the pass rate within the debugging loop's rounds against the pass rate of `k` independent
 * samples (Table 5), and, for the tasks debugging never fixed, the pass rate of N samples for
 * growing N (Table 6). Pass rates of samples are the unbiased pass@k estimate from all `n`
 * samples of a task (Chen et al. 2021), so every `k <= n` is read from one sampling run.
 *
 * @module
 */
import type { Trajectory } from "../core/mod.ts";
import { passAtK } from "../eval/pass_at_k.ts";
import { trajectoryPassed } from "./refine_task.ts";

/** Table 5 and Table 6 of one (debugging, sampling) pair of runs. */
export interface SamplingTables {
  /** Tasks in both runs. */
  readonly tasks: number;
  /** Samples per task of the sampling run (the fewest any task has). */
  readonly samples: number;
  /** Table 5: the debugging loop's pass rate (within its last round) over the shared tasks. */
  readonly debugging: number;
  /** Most teacher calls a debugging trajectory spent (1 + its refinements). */
  readonly debuggingMaxCalls: number;
  /** Mean teacher calls per debugging trajectory. */
  readonly debuggingMeanCalls: number;
  /** Table 5: pass@k of independent samples over the shared tasks, for each asked `k <= samples`. */
  readonly sampling: Readonly<Record<number, number>>;
  /** Tasks debugging never fixed. */
  readonly unfixed: number;
  /** Table 6: pass@N of samples over the tasks debugging never fixed (`NaN` when there are none). */
  readonly unfixedSampling: Readonly<Record<number, number>>;
}

/** Options of {@linkcode samplingTables}. */
export interface SamplingTablesOptions {
  /** `k` of Table 5. @default [5] */
  readonly table5?: readonly number[];
  /** `N` of Table 6. @default [5, 10, 15, 30, 50] */
  readonly table6?: readonly number[];
}

/**
 * Tables 5 and 6 of a debugging run and a sampling run (tasks matched by id; tasks in only one
 * run are left out). Throws naming the task when a `sampling` trajectory is found among the
 * debugging ones or the other way round; `k` above the samples per task are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplingTables } from "./sampling_tables.ts";
 * const v = (iteration: number, verdict: "pass" | "fail") =>
 *   ({ iteration, code: "x", verdict, passedTests: 0, totalTests: 1 });
 * const t = (id: string, verdicts: ("pass" | "fail")[], source?: "sampling") => ({
 *   schema: "codeflow.trajectory/v1" as const, taskId: id, teacher: { kind: "miniflow" as const, model: "m" },
 *   prompt: "", entryPoint: "f", tests: "", versions: verdicts.map((x, i) => v(i, x)),
 *   ...(source ? { source } : {}),
 * });
 * const tables = samplingTables(
 *   [t("a", ["fail", "pass"]), t("b", ["fail", "fail"])],
 *   [t("a", ["pass", "fail"], "sampling"), t("b", ["fail", "pass"], "sampling")],
 *   { table5: [1, 2, 5], table6: [1, 2] },
 * );
 * assert.equal(tables.debugging, 0.5);
 * assert.deepEqual(tables.sampling, { 1: 0.5, 2: 1 }); // no k = 5 with 2 samples
 * assert.deepEqual(tables.unfixedSampling, { 1: 0.5, 2: 1 }); // task b only
 * ```
 */
export function samplingTables(
  debugging: readonly Trajectory[],
  sampling: readonly Trajectory[],
  options: SamplingTablesOptions = {},
): SamplingTables {
  _checkSource(debugging, "debugging");
  _checkSource(sampling, "sampling");
  const samples = new Map(sampling.map((t) => [t.taskId, t]));
  const shared = debugging.filter((t) => samples.has(t.taskId));
  const n = Math.min(...shared.map((t) => samples.get(t.taskId)!.versions.length));
  const rate = (tasks: readonly Trajectory[], k: number) => {
    if (tasks.length === 0) return NaN;
    const total = tasks.reduce((sum, t) => {
      const versions = samples.get(t.taskId)!.versions.slice(0, n);
      return sum + passAtK(n, versions.filter((v) => v.verdict === "pass").length, k);
    }, 0);
    return total / tasks.length;
  };
  const ks = (list: readonly number[]) =>
    list.filter((k) => Number.isInteger(k) && k >= 1 && k <= n);
  const unfixed = shared.filter((t) => !trajectoryPassed(t));
  const calls = shared.map((t) => t.versions.length);
  return {
    tasks: shared.length,
    samples: shared.length === 0 ? 0 : n,
    debugging: shared.length === 0 ? NaN : (shared.length - unfixed.length) / shared.length,
    debuggingMaxCalls: Math.max(0, ...calls),
    debuggingMeanCalls: calls.length === 0 ? NaN : calls.reduce((a, b) => a + b, 0) / calls.length,
    sampling: Object.fromEntries(ks(options.table5 ?? [5]).map((k) => [k, rate(shared, k)])),
    unfixed: unfixed.length,
    unfixedSampling: Object.fromEntries(
      ks(options.table6 ?? [5, 10, 15, 30, 50]).map((k) => [k, rate(unfixed, k)]),
    ),
  };
}

function _checkSource(trajectories: readonly Trajectory[], source: "debugging" | "sampling"): void {
  const other = trajectories.find((t) => (t.source ?? "debugging") !== source);
  if (other !== undefined) {
    throw new Error(
      `samplingTables: task ${other.taskId} is a ${other.source ?? "debugging"} trajectory ` +
        `among the ${source} ones`,
    );
  }
}
