/**
 * Evaluate a model on a code benchmark: one served by an OpenAI-compatible endpoint
 * (`--endpoint URL --model NAME`), or a local Hugging Face model folder or GGUF file (`--model DIR|FILE.gguf`, lib/hf; chat
 * mode when the folder has a chat template, else completions).
 *
 * Usage:
 *   deno task eval --bench humaneval|humaneval+|mbpp|mbpp-full|mbpp+ (--endpoint URL --model NAME | --model DIR|FILE.gguf)
 *     [--n 1] [--k 1[,10]] [--temperature T] [--top-p 0.95] [--max-tokens 768] [--limit N]
 *     [--mode chat|completions] [--concurrency 8] [--workers W] [--api-key KEY] [--data-dir DIR]
 *     [--out runs/eval/<bench>__<model>__n<n>_t<T>]
 *
 * `--samples FILE` scores completions someone else produced instead (EvalPlus's `samples.jsonl`:
 * `task_id` plus `solution` or `completion`, as bigcodebench reads it too), for any benchmark:
 *   deno task eval --bench B --samples FILE [--k 1[,10]] [--tasks IDS] [--limit N] [--out DIR]
 * (`--samples canonical`: the benchmark's own reference solutions, a check of the environment).
 * `--tasks IDS` keeps the tasks of a file of task ids (one per line, or a JSON array), e.g.
 * BigCodeBench's 148-task Hard subset. `--bench livecodebench` reads the `code_generation_lite`
 * release files put in `data/benchmarks/livecodebench/` (or `--data-dir D` with `D/livecodebench/`);
 * `--from`/`--to YYYY-MM-DD` keep the problems of a contest-date window (the paper's v5 window:
 * `--from 2023-05-01 --to 2025-01-31`), and the summary adds pass@k by difficulty.
 *
 * `--bench miniflow-test` scores greedy pass@1 on the first `--limit` (100) tasks of the MiniFlow
 * test split (`--max-tokens` 160 by default), as the studies and notebook 12 do.
 *
 * Samples are appended to `<out>/samples.jsonl` as they are checked; rerunning the same command
 * resumes. `<out>/summary.json` and a results table (pass@k, error histogram) are written at the end.
 * The API key falls back to the OPENAI_API_KEY environment variable, then "EMPTY".
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { atomicWrite, lockFolder, oneOf } from "../lib/core/mod.ts";
import {
  BENCHMARK_NAMES,
  type BenchmarkName,
  BenchmarkRunner,
  type BenchmarkTask,
  canonicalProgram,
  type CodeModel,
  ENDPOINT_MODES,
  evaluateModel,
  evaluateSamples,
  type EvaluationSummary,
  type GivenSample,
  type LcbWindow,
  loadBenchmark,
  OpenAICodeModel,
  readSamplesFile,
  readTaskSubset,
  ResultsFile,
  type SampleResult,
  sha256File,
  summarizeByDifficulty,
} from "../lib/eval/mod.ts";
import { takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { type HfModelFolder, loadHfFolder } from "../lib/hf/mod.ts";
import { HfCodeModel } from "../lib/eval/hf_code_model.ts";

import { evalMiniflowTest } from "./eval_miniflow.ts";

/** The benchmarks of lib/eval, and the MiniFlow test split (`miniflow-test`, lib/pipeline). */
const BENCHES = [...BENCHMARK_NAMES, "miniflow-test"] as const;

const USAGE = "usage: deno task eval --bench " + BENCHES.join("|") +
  " (--endpoint URL --model NAME | --model DIR|FILE.gguf) [--n 1] [--k 1,10] [--temperature T] [--top-p P]" +
  " [--max-tokens N] [--limit N] [--mode chat|completions] [--concurrency N] [--workers N]" +
  " [--api-key KEY] [--data-dir DIR] [--tasks IDS] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR]" +
  " [--unsafe-isolation unshare|rlimits]" +
  "\n       deno task eval --bench B --samples FILE [--k 1,10] [--tasks IDS] [--limit N] [--out DIR]";

/** Parse a positive integer flag, or throw naming it. */
function _int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${name}: expected an integer >= 1, found "${value}"`);
  }
  return n;
}

function _num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`--${name}: expected a number >= 0, found "${value}"`);
  }
  return n;
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise). */
function _progress(label: string): (done: number, total: number) => void {
  const tty = Deno.stderr.isTerminal();
  let lastDecile = -1;
  const start = performance.now();
  return (done, total) => {
    const frac = total === 0 ? 1 : done / total;
    const width = 30;
    const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
    const secs = ((performance.now() - start) / 1000).toFixed(0);
    const line = `${label} [${bar}] ${done}/${total} ${(frac * 100).toFixed(0)}% ${secs}s`;
    if (tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}${done === total ? "\n" : ""}`));
    } else if (Math.floor(frac * 10) !== lastDecile || done === total) {
      lastDecile = Math.floor(frac * 10);
      console.error(line);
    }
  };
}

