/**
 * Trajectory plans: which bugs a MiniFlow task starts with. A share of tasks starts correct,
 * a share is fixable within the refinement budget (1–3 bugs), and a share is hard (more bugs
 * than the budget, or one bug the debugger cannot find), so that pass rates at iteration 0 and
 * after the last refinement are calibrated (the paper reports 36.7% and 67.5%).
 *
 * @module
 */
import { Random } from "./_random.ts";
import { verifyMutants } from "./verify_mutants.ts";
import type { BugClass, MiniflowTask, SandboxRunner, VerifiedBug } from "./types.ts";

/** How a trajectory is meant to go. */
export type TrajectoryCategory = "correct" | "fixable" | "hard";

/** Why a hard trajectory cannot be fixed in time. */
export type HardKind = "too-many-bugs" | "stubborn";

/** Calibration of trajectory plans. */
export interface PlanConfig {
  /** Seed of the plans (category offsets and bug draws). @default 0 */
  readonly seed: number;
  /** Share of tasks that start correct (pass at iteration 0). @default 0.35 */
  readonly correctFraction: number;
  /** Share of tasks that cannot be fixed within `maxRefinements`. @default 0.325 */
  readonly hardFraction: number;
  /** Relative weights of starting with 1, 2 or 3 bugs. @default [0.5, 0.3, 0.2] */
  readonly bugCountWeights: readonly [number, number, number];
  /** Refinement budget of the loop (DESIGN §1.1). @default 5 */
  readonly maxRefinements: number;
  /**
   * Relative weight of drawing a bug of each class (absent classes weigh 1). Every reference
   * ends in a `return` line, so without down-weighting a quarter of the bugs would sit on it.
   * @default { "missing-return": 0.25, "wrong-return": 0.5 }
   */
  readonly bugClassWeights: Readonly<Partial<Record<BugClass, number>>>;
  /** Candidate bug sets checked per task (the first whose every subset fails wins). @default 4 */
  readonly candidates: number;
  /** Tasks packed into one sandbox run. @default 50 */
  readonly tasksPerRun: number;
}

/** Defaults of {@link PlanConfig}. */
export const DEFAULT_PLAN_CONFIG: PlanConfig = {
  seed: 0,
  correctFraction: 0.35,
  hardFraction: 0.325,
  bugCountWeights: [0.5, 0.3, 0.2],
  bugClassWeights: { "missing-return": 0.25, "wrong-return": 0.5 },
  maxRefinements: 5,
  candidates: 4,
  tasksPerRun: 50,
};

/** The bugs a task starts with. */
export interface TrajectoryPlan {
  readonly taskId: string;
  /** Category actually realised (a task without any verified bug falls back to `correct`). */
  readonly category: TrajectoryCategory;
  /** Category drawn before looking at the task's bugs. */
  readonly intended: TrajectoryCategory;
  readonly hardKind?: HardKind;
  /** Injected bugs in line order; every non-empty subset fails at least one test. */
  readonly bugs: readonly VerifiedBug[];
  /** Site of the bug the debugger cannot find (`stubborn` plans). */
  readonly stubbornSite?: number;
}

const _GOLDEN = 0.6180339887498949;

/**
 * Category of task `index`: a low-discrepancy sequence `frac(offset + (index + 1) * phi)`
 * cut at `correctFraction` and `correctFraction + hardFraction`, so that any run of
 * consecutive indexes realises the fractions to within O(log n / n).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PLAN_CONFIG, intendedCategory } from "./plan.ts";
 * const n = 1000;
 * const correct = Array.from({ length: n }, (_, i) => intendedCategory(i, DEFAULT_PLAN_CONFIG))
 *   .filter((c) => c === "correct").length;
 * assert.ok(Math.abs(correct / n - 0.35) < 0.01);
 * ```
 */
export function intendedCategory(index: number, config: PlanConfig): TrajectoryCategory {
  const offset = Random.forItem(config.seed, "miniflow-plan-offset").float();
  const u = (offset + (index + 1) * _GOLDEN) % 1;
  if (u < config.correctFraction) return "correct";
  return u < config.correctFraction + config.hardFraction ? "hard" : "fixable";
}

