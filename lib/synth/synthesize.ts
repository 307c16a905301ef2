/**
 * A synthesis run: propose → refinement loop → trajectory → pair, over task indexes
 * `[0, tasks)`, appended to JSONL files in `outDir` as tasks finish, and resumable after a kill.
 *
 * Files of a run (see {@linkcode SYNTH_FILES}): `trajectories.jsonl` (every finished trajectory,
 * passing or not), `pairs.jsonl` (kept pairs), `pair_drops.jsonl` (dropped pairs with the reason),
 * `skipped.jsonl` (tasks without a trajectory), `stats.json`. For one task the trajectory is
 * written first and its pair decision second; a restart skips tasks whose trajectory exists and
 * redoes the pair decision of passing trajectories that have none, so a kill loses at most the
 * tasks in flight and never duplicates a record.
 *
 * @module
 */
import { join } from "node:path";
import {
  atomicWrite,
  JsonlAppender,
  lockFolder,
  type Pair,
  readJsonl,
  readJsonlFile,
  toJsonl,
  type Trajectory,
} from "../core/mod.ts";
import { readPairs, readTrajectories, resumeJsonl } from "../codeflow/mod.ts";
import { type CodeRunner, MALFORMED_ANSWER, refineTask, trajectoryPassed } from "./refine_task.ts";
import { sampleTask } from "./sample_task.ts";
import {
  type CoverageRecord,
  type CoverageRunner,
  lowCoverage,
  measureCoverage,
} from "./test_coverage.ts";
import {
  computeSynthStats,
  isFailingCode,
  type PairDropRecord,
  type ResponseRecord,
  type SessionRecord,
  type SkipRecord,
  type SynthStats,
  type TestQualityRecord,
} from "./synth_stats.ts";
import type { FeedbackLimits } from "./feedback.ts";
import type {
  BatchPreparer,
  PairJudge,
  Sampler,
  TaskIdentity,
  Teacher,
  TeacherTask,
  TestJudge,
} from "./types.ts";

/** File names inside a run folder. */
export const SYNTH_FILES = Object.freeze({
  trajectories: "trajectories.jsonl",
  pairs: "pairs.jsonl",
  drops: "pair_drops.jsonl",
  skips: "skipped.jsonl",
  stats: "stats.json",
  requests: "requests.jsonl",
  testQuality: "test_quality.jsonl",
  sessions: "sessions.jsonl",
  coverage: "coverage.jsonl",
});

/** What a pair builder decided for one passing trajectory. */
export type PairOutcome =
  | { readonly kind: "pair"; readonly pair: Pair }
  | {
    readonly kind: "drop";
    readonly reason: string;
    readonly detail?: string;
    readonly pair?: Pair;
  };

/**
 * Builds the pair of a passing trajectory with at least one failing version (selection, diff,
 * masks, rule filters): lib/codeflow's pair building behind {@linkcode codeflowPairBuilder}.
 */
export type PairBuilder = (trajectory: Trajectory) => Promise<PairOutcome>;

/** Progress of a run, reported after each finished task. */
export interface SynthProgress {
  /** Tasks finished, those skipped on resume included. */
  readonly done: number;
  readonly total: number;
  /** Tasks found finished when the run started. */
  readonly resumed: number;
  readonly passing: number;
  readonly pairs: number;
  readonly inFlight: number;
}

