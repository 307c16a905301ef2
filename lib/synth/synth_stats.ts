/**
 * Statistics of a synthesis run, computed from its files alone (so a resumed run reports the
 * same numbers as an uninterrupted one): pass rate by iteration (the paper's Figure 6), the filter
 * funnel, diff sizes and error types at iteration 0.
 *
 * @module
 */
import type { Pair, TeacherId, Trajectory, TrajectorySource } from "../core/mod.ts";
import { firstPassIteration, MALFORMED_ANSWER, trajectoryPassed } from "./refine_task.ts";
import type { TestQuality } from "./types.ts";

/** A task that produced no trajectory (its proposal was malformed or its tests were rejected). */
export interface SkipRecord {
  readonly schema: "synth.skip/v1";
  readonly index: number;
  /** The teacher's task id, or `#<index>` when the teacher cannot name it without proposing. */
  readonly taskId: string;
  readonly reason: string;
}

/** A passing trajectory whose pair was dropped, with the first reason (filter name or policy). */
export interface PairDropRecord {
  readonly schema: "synth.pair-drop/v1";
  readonly taskId: string;
  /** A {@linkcode FilterName} such as `"judge"`, or another stage's reason (`"empty-rejected"`). */
  readonly reason: string;
  /** Human-readable detail (for example the judge's malformed answer). */
  readonly detail?: string;
  /** The pair as built, when one was built before the drop. */
  readonly pair?: Pair;
}

/** A task's tests as the test-quality judge scored them (`test_quality.jsonl`). */
export interface TestQualityRecord extends TestQuality {
  readonly schema: "synth.test-quality/v1";
  readonly taskId: string;
}

/** One session of a run (`sessions.jsonl`), appended when the session ends. */
export interface SessionRecord {
  readonly schema: "synth.session/v1";
  readonly startedAt: string;
  /** Seconds from the session's start to its end. */
  readonly wallS: number;
  /** Tasks this session processed. */
  readonly processed: number;
}

