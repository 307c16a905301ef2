/**
 * The runs the data-side analyses read (`deno task sampling-tables`, `deno task coverage`): a
 * synth folder's or a JSONL file's trajectories, or MiniFlow runs synthesised per teacher seed
 * and cached.
 *
 * @module
 */
import { join } from "node:path";
import { readTrajectories } from "../lib/codeflow/mod.ts";
import type { Trajectory } from "../lib/core/mod.ts";
import { cachedMiniflowTrajectories } from "../lib/pipeline/mod.ts";
import type { Sandbox } from "../lib/sandbox/mod.ts";
import { SYNTH_FILES } from "../lib/synth/mod.ts";

/** A run's trajectories: a synth folder's `trajectories.jsonl`, or a JSONL file. */
export async function readRun(path: string): Promise<Trajectory[]> {
  const file = (await Deno.stat(path)).isDirectory ? join(path, SYNTH_FILES.trajectories) : path;
  return await Array.fromAsync(readTrajectories(file));
}

/** Integers `>= min` separated by commas, or `null` naming what is wrong. */
export function intList(value: string, min: number): number[] | null {
  const list = value.split(",").map((x) => Number(x.trim()));
  return list.some((n) => !Number.isInteger(n) || n < min) ? null : list;
}

/** Where and how much MiniFlow to synthesise for one teacher seed. */
export interface MiniflowRunOptions {
  readonly seed: number;
  readonly tasks: number;
  readonly firstIndex: number;
  /** Samples per task for a sampling run. @default {undefined: debugging} */
  readonly samples?: number;
  readonly cacheDir: string;
  readonly sandbox: Sandbox;
  /** Prefix of the progress lines on stderr. */
  readonly tool: string;
}

/** The cached MiniFlow run of one seed (synthesised first when missing), with progress lines. */
export async function miniflowRun(o: MiniflowRunOptions): Promise<Trajectory[]> {
  const what = o.samples === undefined ? "debugging" : `${o.samples} samples`;
  const { trajectories } = await cachedMiniflowTrajectories({
    cacheDir: o.cacheDir,
    seed: o.seed,
    tasks: o.tasks,
    firstIndex: o.firstIndex,
    ...(o.samples === undefined ? {} : { samples: o.samples }),
    sandbox: o.sandbox,
    concurrency: 16,
    onProgress: (done, total) => {
      if (done % 50 === 0 || done === total) {
        console.error(`[${o.tool}] seed ${o.seed} ${what}: ${done}/${total} tasks`);
      }
    },
  });
  return trajectories;
}
