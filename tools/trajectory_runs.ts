/**
 * What the data-side analysis CLIs share (`deno task sampling-tables`, `deno task coverage`,
 * `deno task judge-tests`): the runs they read (a synth folder's or a JSONL file's trajectories,
 * or MiniFlow runs synthesised per teacher seed and cached), the report they write, and how they
 * end on an error.
 *
 * @module
 */
import { join } from "node:path";
import { readTrajectories } from "../lib/codeflow/mod.ts";
import { atomicWrite, gitInfo, type Trajectory } from "../lib/core/mod.ts";
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

/**
 * Write an analysis's report into `out`: `<name>.md` (also printed) and `<name>.json` (the
 * command's arguments, the commit and `data`); `chart` (the path of a PNG) is named on the last
 * line printed.
 */
export async function writeReport(
  out: string,
  name: string,
  md: string,
  data: Readonly<Record<string, unknown>>,
  chart: (out: string) => Promise<string>,
): Promise<void> {
  await atomicWrite(join(out, `${name}.md`), md);
  const json = { args: Deno.args, git: gitInfo(Deno.cwd()), ...data };
  await atomicWrite(join(out, `${name}.json`), JSON.stringify(json, null, 2) + "\n");
  const png = await chart(out);
  console.log(md);
  console.log(`${out}: ${name}.md, ${name}.json, ${png}`);
}

/** Run a CLI's `main`; an error ends it with `<tool>: <message>` and exit code 1, no stack trace. */
export async function runAnalysis(tool: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`${tool}: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
