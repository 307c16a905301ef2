/**
 * Coverage of a task's tests over its passing solution (the paper's Appendix A.2.3, Figure 7):
 * the line and branch coverage coverage.py measures while the tests run against the solution,
 * inside the sandbox. The solution is untrusted code, so the measurement runs as one sandbox
 * program: a driver writes the solution to a file in the program's own temporary folder (so that
 * coverage.py can read its source), runs it and then each test statement under coverage, and
 * returns the counts as a probe value. Like any in-process result, a hostile solution could
 * forge its own counts; they rank data, they never decide a verdict.
 *
 * @module
 */
import type { Trajectory } from "../core/mod.ts";
import type { SandboxJob, SandboxResult } from "../sandbox/types.ts";
import { firstPassIteration } from "./refine_task.ts";

/** Covered and total counts of one kind. */
export interface CoverageCount {
  readonly covered: number;
  readonly total: number;
}

/** One task's coverage record (`coverage.jsonl`). */
export interface CoverageRecord {
  readonly schema: "synth.coverage/v1";
  readonly taskId: string;
  /** Iteration of the version measured (the first passing one). */
  readonly iteration: number;
  /** Statements of the solution executed by the tests. */
  readonly lines: CoverageCount;
  /** Branch arcs (`if`, loops) of the solution taken by the tests. */
  readonly branches: CoverageCount;
}

/** A measurement that did not give counts (coverage.py missing, the run failed), with why. */
export interface CoverageFailure {
  readonly taskId: string;
  readonly reason: string;
}

/** What runs the driver programs: `Sandbox` from lib/sandbox. */
export interface CoverageRunner {
  runMany(jobs: readonly SandboxJob[]): Promise<readonly SandboxResult[]>;
}

/**
 * The folder to give the sandbox as `sitePackages` so that its programs can import coverage.py:
 * where `python` (the sandbox's interpreter) finds it, outside the sandbox. Throws naming the
 * packages to install when it has none.
 */