/** Options of {@linkcode synthesize}. */
export interface SynthesizeOptions {
  readonly teacher: Teacher & Partial<TaskIdentity> & Partial<BatchPreparer> & Partial<Sampler>;
  readonly runner: CodeRunner;
  readonly outDir: string;
  /**
   * The run's record in `config.json`: `data` holds the settings that define the records (teacher,
   * seed, selection rule, diff method, …), written by the first run and checked on every resume,
   * which fails naming each setting that differs (the records would otherwise mix two configs);
   * `info` (commit, isolation, …) is rewritten by each session.
   * @default {undefined: no config.json}
   */
  readonly config?: {
    readonly data: Readonly<Record<string, unknown>>;
    readonly info?: Readonly<Record<string, unknown>>;
  };
  /** Task indexes `[firstIndex, firstIndex + tasks)` are synthesised. */
  readonly tasks: number;
  /** @default 0 */
  readonly firstIndex?: number;
  /** Tasks in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Indexes per `teacher.prepare` call, for teachers that prepare in batches. @default 32 */
  readonly prepareBatch?: number;
  /** Refinement iterations after iteration 0. @default 5 */
  readonly maxRefinements?: number;
  /**
   * Sample each task this many times instead of debugging it (the pass-rate baselines' data
   * source; the teacher must be a {@linkcode Sampler}): trajectories are `sampling` ones and
   * `maxRefinements` is not used.
   * @default {undefined: debugging}
   */
  readonly samples?: number;
  /**
   * Stop taking new tasks once the run folder holds this many kept pairs (tasks in flight still
   * finish, so a run may end a few pairs above it). @default Infinity
   */
  readonly maxPairs?: number;
  readonly pairBuilder: PairBuilder;
  /** LLM pair judge run after the rule filters; `null` skips it. @default null */
  readonly judge?: PairJudge | null;
  /**
   * Optional test-quality judge: every judged task's scores go to `test_quality.jsonl`; a task
   * whose tests score below `minScore` on any of accuracy, effectiveness or reasonableness is
   * skipped before running (`minScore` 1 keeps every task). @default null
   */
  readonly testJudge?: { readonly judge: TestJudge; readonly minScore: number } | null;
  /**
   * Optional coverage funnel filter (Figure 7): the line and branch coverage of a passing task's
   * tests over its first passing version, measured with coverage.py in `runner` (a sandbox whose
   * `sitePackages` hold coverage.py), go to `coverage.jsonl`; a task below either minimum (rates
   * in [0, 1]) gives no pair (a `low-coverage` drop). @default null
   */
  readonly coverage?: {
    readonly runner: CoverageRunner;
    readonly minLines: number;
    readonly minBranches: number;
  } | null;
  /** @default DEFAULT_FEEDBACK_LIMITS */
  readonly feedbackLimits?: FeedbackLimits;
  /** Called after each finished task. */
  readonly onProgress?: (progress: SynthProgress) => void;
  /** Extra fields stored in `stats.json` under `session` (for example teacher usage). */
  readonly sessionInfo?: () => Record<string, unknown>;
}

/** Result of {@linkcode synthesize}. */
export interface SynthesizeResult {
  /** Statistics of the whole run folder (every session of it). */
  readonly stats: SynthStats;
  /** Tasks processed by this session (not skipped as finished). */
  readonly processed: number;
  /** Tasks found finished at start. */
  readonly resumed: number;
}

async function _collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const x of gen) out.push(x);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  return out;
}

async function _records<T>(path: string): Promise<T[]> {
  return (await _collect(readJsonl<T>(path))).map((e) => e.record);
}

/**
 * Read a finished run folder's records (trajectories and pairs validated by lib/codeflow;
 * missing files read as empty). Errors name the file and line.
 */
export async function readSynthRecords(outDir: string): Promise<{
  trajectories: Trajectory[];
  pairs: Pair[];
  drops: PairDropRecord[];
  skips: SkipRecord[];
  testQuality: TestQualityRecord[];
  sessions: SessionRecord[];
  responses: ResponseRecord[];
  coverage: CoverageRecord[];
}> {
  const requests = await _records<{ schema: string }>(join(outDir, SYNTH_FILES.requests));
  return {
    ...(await _finishedWork(outDir)),
    testQuality: await _records<TestQualityRecord>(join(outDir, SYNTH_FILES.testQuality)),
    sessions: await _records<SessionRecord>(join(outDir, SYNTH_FILES.sessions)),
    responses: requests.filter((r): r is ResponseRecord => r.schema === "synth.response/v1"),
    coverage: await _records<CoverageRecord>(join(outDir, SYNTH_FILES.coverage)),
  };
}

/**
 * The records a resumed run skips finished tasks by (not the request log, which holds every
 * prompt and is read only for the final statistics).
 */
async function _finishedWork(outDir: string): Promise<{
  trajectories: Trajectory[];
  pairs: Pair[];
  drops: PairDropRecord[];
  skips: SkipRecord[];
}> {
  return {
    trajectories: await _collect(readTrajectories(join(outDir, SYNTH_FILES.trajectories))),
    pairs: await _collect(readPairs(join(outDir, SYNTH_FILES.pairs))),
    drops: await _records<PairDropRecord>(join(outDir, SYNTH_FILES.drops)),
    skips: await _records<SkipRecord>(join(outDir, SYNTH_FILES.skips)),
  };
}

/**
 * Run (or resume) a synthesis into `outDir` and return its statistics, also written to
 * `stats.json`. A teacher request that fails for good stops the run after the tasks in flight
 * finish, writes the statistics, and rethrows: restarting resumes.
 */
