/**
 * CLI of the paper's Tables 5 and 6 (Appendix A.1): the pass rate within the debugging loop
 * against `k` independent samples, and, for the tasks debugging never fixed, the pass rate of
 * N = 5 … 50 samples; mean ± 95% CI over runs (teacher seeds).
 *
 * ```sh
 * # MiniFlow, 3 teacher seeds (synthesised and cached under runs/cache):
 * deno task sampling-tables --miniflow --seeds 1,2,3 --tasks 300 --samples 50
 * # Any teacher: pairs of run folders of `deno task synth` (debugging, then --samples 50):
 * deno task sampling-tables --debugging runs/dbg-1,runs/dbg-2 --sampling runs/smp-1,runs/smp-2
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Trajectory } from "../lib/core/mod.ts";
import { savePlot, sweepChart, type SweepRow } from "../lib/plot/mod.ts";
import { Sandbox, takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import { formatMeanCi, summarize } from "../lib/stats/mod.ts";
import { type SamplingTables, samplingTables } from "../lib/synth/mod.ts";
import { intList, miniflowRun, readRun, runAnalysis, writeReport } from "./trajectory_runs.ts";

const USAGE =
  `usage: deno task sampling-tables (--miniflow | --debugging DIRS --sampling DIRS) [options]

  --miniflow             synthesise MiniFlow debugging and sampling runs per seed (cached)
  --seeds A,B,C          MiniFlow teacher seeds (default 1,2,3)
  --tasks N              MiniFlow tasks per seed (default 300)
  --first-index N        first MiniFlow training-split task (default 3000)
  --samples N            MiniFlow samples per task (default 50)
  --cache-dir DIR        MiniFlow caches (default runs/cache)
  --debugging A,B        debugging runs: synth folders or trajectories JSONL files
  --sampling A,B         sampling runs over the same tasks, paired with --debugging in order
  --out DIR              where tables.md, tables.json and the chart go
                         (default runs/sampling-tables-<miniflow|runs>)
  --unsafe-isolation MODE  unshare|rlimits: run untrusted code without bubblewrap (a banner warns)
  --help                 this text
`;

const TABLE6 = [5, 10, 15, 30, 50];

function fail(message: string): never {
  console.error(`sampling-tables: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function ints(name: string, value: string, min: number): number[] {
  return intList(value, min) ??
    fail(
      `--${name}: expected integers >= ${min} separated by commas, found ${JSON.stringify(value)}`,
    );
}

/** A debugging run and the sampling run over the same tasks. */
interface _Run {
  readonly label: string;
  readonly debugging: Trajectory[];
  readonly sampling: Trajectory[];
}

async function miniflowRuns(
  o: { seeds: number[]; tasks: number; firstIndex: number; samples: number; cacheDir: string },
): Promise<_Run[]> {
  const sandbox = new Sandbox();
  try {
    const runs = [];
    for (const seed of o.seeds) {
      const base = { ...o, seed, sandbox, tool: "sampling-tables" };
      runs.push({
        label: `seed ${seed}`,
        debugging: await miniflowRun({ ...base, samples: undefined }),
        sampling: await miniflowRun(base),
      });
    }
    return runs;
  } finally {
    await sandbox.close();
  }
}

function pct(values: readonly number[]): string {
  return formatMeanCi(summarize(values), { digits: 1, scale: 100 });
}

function num(values: readonly number[], digits: number): string {
  return formatMeanCi(summarize(values), { digits });
}