/** The results table printed at the end (markdown). */
export function formatSummary(
  meta: { readonly bench: string; readonly model: string; readonly n: number },
  s: EvaluationSummary,
): string {
  const ks = Object.keys(s.passAtK);
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    `| benchmark | model | tasks | n | ${ks.join(" | ")}${
      s.basePassAtK ? " | " + ks.map((k) => `${k} (base)`).join(" | ") : ""
    } |`,
    `|---|---|---:|---:|${ks.map(() => "---:|").join("")}${
      s.basePassAtK ? ks.map(() => "---:|").join("") : ""
    }`,
    `| ${meta.bench} | ${meta.model} | ${s.tasks} | ${meta.n} | ${
      ks.map((k) => pct(s.passAtK[k])).join(" | ")
    }${s.basePassAtK ? " | " + ks.map((k) => pct(s.basePassAtK![k])).join(" | ") : ""} |`,
    "",
    "| error | count |",
    "|---|---:|",
    ...(s.errors.length === 0 ? ["| (none) | 0 |"] : s.errors.map(([e, c]) => `| ${e} | ${c} |`)),
  ];
  if (s.usage) {
    lines.push(
      "",
      `tokens: ${s.usage.promptTokens} prompt + ${s.usage.completionTokens} completion; ` +
        `${s.usage.requests} requests, ${s.usage.attempts} HTTP attempts`,
    );
  }
  return lines.join("\n");
}

/** A local model folder or GGUF file on the wasm backend (lib/hf). */
async function _loadFolder(dir: string): Promise<HfModelFolder> {
  await initBackend("wasm");
  return await loadHfFolder(dir);
}

/** The model served at `--endpoint`. */
function _endpointModel(
  values: { readonly endpoint?: string; readonly model?: string; readonly "api-key"?: string },
  mode: (typeof ENDPOINT_MODES)[number],
  concurrency: number,
): CodeModel {
  return new OpenAICodeModel({
    baseURL: values.endpoint!,
    model: values.model!,
    apiKey: values["api-key"] ?? Deno.env.get("OPENAI_API_KEY") ?? "EMPTY",
    mode,
    concurrency,
  });
}

/**
 * `<out>/summary.json` (with the sandbox and, for benchmarks that grade difficulty, the scores of
 * each level) and the printed tables.
 */
async function _report(
  out: string,
  meta: { readonly bench: string; readonly model: string; readonly n: number },
  scored: { readonly summary: EvaluationSummary; readonly samples: readonly SampleResult[] },
  tasks: readonly BenchmarkTask[],
  runner: BenchmarkRunner,
  ks: readonly number[],
): Promise<void> {
  const byDifficulty = summarizeByDifficulty(scored.samples, tasks, ks);
  const graded = Object.keys(byDifficulty).length > 0;
  const recorded = {
    ...scored.summary,
    ...(graded ? { byDifficulty } : {}),
    sandbox: runner.sandboxInfo(),
  };
  await atomicWrite(join(out, "summary.json"), JSON.stringify(recorded, null, 2) + "\n");
  console.log(formatSummary(meta, scored.summary));
  if (graded) {
    console.log("\n| difficulty | tasks | " + ks.map((k) => `pass@${k}`).join(" | ") + " |");
    console.log("|---|---:|" + ks.map(() => "---:|").join(""));
    for (const [level, s] of Object.entries(byDifficulty)) {
      const cells = ks.map((k) => (100 * s.passAtK[`pass@${k}`]).toFixed(1)).join(" | ");
      console.log(`| ${level} | ${s.tasks} | ${cells} |`);
    }
  }
  console.error(`results in ${out}`);
}

/**
 * The tasks of `--bench`, narrowed by `--tasks` and `--limit`, and the ids of all its tasks (what a
 * samples file may name).
 */
async function _tasks(
  bench: BenchmarkName,
  values: {
    readonly "data-dir"?: string;
    readonly tasks?: string;
    readonly limit?: string;
    readonly from?: string;
    readonly to?: string;
  },
): Promise<{ tasks: BenchmarkTask[]; known: Set<string> }> {
  const window = _window(bench, values);
  const all = await loadBenchmark(bench, {
    ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
    window,
  });
  const known = new Set(all.map((t) => t.taskId));
  const subset = values.tasks === undefined ? undefined : readTaskSubset(values.tasks, known);
  const kept = subset === undefined ? all : all.filter((t) => subset.has(t.taskId));
  const tasks = values.limit === undefined ? kept : kept.slice(0, _int("limit", values.limit, 1));
  return { tasks, known };
}