export async function synthesize(options: SynthesizeOptions): Promise<SynthesizeResult> {
  const { teacher, runner, outDir, pairBuilder } = options;
  const first = options.firstIndex ?? 0;
  const concurrency = options.concurrency ?? 8;
  const maxRefinements = options.maxRefinements ?? 5;
  const judge = options.judge ?? null;
  const maxPairs = options.maxPairs ?? Infinity;
  if (!Number.isInteger(options.tasks) || options.tasks < 0) {
    throw new RangeError(`synthesize: tasks must be an integer >= 0, got ${options.tasks}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`synthesize: concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const sampler = _sampler(teacher, options.samples);
  await Deno.mkdir(outDir, { recursive: true });
  // One process per output folder: a second one would synthesise every task again.
  await using _lock = await lockFolder(outDir, "synth");
  if (options.config !== undefined) await _checkConfig(join(outDir, "config.json"), options.config);
  const paths = {
    trajectories: join(outDir, SYNTH_FILES.trajectories),
    pairs: join(outDir, SYNTH_FILES.pairs),
    drops: join(outDir, SYNTH_FILES.drops),
    skips: join(outDir, SYNTH_FILES.skips),
    testQuality: join(outDir, SYNTH_FILES.testQuality),
    coverage: join(outDir, SYNTH_FILES.coverage),
  };
  const startedAt = new Date();
  // Cut lines torn by a kill, so appends start on a fresh line.
  for (const p of Object.values(paths)) await resumeJsonl(p);
  const before = await _finishedWork(outDir);
  _checkResumable(paths, before);
  const finishedIds = new Set(before.trajectories.map((t) => t.taskId));
  const decided = new Set([...before.pairs, ...before.drops].map((r) => r.taskId));
  const skippedIdx = new Set(before.skips.map((s) => s.index));

  const out = {
    trajectories: new JsonlAppender(paths.trajectories),
    pairs: new JsonlAppender(paths.pairs),
    drops: new JsonlAppender(paths.drops),
    skips: new JsonlAppender(paths.skips),
    testQuality: new JsonlAppender(paths.testQuality),
    coverage: new JsonlAppender(paths.coverage),
  };
  let passing = before.trajectories.filter(trajectoryPassed).length;
  let pairCount = before.pairs.length;

  const dropPair = async (record: Omit<PairDropRecord, "schema">) => {
    await out.drops.append({ schema: "synth.pair-drop/v1", ...record });
  };
  const decidePair = async (t: Trajectory): Promise<void> => {
    if (!trajectoryPassed(t) || !t.versions.some(isFailingCode)) return;
    if (options.coverage) {
      const detail = await _coverageGate(options.coverage, t, out.coverage);
      if (detail !== undefined) {
        return await dropPair({ taskId: t.taskId, reason: "low-coverage", detail });
      }
    }
    // Malformed-answer versions carry no code: never a rejected candidate.
    let outcome = await pairBuilder({
      ...t,
      versions: t.versions.filter((v) => v.errorType !== MALFORMED_ANSWER),
    });
    if (outcome.kind === "pair" && judge !== null) {
      const verdict = await judge.judgePair({
        taskId: t.taskId,
        prompt: t.prompt,
        rejected: outcome.pair.rejected,
        chosen: outcome.pair.chosen,
      });
      const pair: Pair = {
        ...outcome.pair,
        filters: { ...outcome.pair.filters, judge: verdict.ok && verdict.value },
      };
      outcome = verdict.ok && verdict.value ? { kind: "pair", pair } : {
        kind: "drop",
        reason: "judge",
        ...(verdict.ok ? {} : { detail: `malformed judge answer: ${verdict.reason}` }),
        pair,
      };
    }
    if (outcome.kind === "pair") {
      await out.pairs.append(outcome.pair);
      pairCount++;
    } else {
      await dropPair({
        taskId: t.taskId,
        reason: outcome.reason,
        ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
        ...(outcome.pair === undefined ? {} : { pair: outcome.pair }),
      });
    }
  };

  const total = options.tasks;
  let done = 0, resumed = 0, processed = 0, inFlight = 0;
  const report = () =>
    options.onProgress?.({ done, total, resumed, passing, pairs: pairCount, inFlight });
  let failure: unknown = undefined;
  let next = first;
  const claimed = new Set<string>();
  const prepareBatch = options.prepareBatch ?? 32;
  const preparedChunks = new Set<number>();
  const prepareChunkOf = (index: number) => {
    const prepare = teacher.prepare?.bind(teacher);
    const chunk = Math.floor((index - first) / prepareBatch);
    if (prepare === undefined || preparedChunks.has(chunk)) return;
    preparedChunks.add(chunk);
    const indices: number[] = [];
    const end = Math.min(first + total, first + (chunk + 1) * prepareBatch);
    for (let i = first + chunk * prepareBatch; i < end; i++) {
      const known = teacher.taskIdFor?.(i);
      if (!skippedIdx.has(i) && (known === undefined || !finishedIds.has(known))) indices.push(i);
    }
    // proposeTask awaits (and reports) the same preparation; this only starts it early.
    if (indices.length > 0) prepare(indices).catch(() => {});
  };

  const worker = async () => {
    while (failure === undefined && next < first + total && pairCount < maxPairs) {
      const index = next++;
      inFlight++;
      try {
        const known = teacher.taskIdFor?.(index);
        if (skippedIdx.has(index) || (known !== undefined && finishedIds.has(known))) {
          resumed++;
          continue;
        }
        prepareChunkOf(index);
        const proposal = await teacher.proposeTask(index);
        if (!proposal.ok) {
          const rec: SkipRecord = {
            schema: "synth.skip/v1",
            index,
            taskId: known ?? `#${index}`,
            reason: `malformed task answer: ${proposal.reason}`,
          };
          await out.skips.append(rec);
          processed++;
          continue;
        }
        const task = proposal.value;
        if (finishedIds.has(task.taskId) || claimed.has(task.taskId)) {
          resumed++;
          continue;
        }
        claimed.add(task.taskId);
        if (options.testJudge) {
          const reason = await _judgeTests(options.testJudge, task, out.testQuality);
          if (reason !== undefined) {
            await out.skips.append({ schema: "synth.skip/v1", index, taskId: task.taskId, reason });
            processed++;
            continue;
          }
        }
        const limits = options.feedbackLimits ? { feedbackLimits: options.feedbackLimits } : {};
        const trajectory = sampler === null
          ? await refineTask({ teacher, runner, task, maxRefinements, ...limits })
          : await sampleTask({ teacher: sampler.teacher, runner, task, samples: sampler.samples });
        await out.trajectories.append(trajectory);
        if (trajectoryPassed(trajectory)) passing++;
        await decidePair(trajectory);
        processed++;
      } catch (err) {
        failure ??= err;
      } finally {
        inFlight--;
        done++;
        report();
      }
    }
  };

  try {
    // Pair decisions lost to a kill between a trajectory and its pair.
    for (const t of before.trajectories) {
      if (!decided.has(t.taskId)) await decidePair(t);
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker));
  } catch (err) {
    failure ??= err;
  } finally {
    await Promise.all(Object.values(out).map((a) => a.close()));
    await _appendSession(join(outDir, SYNTH_FILES.sessions), startedAt, processed);
  }
  // Tasks finish in whatever order the sandbox and the teacher allow: a finished run is put in
  // task order, so the same config gives the same files on every machine.
  if (failure === undefined) {
    for (const p of Object.values(paths)) await sortByTask(p);
  }
  const stats = computeSynthStats({
    ...(await readSynthRecords(outDir)),
    maxRefinements: sampler === null ? maxRefinements : sampler.samples - 1,
  });
  const session = options.sessionInfo?.();
  await atomicWrite(
    join(outDir, SYNTH_FILES.stats),
    JSON.stringify({ ...stats, ...(session ? { session } : {}) }, null, 2) + "\n",
  );
  if (failure !== undefined) throw failure;
  return { stats, processed, resumed };
}

/** The sampling teacher and its samples per task, or `null` for a debugging run. */
function _sampler(
  teacher: SynthesizeOptions["teacher"],
  samples: number | undefined,
): { readonly teacher: Teacher & Sampler; readonly samples: number } | null {
  if (samples === undefined) return null;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`synthesize: samples must be an integer >= 1, got ${samples}`);
  }
  if (teacher.sample === undefined) {
    throw new Error(
      `synthesize: teacher ${teacher.id.kind}:${teacher.id.model} cannot sample (no sample())`,
    );
  }
  return { teacher: teacher as Teacher & Sampler, samples };
}