function _bugCount(rng: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.float() * total;
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k];
    if (u < 0) return k + 1;
  }
  return weights.length;
}

/**
 * Up to `k` verified bugs on distinct lines, drawn without replacement with probability
 * proportional to their class weight (exponential keys), returned in line order.
 */
function _distinctLines(
  rng: Random,
  bugs: readonly VerifiedBug[],
  k: number,
  weights: PlanConfig["bugClassWeights"],
): VerifiedBug[] {
  const keyed = bugs
    .map((bug) => ({ bug, key: -Math.log(1 - rng.float()) / (weights[bug.bugClass] ?? 1) }))
    .filter((b) => Number.isFinite(b.key))
    .sort((a, b) => a.key - b.key);
  const picked: VerifiedBug[] = [];
  for (const { bug } of keyed) {
    if (picked.length === k) break;
    if (!picked.some((b) => b.line === bug.line)) picked.push(bug);
  }
  return picked.sort((a, b) => a.line - b.line || a.site - b.site);
}

/**
 * A fresh bug set for an independent attempt at `task`: 1–3 bugs (by `bugCountWeights`) on
 * distinct lines, drawn by class weight. Unlike a plan's, the set is not checked in the sandbox
 * (the sample's run decides whether it fails).
 */
export function drawBugs(
  rng: Random,
  task: MiniflowTask,
  config: Pick<PlanConfig, "bugCountWeights" | "bugClassWeights">,
): VerifiedBug[] {
  return _distinctLines(
    rng,
    task.bugs,
    _bugCount(rng, config.bugCountWeights),
    config.bugClassWeights,
  );
}

function _subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    out.push(items.filter((_, i) => (mask >> i) & 1));
  }
  return out;
}

/**
 * Plan the starting bugs of each task. Candidate bug sets are checked in the sandbox: a set is
 * used only if every non-empty subset of it fails at least one test, so no removal order can
 * pass early by bugs masking each other.
 */
export async function planTrajectories(
  tasks: readonly MiniflowTask[],
  sandbox: SandboxRunner,
  config: PlanConfig = DEFAULT_PLAN_CONFIG,
): Promise<TrajectoryPlan[]> {
  const drafts = tasks.map((task) => {
    const rng = Random.forItem(config.seed, `${task.taskId}#plan`);
    const intended = intendedCategory(task.index, config);
    const distinct = new Set(task.bugs.map((b) => b.line)).size;
    let k = 0;
    if (intended !== "correct") k = _bugCount(rng, config.bugCountWeights);
    if (intended === "hard") {
      if (distinct > config.maxRefinements && rng.chance(0.5)) k = config.maxRefinements + 1;
    }
    const candidates = k === 0 || task.bugs.length === 0 ? [] : Array.from(
      { length: config.candidates },
      () => _distinctLines(rng, task.bugs, k, config.bugClassWeights),
    ).filter((c) => c.length > 0);
    return { task, rng, intended, candidates };
  });
  const queries = drafts.map((d) => ({
    spec: d.task,
    cases: d.task.cases,
    mutants: d.candidates.flatMap((c) => _subsets(c)),
  }));
  const kills = await verifyMutants(queries, { sandbox, tasksPerRun: config.tasksPerRun });
  return drafts.map((d, i) => {
    const { task, intended } = d;
    if (d.candidates.length === 0) {
      return { taskId: task.taskId, category: "correct", intended, bugs: [] };
    }
    let offset = 0;
    let bugs: VerifiedBug[] = [d.candidates[0][0]];
    for (const candidate of d.candidates) {
      const n = (1 << candidate.length) - 1;
      if (kills[i].slice(offset, offset + n).every(Boolean)) {
        bugs = candidate;
        break;
      }
      offset += n;
    }
    if (intended === "fixable") return { taskId: task.taskId, category: "fixable", intended, bugs };
    const hardKind: HardKind = bugs.length > config.maxRefinements ? "too-many-bugs" : "stubborn";
    return {
      taskId: task.taskId,
      category: "hard",
      intended,
      hardKind,
      bugs,
      ...(hardKind === "stubborn" ? { stubbornSite: d.rng.pick(bugs).site } : {}),
    };
  });
}