/** The runner of the programs, with `--workers` sandbox workers when given. */
function _runner(workers: string | undefined): BenchmarkRunner {
  return new BenchmarkRunner(
    workers === undefined ? {} : { sandbox: { workers: _int("workers", workers, 1) } },
  );
}

/** `--from`/`--to`: LiveCodeBench's contest-date window (`YYYY-MM-DD`, inclusive). */
function _window(
  bench: BenchmarkName,
  values: { readonly from?: string; readonly to?: string },
): LcbWindow {
  for (const flag of ["from", "to"] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    if (bench !== "livecodebench") {
      throw new Error(`--${flag}: only --bench livecodebench has dates`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      throw new Error(`--${flag}: expected YYYY-MM-DD, found "${v}"`);
    }
  }
  return {
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values.to === undefined ? {} : { to: values.to }),
  };
}

/** The config of an output folder: written once, and a rerun must match it to resume. */
async function _claimConfig(out: string, config: Record<string, unknown>): Promise<void> {
  const configPath = join(out, "config.json");
  if (!existsSync(configPath)) {
    await atomicWrite(configPath, JSON.stringify(config, null, 2) + "\n");
    return;
  }
  const old = JSON.parse(readFileSync(configPath, "utf-8")) as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    if (JSON.stringify(old[key]) !== JSON.stringify(value)) {
      throw new Error(
        `${configPath}: cannot resume: ${key} was ${JSON.stringify(old[key])}, now ${
          JSON.stringify(value)
        }; use another --out`,
      );
    }
  }
}

/** `--samples canonical`: the benchmark's own reference solutions, one per task. */
const CANONICAL = "canonical";

/**
 * The samples of `--samples FILE` for `tasks` (or their canonical solutions); `known`: the ids of
 * every task of the benchmark, which the file may name.
 */
async function _givenSamples(
  file: string,
  bench: BenchmarkName,
  tasks: readonly BenchmarkTask[],
  known: ReadonlySet<string>,
): Promise<GivenSample[]> {
  if (file === CANONICAL) {
    if (tasks.some((t) => t.canonicalSolution === "")) {
      throw new Error(`--samples canonical: ${bench} has no reference solutions`);
    }
    return tasks.map((t) => ({
      taskId: t.taskId,
      sampleIndex: 0,
      text: canonicalProgram(t),
      field: "solution",
      source: t.source,
    }));
  }
  const kept = new Set(tasks.map((t) => t.taskId));
  return (await readSamplesFile(file, known)).filter((s) => kept.has(s.taskId));
}

/** `--samples FILE`: score given completions, resumably, with the same summary. */
async function _scoreSamples(
  values: Record<string, string | boolean | undefined>,
  bench: (typeof BENCHES)[number],
): Promise<number> {
  for (const flag of ["model", "endpoint", "n", "temperature", "top-p", "max-tokens", "mode"]) {
    if (values[flag] !== undefined) throw new Error(`--samples: --${flag} does not apply`);
  }
  if (bench === "miniflow-test") {
    throw new Error("--samples: miniflow-test is not a benchmark file");
  }
  const file = values.samples as string;
  const v = values as {
    "data-dir"?: string;
    tasks?: string;
    limit?: string;
    from?: string;
    to?: string;
  };
  const { tasks, known } = await _tasks(bench, v);
  const samples = await _givenSamples(file, bench, tasks, known);
  const ks = ((values.k as string | undefined) ?? "1").split(",").map((k) => _int("k", k, 1));
  const out = (values.out as string | undefined) ??
    join("runs", "eval", `${bench}__samples_${basename(file).replace(/[^\w.-]+/g, "_")}`);
  mkdirSync(out, { recursive: true });
  await using _lock = await lockFolder(out, `eval ${bench} --samples`);
  await _claimConfig(out, {
    bench,
    samples: file,
    samplesSha256: file === CANONICAL ? null : await sha256File(file),
    tasks: v.tasks ?? null,
    limit: v.limit ?? null,
    from: v.from ?? null,
    to: v.to ?? null,
  });
  const runner = _runner(values.workers as string | undefined);
  const results = await ResultsFile.open(join(out, "samples.jsonl"));
  try {
    const scored = await evaluateSamples({
      tasks,
      samples,
      runner,
      ks,
      results,
      onProgress: _progress(`${bench} ${basename(file)}`),
      onPrepareProgress: _progress("reference outputs (cached after the first run)"),
    });
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.taskId, (counts.get(s.taskId) ?? 0) + 1);
    const n = Math.min(...tasks.map((t) => counts.get(t.taskId) ?? 0));
    await _report(out, { bench, model: `samples ${basename(file)}`, n }, scored, tasks, runner, ks);
  } finally {
    results.close();
    await runner.close();
  }
  return 0;
}

