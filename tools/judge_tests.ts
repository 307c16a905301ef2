/**
 * CLI of the test-quality judge (the paper's Appendix A.2.4, Figure 8): an LLM behind an
 * OpenAI-compatible endpoint rates each task's tests on accuracy, effectiveness and
 * reasonableness (1–5); the distribution of the scores over runs (mean share of tasks per score
 * ± 95% CI) and the mean scores. Resumable: scores are appended per task, and a rerun judges
 * only the tasks without one. (`deno task synth --test-judge-min N` judges while it synthesises
 * and stores the same records in the run's `test_quality.jsonl`.)
 *
 * ```sh
 * deno task judge-tests --runs runs/synth-4o --model gpt-4o-mini --api-key-env OPENAI_API_KEY
 * deno task judge-tests --runs runs/cache/miniflow-1-3000-1200-r5 --base-url http://127.0.0.1:8000/v1
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resumeJsonl } from "../lib/codeflow/mod.ts";
import { JsonlAppender, readJsonlFile } from "../lib/core/mod.ts";
import { type BarRow, barWithCi, savePlot } from "../lib/plot/mod.ts";
import { formatMeanCi, summarize } from "../lib/stats/mod.ts";
import { OpenAITeacher, SYNTH_FILES, type TestQualityRecord } from "../lib/synth/mod.ts";
import { readRun, runAnalysis, writeReport } from "./trajectory_runs.ts";

const USAGE = `usage: deno task judge-tests --runs A,B,… [options]

  --runs A,B             runs: synth folders or trajectories JSONL files (one record per task)
  --base-url URL         OpenAI-compatible endpoint (default https://api.openai.com/v1)
  --model NAME           judge model (default gpt-4o-mini)
  --api-key-env NAME     environment variable holding the API key (default OPENAI_API_KEY)
  --concurrency N        requests in flight (default 8)
  --out DIR              test_quality_<run>.jsonl, test_quality.md, .json and the chart
                         (default runs/test-quality)
  --help                 this text
`;

const DIMENSIONS = ["accuracy", "effectiveness", "reasonableness"] as const;

function fail(message: string): never {
  console.error(`judge-tests: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

/** Judge the tasks of one run that have no score yet in `path`; returns every score. */
async function judgeRun(
  judge: OpenAITeacher,
  runPath: string,
  path: string,
): Promise<{ records: TestQualityRecord[]; malformed: string[] }> {
  const trajectories = await readRun(runPath);
  await resumeJsonl(path); // a line torn by a kill is cut, its task judged again
  const done: TestQualityRecord[] = await readJsonlFile<TestQualityRecord>(path).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  });
  const judged = new Set(done.map((r) => r.taskId));
  const todo = trajectories.filter((t) => !judged.has(t.taskId));
  const log = new JsonlAppender(path);
  const malformed: string[] = [];
  let finished = 0;
  try {
    await Promise.all(todo.map(async (t) => {
      const task = { ...t, code: t.versions[0]?.code ?? "" };
      const q = await judge.judgeTests(task);
      if (q.ok) {
        const record: TestQualityRecord = {
          schema: "synth.test-quality/v1",
          taskId: t.taskId,
          ...q.value,
        };
        await log.append(record);
        done.push(record);
      } else malformed.push(`${t.taskId}: ${q.reason}`);
      if (++finished % 25 === 0 || finished === todo.length) {
        console.error(`[judge-tests] ${runPath}: ${finished}/${todo.length} judged`);
      }
    }));
  } finally {
    await log.close();
  }
  return { records: done, malformed };
}

function markdown(runs: readonly { label: string; records: TestQualityRecord[] }[]): string {
  const f = (values: number[], digits: number, scale = 1) =>
    formatMeanCi(summarize(values), { digits, scale });
  const lines = [
    `${runs.length} runs (${runs.map((r) => r.label).join("; ")}); mean ± 95% CI over runs.`,
    `Tasks judged per run: ${runs.map((r) => r.records.length).join(", ")}.`,
    "",
    "| dimension | mean score (1-5) | tasks scored 4 or 5 (%) |",
    "| :--- | ---: | ---: |",
  ];
  for (const d of DIMENSIONS) {
    const mean = runs.map((r) => r.records.reduce((a, q) => a + q[d], 0) / r.records.length);
    const high = runs.map((r) => r.records.filter((q) => q[d] >= 4).length / r.records.length);
    lines.push(`| ${d} | ${f(mean, 2)} | ${f(high, 1, 100)} |`);
  }
  return lines.join("\n") + "\n";
}

async function chart(
  dir: string,
  runs: readonly { records: TestQualityRecord[] }[],
): Promise<string> {
  const rows: BarRow[] = [];
  for (const d of DIMENSIONS) {
    for (const score of [1, 2, 3, 4, 5]) {
      const values = runs.map((r) =>
        100 * r.records.filter((q) => q[d] === score).length / r.records.length
      );
      const s = summarize(values);
      rows.push({
        variant: d,
        group: String(score),
        mean: s.mean,
        ciLow: s.ciLow,
        ciHigh: s.ciHigh,
        seeds: values,
      });
    }
  }
  const spec = barWithCi(rows, {
    title: "Test quality as the judge scores it",
    xTitle: "score",
    yTitle: "tasks (%)",
    yDomain: [0, 100],
    legendTitle: "Dimension",
  });
  return (await savePlot(dir, "test_quality", spec)).png;
}

async function main(): Promise<void> {
  let a;
  try {
    a = parseArgs({
      args: Deno.args,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: "string" },
        "base-url": { type: "string" },
        model: { type: "string" },
        "api-key-env": { type: "string" },
        concurrency: { type: "string" },
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
  if (a.runs === undefined) fail("--runs is required");
  const baseUrl = a["base-url"] ?? "https://api.openai.com/v1";
  const keyEnv = a["api-key-env"] ?? "OPENAI_API_KEY";
  const apiKey = Deno.env.get(keyEnv) ?? "";
  if (apiKey === "" && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(baseUrl)) {
    fail(`environment variable ${keyEnv} (named by --api-key-env) is empty or unset`);
  }
  const concurrency = Number(a.concurrency ?? "8");
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    fail(`--concurrency must be an integer >= 1, got ${JSON.stringify(a.concurrency)}`);
  }
  const out = a.out ?? "runs/test-quality";
  await Deno.mkdir(out, { recursive: true });
  const judge = new OpenAITeacher({
    baseUrl,
    model: a.model ?? "gpt-4o-mini",
    apiKey: apiKey === "" ? "none" : apiKey,
    concurrency,
    logPath: join(out, SYNTH_FILES.requests),
  });
  const runs: { label: string; records: TestQualityRecord[] }[] = [];
  try {
    for (const [i, path] of a.runs.split(",").entries()) {
      const { records, malformed } = await judgeRun(
        judge,
        path,
        join(out, `test_quality_${i}.jsonl`),
      );
      for (const m of malformed.slice(0, 5)) console.error(`[judge-tests] malformed answer: ${m}`);
      if (malformed.length > 0) {
        console.error(
          `[judge-tests] ${path}: ${malformed.length} malformed answers; rerun to retry them`,
        );
      }
      if (records.length === 0) throw new Error(`${path}: no task was judged`);
      runs.push({ label: path, records });
    }
  } finally {
    await judge.close();
  }
  await writeReport(out, "test_quality", markdown(runs), {
    judge: judge.id,
    usage: judge.usage,
  }, (dir) => chart(dir, runs));
}

await runAnalysis("judge-tests", main);
