/**
 * CLI of the test-coverage analysis (the paper's Appendix A.2.3, Figure 7): the line and branch
 * coverage of each passing task's tests over its passing solution, measured with coverage.py in
 * the sandbox; a histogram over runs (mean share of tasks per bin ± 95% CI), and what a coverage
 * funnel filter (`deno task synth --min-coverage X`) would drop.
 *
 * ```sh
 * deno task coverage --miniflow --seeds 1,2,3 --tasks 1200
 * deno task coverage --runs runs/synth-4o --min-coverage 0.8
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { atomicWrite, toJsonl, type Trajectory } from "../lib/core/mod.ts";
import { type BarRow, barWithCi, savePlot } from "../lib/plot/mod.ts";
import { Sandbox, takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import { formatMeanCi, summarize } from "../lib/stats/mod.ts";
import {
  COVERAGE_BINS,
  coverageBins,
  coverageRate,
  type CoverageRecord,
  coverageSitePackages,
  lowCoverage,
  measureCoverage,
} from "../lib/synth/mod.ts";
import { intList, miniflowRun, readRun, runAnalysis, writeReport } from "./trajectory_runs.ts";

const USAGE = `usage: deno task coverage (--miniflow | --runs A,B,…) [options]

  --miniflow                MiniFlow debugging runs per teacher seed (synthesised and cached)
  --seeds A,B,C             MiniFlow teacher seeds (default 1,2,3)
  --tasks N                 MiniFlow tasks per seed (default 1200)
  --first-index N           first MiniFlow training-split task (default 3000)
  --cache-dir DIR           MiniFlow caches (default runs/cache)
  --runs A,B                runs: synth folders or trajectories JSONL files
  --min-coverage X          funnel filter to count: least line coverage (0-1, default 0.8)
  --min-branch-coverage X   and least branch coverage (0-1, default 0.8)
  --out DIR                 coverage_<run>.jsonl, coverage.md, coverage.json and the histogram
                            (default runs/coverage-<miniflow|runs>)
  --unsafe-isolation MODE   unshare|rlimits: run untrusted code without bubblewrap (a banner warns)
  --help                    this text
`;

function fail(message: string): never {
  console.error(`coverage: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function ints(name: string, value: string, min: number): number[] {
  return intList(value, min) ??
    fail(
      `--${name}: expected integers >= ${min} separated by commas, found ${JSON.stringify(value)}`,
    );
}

function rate(name: string, value: string | undefined, fallback: number): number {
  const x = value === undefined ? fallback : Number(value);
  if (!(x >= 0 && x <= 1)) fail(`--${name} must be in [0, 1], got ${JSON.stringify(value)}`);
  return x;
}

/** One run's coverage records and the measurements that failed. */
interface _Measured {
  readonly label: string;
  readonly records: CoverageRecord[];
  readonly failures: number;
}

function markdown(runs: readonly _Measured[], min: { lines: number; branches: number }): string {
  const f = (values: number[]) => formatMeanCi(summarize(values), { digits: 1, scale: 100 });
  const per = (g: (r: CoverageRecord[]) => number) => f(runs.map((m) => g(m.records)));
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const share = (rs: CoverageRecord[], p: (r: CoverageRecord) => boolean) =>
    rs.filter(p).length / rs.length;
  const tasks = runs.map((m) => m.records.length);
  return [
    `${runs.length} runs (${runs.map((m) => m.label).join("; ")}); mean ± 95% CI over runs.`,
    `Tasks measured per run: ${tasks.join(", ")}; failed measurements: ` +
    `${runs.map((m) => m.failures).join(", ")}.`,
    "",
    "| | lines | branches |",
    "| :--- | ---: | ---: |",
    `| mean coverage (%) | ${per((rs) => meanOf(rs.map((r) => coverageRate(r.lines))))} | ${
      per((rs) => meanOf(rs.map((r) => coverageRate(r.branches))))
    } |`,
    `| tasks fully covered (%) | ${per((rs) => share(rs, (r) => coverageRate(r.lines) === 1))} | ${
      per((rs) => share(rs, (r) => coverageRate(r.branches) === 1))
    } |`,
    "",
    `A funnel filter at ${100 * min.lines}% lines and ${100 * min.branches}% branches drops ` +
    `${per((rs) => share(rs, (r) => lowCoverage(r, min) !== undefined))}% of the tasks.`,
  ].join("\n") + "\n";
}