/**
 * Score a task's tests, store the scores, and return why the task is skipped (scores below
 * `minScore`, or a malformed answer), or `undefined` to keep it.
 */
async function _judgeTests(
  testJudge: NonNullable<SynthesizeOptions["testJudge"]>,
  task: TeacherTask,
  store: JsonlAppender,
): Promise<string | undefined> {
  const q = await testJudge.judge.judgeTests(task);
  if (!q.ok) return `malformed test-quality answer: ${q.reason}`;
  const { accuracy, effectiveness, reasonableness } = q.value;
  const record: TestQualityRecord = {
    schema: "synth.test-quality/v1",
    taskId: task.taskId,
    accuracy,
    effectiveness,
    reasonableness,
  };
  await store.append(record);
  const min = testJudge.minScore;
  if (accuracy >= min && effectiveness >= min && reasonableness >= min) return undefined;
  return `tests rejected: accuracy=${accuracy} effectiveness=${effectiveness} ` +
    `reasonableness=${reasonableness} (min ${min})`;
}

/**
 * Measure a passing trajectory's test coverage, store it, and return why the task is below the
 * minimums (or why it could not be measured: the filter fails closed), or `undefined`.
 */
async function _coverageGate(
  gate: NonNullable<SynthesizeOptions["coverage"]>,
  t: Trajectory,
  store: JsonlAppender,
): Promise<string | undefined> {
  const { records, failures } = await measureCoverage(gate.runner, [t]);
  if (failures.length > 0) return failures[0].reason;
  await store.append(records[0]);
  return lowCoverage(records[0], { lines: gate.minLines, branches: gate.minBranches });
}