/** A model call's answer as the OpenAI teacher logs it (`requests.jsonl`, responses only). */
export interface ResponseRecord {
  readonly schema: "synth.response/v1";
  readonly ok: boolean;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/** Diff-size histogram buckets of `|D-|` and `|D+|`, in lines. */
export const DIFF_SIZE_BUCKETS = ["0", "1", "2", "3", "4", "5", "6-10", "11-20", ">20"] as const;

/** One bucket label of {@linkcode DIFF_SIZE_BUCKETS}. */
export type DiffSizeBucket = (typeof DIFF_SIZE_BUCKETS)[number];

/** Bucket of a diff size in lines. */
export function diffSizeBucket(lines: number): DiffSizeBucket {
  if (lines <= 5) return String(lines) as DiffSizeBucket;
  if (lines <= 10) return "6-10";
  if (lines <= 20) return "11-20";
  return ">20";
}

/** The statistics written to `stats.json`. */
export interface SynthStats {
  readonly schema: "synth.stats/v1";
  /** Teachers seen in the trajectories (one per run unless files were mixed). */
  readonly teachers: readonly TeacherId[];
  /** Where the trajectories' versions come from (`debugging` when there are none). */
  readonly source: TrajectorySource;
  /** Tasks that ended: trajectories + skipped. */
  readonly tasksFinished: number;
  readonly skipped: number;
  readonly trajectories: number;
  readonly passing: number;
  /** Failing trajectories (discarded after the last refinement). */
  readonly discarded: number;
  /**
   * `passRateByIteration[i]`: fraction of trajectories whose first passing version has iteration
   * ≤ i (cumulative; Figure 6 of the paper); in a sampling run, the fraction of tasks solved within
   * `i + 1` samples. Length `maxRefinements + 1`.
   */
  readonly passRateByIteration: readonly number[];
  /** The counts behind {@linkcode SynthStats.passRateByIteration}. */
  readonly passCountByIteration: readonly number[];
  /** Versions whose teacher answer was malformed. */
  readonly malformedAnswers: number;
  readonly funnel: {
    readonly trajectories: number;
    readonly passing: number;
    /** Passing trajectories with at least one failing earlier version with code. */
    readonly withFailingVersion: number;
    /** Pairs surviving the rule filters (and any non-judge drop). */
    readonly afterRules: number;
    /** Pairs surviving the judge too: the pairs in `pairs.jsonl`. */
    readonly afterJudge: number;
    /** Dropped pairs per first failing filter or drop reason. */
    readonly drops: Readonly<Record<string, number>>;
  };
  /** `|D-|` and `|D+|` histograms over every pair built (kept or dropped by a filter). */
  readonly diffSizes: {
    readonly rejected: Readonly<Record<DiffSizeBucket, number>>;
    readonly chosen: Readonly<Record<DiffSizeBucket, number>>;
  };
  /** Error types of failing iteration-0 versions. */
  readonly errorTypesAtIteration0: Readonly<Record<string, number>>;
  /** What the kept pairs cost to annotate (the paper's Appendix C.6). */
  readonly cost: AnnotationCost;
}

/**
 * The annotation cost of a run: teacher calls (task proposals, refinements or samples, pair and
 * test judgements), tokens (OpenAI teachers), sandbox runs of candidate code and wall time, in
 * total and per kept pair (`null` when no pair was kept). Wall time sums the sessions that ended
 * (a killed session's time is not known); MiniFlow's own task verification is not counted.
 */
export interface AnnotationCost {
  readonly teacherCalls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly sandboxRuns: number;
  readonly wallS: number;
  readonly keptPairs: number;
  readonly perPair: {
    readonly teacherCalls: number;
    readonly tokens: number;
    readonly sandboxRuns: number;
    readonly wallS: number;
  } | null;
}

/** Inputs of {@linkcode computeSynthStats}. */
export interface SynthRecords {
  readonly trajectories: readonly Trajectory[];
  readonly pairs: readonly Pair[];
  readonly drops: readonly PairDropRecord[];
  readonly skips: readonly SkipRecord[];
  /** Refinement iterations after iteration 0 (samples - 1 for a sampling run). @default 5 */
  readonly maxRefinements?: number;
  /** @default [] */
  readonly testQuality?: readonly TestQualityRecord[];
  /** @default [] */
  readonly sessions?: readonly SessionRecord[];
  /** @default [] (a MiniFlow run logs no requests) */
  readonly responses?: readonly ResponseRecord[];
}

/** `true` when the version failed in the sandbox and carries code (a rejected candidate). */
export function isFailingCode(v: Trajectory["versions"][number]): boolean {
  return v.verdict !== "pass" && v.errorType !== MALFORMED_ANSWER && v.code !== "";
}

function _emptyHist(): Record<DiffSizeBucket, number> {
  return Object.fromEntries(DIFF_SIZE_BUCKETS.map((b) => [b, 0])) as Record<
    DiffSizeBucket,
    number
  >;
}

/**
 * Compute the statistics of a run from its records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeSynthStats } from "./synth_stats.ts";
 * const teacher = { kind: "miniflow", model: "m" } as const;
 * const v = (iteration: number, verdict: "pass" | "fail") =>
 *   ({ iteration, code: "x\n", verdict, passedTests: 0, totalTests: 1 });
 * const t = (id: string, versions: ReturnType<typeof v>[]) => ({
 *   schema: "codeflow.trajectory/v1", taskId: id, teacher, prompt: "", entryPoint: "f",
 *   tests: "", versions,
 * } as const);
 * const s = computeSynthStats({
 *   trajectories: [t("a", [v(0, "pass")]), t("b", [v(0, "fail"), v(1, "pass")])],
 *   pairs: [], drops: [], skips: [], maxRefinements: 2,
 * });
 * assert.deepEqual(s.passRateByIteration, [0.5, 1, 1]);
 * ```
 */
export function computeSynthStats(records: SynthRecords): SynthStats {
  const maxRefinements = records.maxRefinements ?? 5;
  const passCount = new Array<number>(maxRefinements + 1).fill(0);
  const errorTypes: Record<string, number> = {};
  const teachers = new Map<string, TeacherId>();
  let passing = 0, withFailing = 0, malformed = 0;
  for (const t of records.trajectories) {
    teachers.set(JSON.stringify(t.teacher), t.teacher);
    for (const v of t.versions) if (v.errorType === MALFORMED_ANSWER) malformed++;
    const v0 = t.versions[0];
    if (v0 !== undefined && v0.verdict !== "pass") {
      const key = v0.errorType ?? v0.verdict;
      errorTypes[key] = (errorTypes[key] ?? 0) + 1;
    }
    if (!trajectoryPassed(t)) continue;
    passing++;
    const at = firstPassIteration(t);
    for (let i = Math.max(0, at); i <= maxRefinements; i++) passCount[i]++;
    if (t.versions.some(isFailingCode)) withFailing++;
  }
  const n = records.trajectories.length;
  const drops: Record<string, number> = {};
  let judgeDrops = 0;
  const rejected = _emptyHist(), chosen = _emptyHist();
  for (const d of records.drops) {
    drops[d.reason] = (drops[d.reason] ?? 0) + 1;
    if (d.reason === "judge") judgeDrops++;
    if (d.pair) {
      rejected[diffSizeBucket(d.pair.diff.rejectedLines.length)]++;
      chosen[diffSizeBucket(d.pair.diff.chosenLines.length)]++;
    }
  }
  for (const p of records.pairs) {
    rejected[diffSizeBucket(p.diff.rejectedLines.length)]++;
    chosen[diffSizeBucket(p.diff.chosenLines.length)]++;
  }
  const sortedErrors = Object.fromEntries(
    Object.entries(errorTypes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
  return {
    schema: "synth.stats/v1",
    teachers: [...teachers.values()],
    source: records.trajectories[0]?.source ?? "debugging",
    tasksFinished: n + records.skips.length,
    skipped: records.skips.length,
    trajectories: n,
    passing,
    discarded: n - passing,
    passRateByIteration: passCount.map((c) => (n === 0 ? 0 : c / n)),
    passCountByIteration: passCount,
    malformedAnswers: malformed,
    funnel: {
      trajectories: n,
      passing,
      withFailingVersion: withFailing,
      afterRules: records.pairs.length + judgeDrops,
      afterJudge: records.pairs.length,
      drops,
    },
    diffSizes: { rejected, chosen },
    errorTypesAtIteration0: sortedErrors,
    cost: annotationCost(records),
  };
}

/**
 * The annotation cost of a run's records. Every version is one teacher call (iteration 0 comes
 * with the task's proposal), as is every skipped task's proposal, every judged pair and every
 * test-quality judgement; every version with code is one sandbox run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotationCost } from "./synth_stats.ts";
 * const v = (iteration: number, verdict: "pass" | "fail") =>
 *   ({ iteration, code: "x\n", verdict, passedTests: 0, totalTests: 1 });
 * const cost = annotationCost({
 *   trajectories: [{
 *     schema: "codeflow.trajectory/v1", taskId: "a", teacher: { kind: "miniflow", model: "m" },
 *     prompt: "", entryPoint: "f", tests: "", versions: [v(0, "fail"), v(1, "pass")],
 *   }],
 *   pairs: [{ filters: { judge: true } } as never], drops: [], skips: [],
 *   sessions: [{ schema: "synth.session/v1", startedAt: "", wallS: 4, processed: 1 }],
 * });
 * assert.deepEqual(cost.perPair, { teacherCalls: 3, tokens: 0, sandboxRuns: 2, wallS: 4 });
 * ```
 */
export function annotationCost(records: SynthRecords): AnnotationCost {
  let teacherCalls = records.skips.length + (records.testQuality?.length ?? 0);
  let sandboxRuns = 0;
  for (const t of records.trajectories) {
    teacherCalls += t.versions.length;
    sandboxRuns += t.versions.filter((v) => v.errorType !== MALFORMED_ANSWER).length;
  }
  const judged = [...records.pairs, ...records.drops.flatMap((d) => d.pair ? [d.pair] : [])]
    .filter((p) => p.filters.judge !== undefined).length;
  teacherCalls += judged;
  let promptTokens = 0, completionTokens = 0;
  for (const r of records.responses ?? []) {
    promptTokens += r.promptTokens ?? 0;
    completionTokens += r.completionTokens ?? 0;
  }
  const wallS = (records.sessions ?? []).reduce((a, s) => a + s.wallS, 0);
  const kept = records.pairs.length;
  return {
    teacherCalls,
    promptTokens,
    completionTokens,
    sandboxRuns,
    wallS,
    keptPairs: kept,
    perPair: kept === 0 ? null : {
      teacherCalls: teacherCalls / kept,
      tokens: (promptTokens + completionTokens) / kept,
      sandboxRuns: sandboxRuns / kept,
      wallS: wallS / kept,
    },
  };
}

function _pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/**
 * A plain-text summary table of the statistics (for stdout).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeSynthStats, formatSynthStats } from "./synth_stats.ts";
 * const s = computeSynthStats({ trajectories: [], pairs: [], drops: [], skips: [] });
 * assert.match(formatSynthStats(s), /trajectories\s+0/);
 * ```
 */
export function formatSynthStats(stats: SynthStats): string {
  const rows: [string, string][] = [];
  const teacherNames = stats.teachers.map((t) => `${t.kind}:${t.model}`).join(", ") || "-";
  rows.push(["teacher", teacherNames]);
  rows.push(["tasks finished", String(stats.tasksFinished)]);
  rows.push(["skipped (no trajectory)", String(stats.skipped)]);
  rows.push(["trajectories", String(stats.trajectories)]);
  rows.push(["passing", String(stats.passing)]);
  rows.push(["discarded (still failing)", String(stats.discarded)]);
  rows.push(["malformed answers", String(stats.malformedAnswers)]);
  const within = (i: number) =>
    stats.source === "sampling"
      ? `pass rate within ${i + 1} samples`
      : `pass rate by iteration ${i}`;
  stats.passRateByIteration.forEach((r, i) =>
    rows.push([within(i), `${_pct(r)} (${stats.passCountByIteration[i]})`])
  );
  const f = stats.funnel;
  rows.push(["funnel: trajectories", String(f.trajectories)]);
  rows.push(["funnel: passing", String(f.passing)]);
  rows.push(["funnel: with failing version", String(f.withFailingVersion)]);
  rows.push(["funnel: after rules", String(f.afterRules)]);
  rows.push(["funnel: after judge (pairs)", String(f.afterJudge)]);
  for (const [reason, count] of Object.entries(f.drops).sort()) {
    rows.push([`  dropped by ${reason}`, String(count)]);
  }
  const hist = (h: Readonly<Record<string, number>>) =>
    Object.entries(h).filter(([, c]) => c > 0).map(([b, c]) => `${b}:${c}`).join(" ") || "-";
  rows.push(["|D-| histogram", hist(stats.diffSizes.rejected)]);
  rows.push(["|D+| histogram", hist(stats.diffSizes.chosen)]);
  rows.push(["error types at iteration 0", hist(stats.errorTypesAtIteration0)]);
  const c = stats.cost;
  const per = (x: number | undefined, digits: number) =>
    x === undefined ? "no kept pair" : `${x.toFixed(digits)} per kept pair`;
  rows.push(["cost: teacher calls", `${c.teacherCalls} (${per(c.perPair?.teacherCalls, 2)})`]);
  rows.push([
    "cost: tokens",
    `${c.promptTokens + c.completionTokens} (${per(c.perPair?.tokens, 0)})`,
  ]);
  rows.push(["cost: sandbox runs", `${c.sandboxRuns} (${per(c.perPair?.sandboxRuns, 2)})`]);
  rows.push(["cost: wall time", `${c.wallS.toFixed(1)} s (${per(c.perPair?.wallS, 3)})`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}