async function histogram(dir: string, runs: readonly _Measured[]): Promise<string> {
  const bins = runs.map((m) => coverageBins(m.records));
  const rows: BarRow[] = [];
  for (const kind of ["lines", "branches"] as const) {
    for (const bin of COVERAGE_BINS) {
      const values = bins.map((b) => 100 * b[kind][bin]);
      const s = summarize(values);
      rows.push({
        variant: kind,
        group: bin,
        mean: s.mean,
        ciLow: s.ciLow,
        ciHigh: s.ciHigh,
        seeds: values,
      });
    }
  }
  const spec = barWithCi(rows, {
    title: "Coverage of the tests over the passing solution",
    xTitle: "coverage (%)",
    yTitle: "tasks (%)",
    yDomain: [0, 100],
    xLabelAngle: -45,
    legendTitle: "Coverage of",
  });
  return (await savePlot(dir, "coverage_histogram", spec)).png;
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
        "cache-dir": { type: "string" },
        runs: { type: "string" },
        "min-coverage": { type: "string" },
        "min-branch-coverage": { type: "string" },
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
  if (a.miniflow === (a.runs !== undefined)) fail("give either --miniflow or --runs");
  const min = {
    lines: rate("min-coverage", a["min-coverage"], 0.8),
    branches: rate("min-branch-coverage", a["min-branch-coverage"], 0.8),
  };
  const sandbox = new Sandbox();
  let runs: { label: string; trajectories: Trajectory[] }[];
  const measured: _Measured[] = [];
  try {
    if (a.miniflow) {
      runs = [];
      for (const seed of ints("seeds", a.seeds ?? "1,2,3", 0)) {
        runs.push({
          label: `MiniFlow seed ${seed}`,
          trajectories: await miniflowRun({
            seed,
            tasks: ints("tasks", a.tasks ?? "1200", 1)[0],
            firstIndex: ints("first-index", a["first-index"] ?? "3000", 0)[0],
            cacheDir: a["cache-dir"] ?? "runs/cache",
            sandbox,
            tool: "coverage",
          }),
        });
      }
    } else {
      runs = await Promise.all(
        a.runs!.split(",").map(async (p) => ({ label: p, trajectories: await readRun(p) })),
      );
    }
  } finally {
    await sandbox.close();
  }
  const site = coverageSitePackages(sandbox.config.pythonPath);
  const coverageSandbox = new Sandbox({ sitePackages: [site] });
  const out = a.out ?? `runs/coverage-${a.miniflow ? "miniflow" : "runs"}`;
  await Deno.mkdir(out, { recursive: true });
  try {
    for (const [i, run] of runs.entries()) {
      console.error(`[coverage] ${run.label}: measuring ${run.trajectories.length} trajectories`);
      const { records, failures } = await measureCoverage(coverageSandbox, run.trajectories);
      for (const f of failures.slice(0, 5)) console.error(`[coverage] ${f.taskId}: ${f.reason}`);
      if (records.length === 0) throw new Error(`${run.label}: no passing task could be measured`);
      await atomicWrite(join(out, `coverage_${i}.jsonl`), toJsonl(records));
      measured.push({ label: run.label, records, failures: failures.length });
    }
  } finally {
    await coverageSandbox.close();
  }
  const runsData = measured.map((m, i) => ({
    label: m.label,
    file: `coverage_${i}.jsonl`,
    tasks: m.records.length,
    failures: m.failures,
    bins: coverageBins(m.records),
  }));
  await writeReport(
    out,
    "coverage",
    markdown(measured, min),
    { runs: runsData },
    (dir) => histogram(dir, measured),
  );
}

await runAnalysis("coverage", main);