/** Append this session's wall time to `sessions.jsonl` (the annotation cost's wall time). */
async function _appendSession(path: string, startedAt: Date, processed: number): Promise<void> {
  const record: SessionRecord = {
    schema: "synth.session/v1",
    startedAt: startedAt.toISOString(),
    wallS: (Date.now() - startedAt.getTime()) / 1000,
    processed,
  };
  const log = new JsonlAppender(path);
  try {
    await log.append(record);
  } finally {
    await log.close();
  }
}

/**
 * Compare task ids in task order: numbers inside them compare as numbers
 * (`miniflow/train/9` before `miniflow/train/10`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareTaskIds } from "./synthesize.ts";
 * assert.deepEqual(["t/10", "t/9", "s/1"].sort(compareTaskIds), ["s/1", "t/9", "t/10"]);
 * ```
 */
export function compareTaskIds(a: string, b: string): number {
  return _collator.compare(a, b);
}

const _collator = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

/**
 * Rewrite a JSONL file of per-task records (each with a `taskId`) in task order, atomically;
 * records of one task keep their order. A missing file is left alone.
 */
export async function sortByTask(path: string): Promise<void> {
  let records: { taskId: string }[];
  try {
    records = await readJsonlFile<{ taskId: string }>(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const sorted = records.map((r, i) => ({ r, i })).sort((x, y) =>
    compareTaskIds(x.r.taskId, y.r.taskId) || x.i - y.i
  ).map((x) => x.r);
  if (sorted.some((r, i) => r !== records[i])) await atomicWrite(path, toJsonl(sorted));
}

/**
 * A folder to resume holds each task once, and pairs and drops only of its own trajectories:
 * duplicated or foreign lines (two runs at once, an edit, a copied file) are not finished work.
 */
function _checkResumable(
  paths: { readonly trajectories: string; readonly pairs: string; readonly drops: string },
  before: {
    readonly trajectories: readonly Trajectory[];
    readonly pairs: readonly { taskId: string }[];
    readonly drops: readonly { taskId: string }[];
  },
): void {
  const seen = new Set<string>();
  for (const t of before.trajectories) {
    if (seen.has(t.taskId)) {
      throw new Error(
        `${paths.trajectories}: task ${t.taskId} appears twice; the folder cannot be resumed ` +
          `(two runs wrote it, or it was edited): use a fresh --out`,
      );
    }
    seen.add(t.taskId);
  }
  for (
    const [path, records] of [[paths.pairs, before.pairs], [paths.drops, before.drops]] as const
  ) {
    const foreign = records.find((r) => !seen.has(r.taskId));
    if (foreign) {
      throw new Error(
        `${path}: task ${foreign.taskId} has no trajectory in ${paths.trajectories}; the folder ` +
          `cannot be resumed: use a fresh --out`,
      );
    }
  }
}

/** Write `config.json`, or check that a resumed folder was made with the same data settings. */
async function _checkConfig(
  path: string,
  config: NonNullable<SynthesizeOptions["config"]>,
): Promise<void> {
  let stored: Record<string, unknown> | null = null;
  try {
    stored = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (stored !== null) {
    const show = (v: unknown) => v === undefined ? "absent" : JSON.stringify(v);
    const differ = Object.entries(config.data)
      .filter(([k, v]) => JSON.stringify(stored![k]) !== JSON.stringify(v))
      .map(([k, v]) => `${k} was ${show(stored![k])}, now ${show(v)}`);
    if (differ.length > 0) {
      throw new Error(
        `${path}: cannot resume with other data settings (${differ.join("; ")}): the records ` +
          "would mix both; rerun with the stored settings or use another output folder",
      );
    }
  }
  await atomicWrite(path, JSON.stringify({ ...config.data, ...config.info }, null, 2) + "\n");
}
