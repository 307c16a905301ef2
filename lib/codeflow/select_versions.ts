/**
 * Choose the (chosen, rejected) versions of a trajectory (DESIGN §1.1).
 *
 * @module
 */
import { itemSeed, mulberry32 } from "../util/rng.ts";
import type { CodeVersion, SelectionRule, Trajectory } from "../core/mod.ts";
import { passVsFailPairs } from "./pass_vs_fail.ts";

/** Options of {@linkcode selectVersions}. */
export interface SelectOptions {
  /**
   * Which failing version becomes `y-`.
   * @default "random"
   */
  readonly rule?: SelectionRule;
  /**
   * Seed of the `random` rule; the draw uses `mulberry32(seed + hash(taskId))`, so it does not
   * depend on the order in which trajectories are processed.
   * @default 0
   */
  readonly seed?: number;
}

/** The selected versions, or why the trajectory gives no pair. */
export type Selection =
  | { readonly kind: "selected"; readonly chosen: CodeVersion; readonly rejected: CodeVersion }
  | { readonly kind: "none"; readonly reason: "never-passed" | "no-failing-version" };

/**
 * `y+` is the final passing version: the last version of the trajectory whose verdict is `pass`.
 * `y-` is one of the versions before it whose verdict is not `pass` (`fail`, `timeout` or
 * `error`): the earliest (`first`), the latest (`last`) or a seeded uniform draw (`random`). A
 * trajectory that never passes, or passes before any failure, gives no pair. `pass-vs-fail` takes
 * the first pair of `passVsFailPairs` (any passing and any failing version, in any order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectVersions } from "./select_versions.ts";
 * const v = (iteration: number, verdict: "pass" | "fail") =>
 *   ({ iteration, code: `v${iteration}`, verdict, passedTests: 0, totalTests: 1 });
 * const t = {
 *   schema: "codeflow.trajectory/v1" as const, taskId: "t", prompt: "", entryPoint: "f", tests: "",
 *   teacher: { kind: "miniflow" as const, model: "miniflow-v1" },
 *   versions: [v(0, "fail"), v(1, "fail"), v(2, "pass")],
 * };
 * const s = selectVersions(t, { rule: "last" });
 * assert.equal(s.kind === "selected" && s.rejected.iteration, 1);
 * assert.equal(s.kind === "selected" && s.chosen.iteration, 2);
 * ```
 */
export function selectVersions(trajectory: Trajectory, options: SelectOptions = {}): Selection {
  const versions = trajectory.versions;
  let chosenAt = -1;
  for (let i = versions.length - 1; i >= 0; i--) {
    if (versions[i].verdict === "pass") {
      chosenAt = i;
      break;
    }
  }
  if (chosenAt < 0) return { kind: "none", reason: "never-passed" };
  const rule = options.rule ?? "random";
  if (rule === "pass-vs-fail") {
    const [pair] = passVsFailPairs(trajectory.taskId, versions, { seed: options.seed ?? 0 });
    return pair === undefined
      ? { kind: "none", reason: "no-failing-version" }
      : { kind: "selected", ...pair };
  }
  const failing = versions.slice(0, chosenAt).filter((v) => v.verdict !== "pass");
  if (failing.length === 0) return { kind: "none", reason: "no-failing-version" };
  let rejected: CodeVersion;
  switch (rule) {
    case "first":
      rejected = failing[0];
      break;
    case "last":
      rejected = failing[failing.length - 1];
      break;
    case "random": {
      const rng = mulberry32(itemSeed(options.seed ?? 0, trajectory.taskId));
      rejected = failing[Math.floor(rng() * failing.length)];
      break;
    }
    default: {
      const never: never = rule;
      throw new TypeError(`unknown selection rule ${JSON.stringify(never)}`);
    }
  }
  return { kind: "selected", chosen: versions[chosenAt], rejected };
}