/** Run the CLI; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: takeUnsafeIsolationFlag(args),
      strict: true,
      allowPositionals: false,
      options: {
        bench: { type: "string" },
        endpoint: { type: "string" },
        model: { type: "string" },
        n: { type: "string" },
        k: { type: "string" },
        temperature: { type: "string" },
        "top-p": { type: "string" },
        "max-tokens": { type: "string" },
        limit: { type: "string" },
        mode: { type: "string" },
        concurrency: { type: "string" },
        workers: { type: "string" },
        "api-key": { type: "string" },
        "data-dir": { type: "string" },
        out: { type: "string" },
        samples: { type: "string" },
        tasks: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`eval: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const bench = oneOf("--bench", values.bench, BENCHES);
    if (values.samples !== undefined) return await _scoreSamples(values, bench);
    if (values.model === undefined) throw new Error("--model is required");
    // Without --endpoint, --model is a local Hugging Face model folder or GGUF file.
    const local = values.endpoint === undefined;
    const gguf = values.model.endsWith(".gguf") && existsSync(values.model);
    if (local && !gguf && !existsSync(join(values.model, "config.json"))) {
      throw new Error(
        `--model ${values.model}: without --endpoint, expected a Hugging Face model folder ` +
          "(config.json, safetensors weights, tokenizer.json) or a .gguf file",
      );
    }
    const folder = local ? await _loadFolder(values.model) : null;
    const mode = oneOf(
      "--mode",
      values.mode ?? (folder !== null && folder.chatTemplate === null ? "completions" : "chat"),
      ENDPOINT_MODES,
    );
    const n = _int("n", values.n, 1);
    const ks = (values.k ?? "1").split(",").map((k) => _int("k", k, 1));
    for (const k of ks) if (k > n) throw new Error(`--k: ${k} is larger than --n ${n}`);
    const temperature = _num("temperature", values.temperature, n === 1 ? 0 : 0.8);
    const topP = _num("top-p", values["top-p"], 0.95);
    if (bench === "miniflow-test" && (n !== 1 || temperature !== 0)) {
      throw new Error("--bench miniflow-test is greedy pass@1 (--n 1, --temperature 0)");
    }
    const maxTokens = _int("max-tokens", values["max-tokens"], 768);
    const limit = values.limit === undefined ? undefined : _int("limit", values.limit, 1);
    const concurrency = _int("concurrency", values.concurrency, 8);
    const workers = values.workers === undefined ? undefined : _int("workers", values.workers, 1);
    const out = values.out ??
      join(
        "runs",
        "eval",
        `${bench}__${values.model.replace(/[^\w.-]+/g, "_")}__n${n}_t${temperature}`,
      );

    const config = {
      bench,
      endpoint: values.endpoint ?? null,
      model: values.model,
      mode,
      n,
      temperature,
      topP,
      maxTokens,
      limit: limit ?? null,
      tasks: values.tasks ?? null,
      from: values.from ?? null,
      to: values.to ?? null,
    };
    mkdirSync(out, { recursive: true });
    // One process per output folder: a second one would score every sample again.
    await using _lock = await lockFolder(out, `eval ${bench}`);
    await _claimConfig(out, config);

    if (bench === "miniflow-test") {
      if (n !== 1 || temperature !== 0) {
        throw new Error("--bench miniflow-test is greedy pass@1 (--n 1)");
      }
      const model = folder !== null
        ? new HfCodeModel(folder, { mode })
        : _endpointModel(values, mode, concurrency);
      try {
        console.log(
          await evalMiniflowTest({
            model,
            tasks: limit ?? 100,
            maxTokens,
            out,
            workers,
            onProgress: _progress(`miniflow-test ${values.model}`),
          }),
        );
      } finally {
        folder?.model.dispose();
      }
      console.error(`results in ${out}`);
      return 0;
    }
    const { tasks } = await _tasks(bench, values);
    const model: CodeModel = folder !== null
      ? new HfCodeModel(folder, { mode })
      : _endpointModel(values, mode, concurrency);
    const runner = _runner(values.workers);
    const results = await ResultsFile.open(join(out, "samples.jsonl"));
    try {
      const scored = await evaluateModel({
        tasks,
        model,
        runner,
        generation: { n, temperature, topP, maxTokens },
        ks,
        results,
        onProgress: _progress(`${bench} ${values.model}`),
        onPrepareProgress: _progress("reference outputs (cached after the first run)"),
      });
      await _report(out, { bench, model: values.model, n }, scored, tasks, runner, ks);
    } finally {
      results.close();
      await runner.close();
      folder?.model.dispose();
    }
    return 0;
  } catch (e) {
    console.error(`eval: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