export function coverageSitePackages(python: string): string {
  const out = new Deno.Command(python, {
    args: ["-c", "import coverage, os; print(os.path.dirname(os.path.dirname(coverage.__file__)))"],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!out.success) {
    throw new Error(
      `${python} cannot import coverage.py: install Debian's python3-coverage ` +
        "(apt-get install python3-coverage) or PyPI's coverage for that interpreter",
    );
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** Coverage `covered / total`; a count with nothing to cover is fully covered (1). */
export function coverageRate(count: CoverageCount): number {
  return count.total === 0 ? 1 : count.covered / count.total;
}

const _DRIVER = `
def _kit_coverage(src, tests, entry):
    import ast, json, os, tempfile
    import coverage
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "solution.py")
    with open(path, "w") as f:
        f.write(src)
    cov = coverage.Coverage(data_file=None, branch=True, include=[path])
    ns = {"__name__": "solution"}
    cov.start()
    try:
        exec(compile(src, path, "exec"), ns)
        for node in ast.parse(tests).body:
            try:
                exec(compile(ast.Module([node], []), "<tests>", "exec"), ns)
            except Exception:
                pass
        if entry and callable(ns.get("check")) and entry in ns:
            try:
                ns["check"](ns[entry])
            except Exception:
                pass
    finally:
        cov.stop()
    out = os.path.join(folder, "coverage.json")
    cov.json_report(outfile=out)
    with open(out) as f:
        files = json.load(f)["files"]
    s = next(iter(files.values()))["summary"] if files else {}
    return [s.get(k, 0) for k in ("covered_lines", "num_statements", "covered_branches", "num_branches")]
`;

/** The driver program of one measurement (the solution and tests travel as string literals). */
export function coverageJob(code: string, tests: string, entryPoint: string): SandboxJob {
  const lit = (text: string) => JSON.stringify(text);
  return {
    code: `${_DRIVER}\n_KIT_COVERAGE = _kit_coverage(${lit(code)}, ${lit(tests)}, ${
      lit(entryPoint)
    })\n`,
    tests: "",
    probes: [{ expr: "_KIT_COVERAGE", source: "coverage of the tests over the solution" }],
    quietProbes: true,
  };
}

/**
 * The coverage of each passing trajectory's tests over its first passing version, measured in
 * `runner` (one program per task, all sent at once). Trajectories that never pass are left out;
 * a failed measurement is returned with its reason, never dropped silently.
 */
export async function measureCoverage(
  runner: CoverageRunner,
  trajectories: readonly Trajectory[],
): Promise<{ records: CoverageRecord[]; failures: CoverageFailure[] }> {
  const passing = trajectories.flatMap((t) => {
    const at = firstPassIteration(t);
    const version = t.versions.find((v) => v.iteration === at && v.verdict === "pass");
    return version === undefined ? [] : [{ t, version }];
  });
  const results = await runner.runMany(
    passing.map(({ t, version }) => coverageJob(version.code, t.tests, t.entryPoint)),
  );
  const records: CoverageRecord[] = [];
  const failures: CoverageFailure[] = [];
  results.forEach((r, i) => {
    const { t, version } = passing[i];
    const counts = _counts(r);
    if (typeof counts === "string") {
      failures.push({ taskId: t.taskId, reason: counts });
      return;
    }
    const [lc, lt, bc, bt] = counts;
    records.push({
      schema: "synth.coverage/v1",
      taskId: t.taskId,
      iteration: version.iteration,
      lines: { covered: lc, total: lt },
      branches: { covered: bc, total: bt },
    });
  });
  return { records, failures };
}

/** The four counts of a driver's result, or why there are none. */
function _counts(r: SandboxResult): number[] | string {
  const value = r.tests[0]?.value;
  if (r.verdict !== "pass" || value === undefined) {
    const why = [r.errorType, r.errorMessage].filter((x) => x !== undefined).join(": ");
    return `coverage run failed (${r.verdict}${why === "" ? "" : `, ${why}`})`;
  }
  const counts: unknown = JSON.parse(value);
  if (
    !Array.isArray(counts) || counts.length !== 4 ||
    !counts.every((n) => Number.isInteger(n) && n >= 0)
  ) {
    return `coverage run gave ${value}, expected four counts`;
  }
  return counts;
}

/** Bins of {@linkcode coverageBins}: ten-point bins of the coverage percentage, then 100%. */
export const COVERAGE_BINS = [
  "0-9",
  "10-19",
  "20-29",
  "30-39",
  "40-49",
  "50-59",
  "60-69",
  "70-79",
  "80-89",
  "90-99",
  "100",
] as const;

/** One bin of {@linkcode COVERAGE_BINS}. */
export type CoverageBin = typeof COVERAGE_BINS[number];

/**
 * The bin of a coverage rate in [0, 1] (a rate just under 1 is never shown as 100%).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coverageBin } from "./test_coverage.ts";
 * assert.deepEqual([0, 0.1, 0.899, 0.999, 1].map(coverageBin), ["0-9", "10-19", "80-89", "90-99", "100"]);
 * ```
 */
export function coverageBin(rate: number): CoverageBin {
  if (rate >= 1) return "100";
  return COVERAGE_BINS[Math.min(9, Math.floor(rate * 10 + 1e-9))];
}

/** Share of the records in each bin, for line and branch coverage (Figure 7's histogram). */
export function coverageBins(
  records: readonly CoverageRecord[],
): Record<"lines" | "branches", Record<CoverageBin, number>> {
  const empty = () =>
    Object.fromEntries(COVERAGE_BINS.map((b) => [b, 0])) as Record<CoverageBin, number>;
  const out = { lines: empty(), branches: empty() };
  for (const r of records) {
    out.lines[coverageBin(coverageRate(r.lines))] += 1 / records.length;
    out.branches[coverageBin(coverageRate(r.branches))] += 1 / records.length;
  }
  return out;
}

/**
 * Why a task's tests cover too little of its solution for the funnel filter (line or branch
 * coverage below its minimum), or `undefined` when they cover enough.
 */
export function lowCoverage(
  record: CoverageRecord,
  min: { readonly lines: number; readonly branches: number },
): string | undefined {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = coverageRate(record.lines), branches = coverageRate(record.branches);
  if (lines < min.lines) return `line coverage ${pct(lines)} < ${pct(min.lines)}`;
  if (branches < min.branches) return `branch coverage ${pct(branches)} < ${pct(min.branches)}`;
  return undefined;
}
