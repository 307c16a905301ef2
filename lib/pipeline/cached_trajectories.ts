/**
 * MiniFlow debugging trajectories (or sampling ones) synthesised once per (teacher seed, first
 * index, tasks, refinements or samples) and cached on disk, so every cell and variant of every study cuts its pairs from
 * the same trajectories.
 *
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readTrajectories } from "../codeflow/mod.ts";
import { atomicWrite, type Trajectory } from "../core/mod.ts";
import { MiniFlowTeacher } from "../miniflow/mod.ts";
import type { SandboxRunner } from "../miniflow/types.ts";
import {
  codeflowPairBuilder,
  type CodeRunner,
  compareTaskIds,
  SYNTH_FILES,
  synthesize,
} from "../synth/mod.ts";
import { _withCacheLock } from "./_cache_lock.ts";

/** Options of {@linkcode cachedMiniflowTrajectories}. */
export interface CachedTrajectoriesOptions {
  /** Folder of the caches (for example `runs/cache`). */
  readonly cacheDir: string;
  /** MiniFlow teacher seed. */
  readonly seed: number;
  /** Tasks synthesised: training-split indexes `[firstIndex, firstIndex + tasks)`. */
  readonly tasks: number;
  /**
   * First task index.
   * @default {0}
   */
  readonly firstIndex?: number;
  /**
   * Refinement iterations after iteration 0.
   * @default {5}
   */
  readonly maxRefinements?: number;
  /**
   * Sample each task this many times instead of debugging it (`sampling` trajectories).
   * @default {undefined: debugging}
   */
  readonly samples?: number;
  /** The sandbox that runs every version against its tests. */
  readonly sandbox: SandboxRunner & CodeRunner;
  /**
   * Tasks in flight.
   * @default {8}
   */
  readonly concurrency?: number;
  /** Called after each synthesised task. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@linkcode cachedMiniflowTrajectories} returns. */
export interface CachedTrajectories {
  readonly trajectories: Trajectory[];
  /** The synthesis folder (`trajectories.jsonl`, `stats.json`, …). */
  readonly dir: string;
  /** Whether the folder was already complete. */
  readonly hit: boolean;
}

const _COMPLETE = "complete.json";

/**
 * The folder of one synthesis: `<cacheDir>/miniflow-<seed>-<firstIndex>-<tasks>-r<refinements>`,
 * or `…-s<samples>` for a sampling one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trajectoriesCacheDir } from "./cached_trajectories.ts";
 * assert.equal(trajectoriesCacheDir("runs/cache", { seed: 1, tasks: 600 }), "runs/cache/miniflow-1-0-600-r5");
 * assert.equal(
 *   trajectoriesCacheDir("runs/cache", { seed: 1, tasks: 600, samples: 3 }),
 *   "runs/cache/miniflow-1-0-600-s3",
 * );
 * ```
 */
export function trajectoriesCacheDir(
  cacheDir: string,
  o: {
    readonly seed: number;
    readonly tasks: number;
    readonly firstIndex?: number;
    readonly maxRefinements?: number;
    readonly samples?: number;
  },
): string {
  const budget = o.samples === undefined ? `r${o.maxRefinements ?? 5}` : `s${o.samples}`;
  return join(cacheDir, `miniflow-${o.seed}-${o.firstIndex ?? 0}-${o.tasks}-${budget}`);
}

/**
 * The cached trajectories, synthesised first when missing (lib/synth's resumable `synthesize`
 * with the offline MiniFlow teacher; a killed synthesis resumes on the next call). Concurrent
 * callers in other processes wait for the one building the cache. `complete.json` marks a
 * finished folder.
 */
export async function cachedMiniflowTrajectories(
  options: CachedTrajectoriesOptions,
): Promise<CachedTrajectories> {
  const dir = trajectoriesCacheDir(options.cacheDir, options);
  const marker = join(dir, _COMPLETE);
  const complete = async () => {
    try {
      await readFile(marker);
      return true;
    } catch {
      return false;
    }
  };
  const hit = await complete();
  await mkdir(dir, { recursive: true });
  await _withCacheLock({
    path: dir,
    done: complete,
    build: async () => {
      const teacher = new MiniFlowTeacher(options.sandbox, { seed: options.seed });
      const pairs = await codeflowPairBuilder({
        seed: options.seed,
        ...(options.samples === undefined ? {} : { selection: "pass-vs-fail" as const }),
      });
      try {
        const result = await synthesize({
          teacher,
          runner: options.sandbox,
          outDir: dir,
          tasks: options.tasks,
          firstIndex: options.firstIndex ?? 0,
          maxRefinements: options.maxRefinements ?? 5,
          concurrency: options.concurrency ?? 8,
          ...(options.samples === undefined ? {} : { samples: options.samples }),
          pairBuilder: pairs.build,
          onProgress: (p) => options.onProgress?.(p.done, p.total),
        });
        await atomicWrite(
          marker,
          JSON.stringify(
            {
              seed: options.seed,
              firstIndex: options.firstIndex ?? 0,
              tasks: options.tasks,
              maxRefinements: options.maxRefinements ?? 5,
              ...(options.samples === undefined ? {} : { samples: options.samples }),
              trajectories: result.stats.trajectories,
              passing: result.stats.passing,
              finishedAt: new Date().toISOString(),
            },
            null,
            2,
          ) + "\n",
        );
      } finally {
        await pairs.close();
      }
    },
  });
  const trajectories = await Array.fromAsync(readTrajectories(join(dir, SYNTH_FILES.trajectories)));
  // In task order whatever order the file holds (caches built before synthesis sorted its files).
  trajectories.sort((a, b) => compareTaskIds(a.taskId, b.taskId));
  return { trajectories, dir, hit };
}