function markdown(teacher: string, tables: readonly SamplingTables[]): string {
  const col = <T>(f: (t: SamplingTables) => T) => tables.map(f);
  const n = Math.min(...col((t) => t.samples));
  const calls = num(col((t) => t.debuggingMeanCalls), 2);
  const maxCalls = Math.max(...col((t) => t.debuggingMaxCalls));
  const lines = [
    `Teacher: ${teacher}. ${tables.length} runs; mean ± 95% CI (Student t) over runs.`,
    "",
    "### Table 5: debugging against independent samples",
    "",
    "| Source | teacher calls per task | pass rate (%) |",
    "| :--- | ---: | ---: |",
    `| Iterative debugging | ≤ ${maxCalls} (mean ${calls}) | ${pct(col((t) => t.debugging))} |`,
  ];
  for (const k of Object.keys(tables[0].sampling).map(Number)) {
    const samples = `${k} independent sample${k === 1 ? "" : "s"}`;
    lines.push(`| ${samples} | ${k} | ${pct(col((t) => t.sampling[k]))} |`);
  }
  lines.push(
    "",
    `### Table 6: samples on the tasks debugging never fixed (${
      num(col((t) => t.unfixed), 1)
    } tasks per run)`,
    "",
    "| Samples N | pass rate (%) |",
    "| ---: | ---: |",
  );
  for (const k of TABLE6.filter((k) => k <= n)) {
    lines.push(`| ${k} | ${pct(col((t) => t.unfixedSampling[k]))} |`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Pass rate against samples, over all tasks and over the unfixed ones (those debugging never
 * fixed), with debugging's pass rate as a rule.
 */
async function chart(dir: string, runs: readonly _Run[]): Promise<string> {
  const ks = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50];
  const tables = runs.map((r) =>
    samplingTables(r.debugging, r.sampling, { table5: ks, table6: ks })
  );
  const rows: SweepRow[] = [];
  for (
    const [series, pick] of [
      ["all tasks", (t: SamplingTables) => t.sampling],
      ["unfixed tasks", (t: SamplingTables) => t.unfixedSampling],
    ] as const
  ) {
    for (const k of ks) {
      const values = tables.map((t) => pick(t)[k]);
      if (values.some((v) => v === undefined || !Number.isFinite(v))) continue;
      const s = summarize(values.map((v) => 100 * v));
      rows.push({ x: k, mean: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh, series });
    }
  }
  const d = summarize(tables.map((t) => 100 * t.debugging));
  const spec = sweepChart(rows, {
    title: "Pass rate of N independent samples",
    xTitle: "samples N",
    yTitle: "pass rate (%)",
    xScale: "log",
    yDomain: [0, 100],
    seriesTitle: "Tasks",
    references: [{ label: "debugging", mean: d.mean, ciLow: d.ciLow, ciHigh: d.ciHigh }],
  });
  return (await savePlot(dir, "pass_rate_by_samples", spec)).png;
}

async function main(): Promise<void> {
  let a;
  try {
    a = parseArgs({
      args: takeUnsafeIsolationFlag(Deno.args),
      strict: true,
      allowPositionals: false,
      options: {
        miniflow: { type: "boolean" },
        seeds: { type: "string" },
        tasks: { type: "string" },
        "first-index": { type: "string" },
        samples: { type: "string" },
        "cache-dir": { type: "string" },
        debugging: { type: "string" },
        sampling: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (a.help) {
    console.log(USAGE);
    return;
  }
  const fromRuns = a.debugging !== undefined || a.sampling !== undefined;
  if (a.miniflow === fromRuns) fail("give either --miniflow or --debugging with --sampling");
  let runs: _Run[];
  if (a.miniflow) {
    const [samples] = ints("samples", a.samples ?? "50", 5);
    runs = await miniflowRuns({
      seeds: ints("seeds", a.seeds ?? "1,2,3", 0),
      tasks: ints("tasks", a.tasks ?? "300", 1)[0],
      firstIndex: ints("first-index", a["first-index"] ?? "3000", 0)[0],
      samples,
      cacheDir: a["cache-dir"] ?? "runs/cache",
    });
  } else {
    const dbg = (a.debugging ?? fail("--sampling needs --debugging")).split(",");
    const smp = (a.sampling ?? fail("--debugging needs --sampling")).split(",");
    if (dbg.length !== smp.length) {
      fail(`--debugging names ${dbg.length} runs and --sampling ${smp.length}: pair them`);
    }
    runs = await Promise.all(dbg.map(async (d, i) => ({
      label: `${d} + ${smp[i]}`,
      debugging: await readRun(d),
      sampling: await readRun(smp[i]),
    })));
  }
  const tables = runs.map((r) => {
    const t = samplingTables(r.debugging, r.sampling, { table5: [1, 5, 6, 10], table6: TABLE6 });
    if (t.tasks === 0) fail(`${r.label}: the two runs share no task`);
    return t;
  });
  const teachers = [
    ...new Set(
      runs.flatMap((r) => [...r.debugging, ...r.sampling]).map((t) =>
        `${t.teacher.kind}:${t.teacher.model}`
      ),
    ),
  ];
  const out = a.out ?? `runs/sampling-tables-${a.miniflow ? "miniflow" : "runs"}`;
  await Deno.mkdir(out, { recursive: true });
  const md = markdown(teachers.join(", "), tables);
  const data = { teachers, runs: runs.map((r) => r.label), tables };
  await writeReport(out, "tables", md, data, (dir) => chart(dir, runs));
}

await runAnalysis("sampling-tables", main);
