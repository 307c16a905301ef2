/**
 * CLI of a synthesis run (DESIGN §1.1, §5 "Teachers"): propose tasks, run the refinement loop
 * in the sandbox, and append trajectories and pairs under `--out` (resumable: rerun the same
 * command after a kill).
 *
 * ```sh
 * deno task synth --teacher miniflow --tasks 2000 --out data/synth/miniflow
 * deno task synth --teacher openai --tasks 100 --out runs/synth-4o --model gpt-4o-mini \
 *   --base-url https://api.openai.com/v1 --api-key-env OPENAI_API_KEY --judge
 * deno task synth --teacher miniflow --tasks 2000 --samples 5 --out data/synth/miniflow-s5
 * ```
 *
 * @module
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DIFF_METHODS,
  EMPTY_REJECTED_POLICIES,
  oneOf,
  PASS_FAIL_RANKINGS,
  SELECTION_RULES,
  TEACHER_KINDS,
} from "../lib/core/mod.ts";
import { initBackend } from "../lib/backend/mod.ts";
import type { CodeModel } from "../lib/eval/code_model.ts";
import { HfCodeModel } from "../lib/eval/hf_code_model.ts";
import { TfjsCodeModel } from "../lib/eval/tfjs_code_model.ts";
import { loadHfFolder } from "../lib/hf/mod.ts";
import { MiniFlowTeacher } from "../lib/miniflow/mod.ts";
import { loadCheckpoint } from "../lib/model/mod.ts";
import { Sandbox, takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import {
  type BatchPreparer,
  codeflowPairBuilder,
  coverageSitePackages,
  formatSynthStats,
  ModelSampler,
  OpenAITeacher,
  ProgressBar,
  type Sampler,
  SYNTH_FILES,
  synthesize,
  type TaskIdentity,
  type Teacher,
} from "../lib/synth/mod.ts";

const USAGE = `usage: deno task synth --teacher miniflow|openai|model --tasks N --out DIR [options]

  --teacher miniflow|openai|model   task and fix source (required); model: MiniFlow's tasks,
                              samples from --model-path (with --samples)
  --tasks N                   number of task indexes [first-index, first-index + N) (required)
  --out DIR                   run folder; rerun the same command to resume (required)
  --seed N                    teacher seed and pair-selection seed (default 0)
  --first-index N             first task index (default 0)
  --max-pairs N               stop taking new tasks once N pairs are kept (default: no limit)
  --concurrency N             tasks in flight, and openai requests in flight (default 8)
  --workers N                 sandbox worker processes (default: number of CPUs)
  --prepare-batch N           task indexes a batching teacher (miniflow) prepares at once (default 32)
  --max-refinements N         refinement iterations after iteration 0 (default 5)
  --samples N                 sample each task N times instead of debugging it (pass-rate pairs)
  --selection random|first|last|pass-vs-fail   pair rule (default random; pass-vs-fail with --samples)
  --ranking random|fewest-passed|most-passed   pass-vs-fail: failing sample taken (default random)
  --min-gap X                 pass-vs-fail: least pass-rate gap of the rejected sample (default 0)
  --diff lcs|ratcliff|prefix-suffix   line-diff method (default lcs)
  --empty-rejected keep|drop|anchor   policy when the fix only adds lines (default keep)
  --judge                     run the LLM pair judge (an openai endpoint) after the rule filters
  --test-judge-min N          skip tasks whose tests an LLM rates below N (1-5) on any axis
                              (1 keeps every task; the scores go to test_quality.jsonl)
  --min-coverage X            drop tasks whose tests cover less than X (0-1) of the passing
                              solution's lines (coverage.py in the sandbox; coverage.jsonl)
  --min-branch-coverage X     the same for branches (default 0 once either flag is given)
  --base-url URL              openai endpoint (default https://api.openai.com/v1)
  --model NAME                openai model (default gpt-4o-mini)
  --api-key-env NAME          environment variable holding the API key (default OPENAI_API_KEY)
  --timeout-ms N              per-request timeout (default 60000)
  --max-retries N             retries on 429/5xx/timeouts (default 5)
  --temperature X             sampling temperature (default 0.7)
  --model-path PATH           --teacher model: a kit checkpoint (a folder with card.json) or a
                              Hugging Face folder / GGUF file that writes the samples
  --max-tokens N              --teacher model: tokens per sample at most (default 256)
  --price-prompt X            USD per 1k prompt tokens (default 0)
  --price-completion X        USD per 1k completion tokens (default 0)
  --unsafe-isolation MODE     unshare|rlimits: run untrusted code without bubblewrap (a banner warns)
  --help                      this text
`;

function fail(message: string): never {
  console.error(`synth: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    fail(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    fail(`--${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

function choice<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  try {
    return oneOf(`--${name}`, value, allowed);
  } catch (e) {
    return fail((e as Error).message);
  }
}

let parsed;
try {
  parsed = parseArgs({
    args: takeUnsafeIsolationFlag(Deno.args),
    strict: true,
    allowPositionals: false,
    options: {
      teacher: { type: "string" },
      tasks: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      "first-index": { type: "string" },
      "max-pairs": { type: "string" },
      concurrency: { type: "string" },
      workers: { type: "string" },
      "prepare-batch": { type: "string" },
      "max-refinements": { type: "string" },
      samples: { type: "string" },
      selection: { type: "string" },
      ranking: { type: "string" },
      "min-gap": { type: "string" },
      diff: { type: "string" },
      "empty-rejected": { type: "string" },
      judge: { type: "boolean" },
      "test-judge-min": { type: "string" },
      "min-coverage": { type: "string" },
      "min-branch-coverage": { type: "string" },
      "base-url": { type: "string" },
      model: { type: "string" },
      "api-key-env": { type: "string" },
      "timeout-ms": { type: "string" },
      "max-retries": { type: "string" },
      temperature: { type: "string" },
      "price-prompt": { type: "string" },
      "model-path": { type: "string" },
      "max-tokens": { type: "string" },
      "price-completion": { type: "string" },
      help: { type: "boolean" },
    },
  });
} catch (err) {
  // parseArgs names the offending flag ("Unknown option '--x'").
  fail((err as Error).message);
}
const a = parsed.values;
if (a.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const teacherKind = a.teacher === undefined
  ? fail("--teacher is required")
  : choice("teacher", a.teacher, TEACHER_KINDS, "miniflow");
if (a.tasks === undefined) fail("--tasks is required");
if (a.out === undefined) fail("--out is required");
const config = {
  teacher: teacherKind,
  tasks: int("tasks", a.tasks, 0),
  out: a.out,
  seed: int("seed", a.seed, 0),
  firstIndex: int("first-index", a["first-index"], 0),
  maxPairs: a["max-pairs"] === undefined ? null : int("max-pairs", a["max-pairs"], 0, 1),
  concurrency: int("concurrency", a.concurrency, 8, 1),
  workers: int("workers", a.workers, navigator.hardwareConcurrency, 1),
  prepareBatch: int("prepare-batch", a["prepare-batch"], 32, 1),
  maxRefinements: int("max-refinements", a["max-refinements"], 5),
  samples: a.samples === undefined ? null : int("samples", a.samples, 0, 2),
  selection: choice(
    "selection",
    a.selection,
    SELECTION_RULES,
    a.samples === undefined ? "random" : "pass-vs-fail",
  ),
  ranking: choice("ranking", a.ranking, PASS_FAIL_RANKINGS, "random"),
  minGap: num("min-gap", a["min-gap"], 0),
  diff: choice("diff", a.diff, DIFF_METHODS, "lcs"),
  emptyRejected: choice("empty-rejected", a["empty-rejected"], EMPTY_REJECTED_POLICIES, "keep"),
  judge: a.judge ?? false,
  testJudgeMin: a["test-judge-min"] === undefined
    ? null
    : int("test-judge-min", a["test-judge-min"], 0, 1),
  minCoverage: a["min-coverage"] === undefined && a["min-branch-coverage"] === undefined ? null : {
    lines: num("min-coverage", a["min-coverage"], 0),
    branches: num("min-branch-coverage", a["min-branch-coverage"], 0),
  },
  baseUrl: a["base-url"] ?? "https://api.openai.com/v1",
  model: a.model ?? "gpt-4o-mini",
  apiKeyEnv: a["api-key-env"] ?? "OPENAI_API_KEY",
  timeoutMs: int("timeout-ms", a["timeout-ms"], 60_000, 1),
  maxRetries: int("max-retries", a["max-retries"], 5),
  temperature: num("temperature", a.temperature, 0.7),
  pricePer1kPrompt: num("price-prompt", a["price-prompt"], 0),
  modelPath: a["model-path"] ?? null,
  maxTokens: int("max-tokens", a["max-tokens"], 256, 1),
  pricePer1kCompletion: num("price-completion", a["price-completion"], 0),
};

if (config.teacher === "model" && config.samples === null) {
  fail("--teacher model samples only: give --samples N");
}
if (config.samples !== null && config.selection !== "pass-vs-fail") {
  fail(`--selection ${config.selection}: samples are paired by pass-vs-fail (--samples given)`);
}
for (
  const [flag, x] of [
    ["min-gap", config.minGap],
    ["min-coverage", config.minCoverage?.lines ?? 0],
    ["min-branch-coverage", config.minCoverage?.branches ?? 0],
  ] as const
) {
  if (x > 1) fail(`--${flag} must be in [0, 1], got ${x}`);
}

const needsEndpoint = config.teacher === "openai" || config.judge || config.testJudgeMin !== null;
const apiKey = needsEndpoint ? (Deno.env.get(config.apiKeyEnv) ?? "") : "";
if (
  needsEndpoint && apiKey === "" && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(config.baseUrl)
) {
  fail(`environment variable ${config.apiKeyEnv} (named by --api-key-env) is empty or unset`);
}
const openai = needsEndpoint
  ? new OpenAITeacher({
    baseUrl: config.baseUrl,
    model: config.model,
    apiKey: apiKey === "" ? "none" : apiKey,
    concurrency: config.concurrency,
    maxRetries: config.maxRetries,
    timeoutMs: config.timeoutMs,
    temperature: config.temperature,
    pricePer1kPrompt: config.pricePer1kPrompt,
    pricePer1kCompletion: config.pricePer1kCompletion,
    seed: config.seed,
    logPath: join(config.out, SYNTH_FILES.requests),
  })
  : null;

const sandbox = new Sandbox({ workers: config.workers });
// The coverage filter's programs import coverage.py (bound read-only into their sandbox).
let coverageSandbox: Sandbox | null = null;
if (config.minCoverage !== null) {
  try {
    const site = coverageSitePackages(sandbox.config.pythonPath);
    coverageSandbox = new Sandbox({ workers: config.workers, sitePackages: [site] });
  } catch (e) {
    fail(`--min-coverage: ${(e as Error).message}`);
  }
}
let teacher: Teacher & Partial<TaskIdentity> & Partial<BatchPreparer> & Partial<Sampler>;
switch (config.teacher) {
  case "openai":
    teacher = openai!;
    break;
  case "miniflow":
    teacher = new MiniFlowTeacher(sandbox, { seed: config.seed });
    break;
  case "model":
    teacher = new ModelSampler(
      new MiniFlowTeacher(sandbox, { seed: config.seed }),
      await _codeModel(config.modelPath ?? fail("--teacher model needs --model-path PATH")),
      { temperature: config.temperature, maxTokens: config.maxTokens },
    );
    break;
  default: {
    const never: never = config.teacher;
    fail(`unknown teacher ${never}`);
  }
}

/**
 * The sampling model of `--teacher model`: a kit checkpoint (a folder with `card.json`, as
 * `deno task pretrain` writes) or a Hugging Face folder or GGUF file, on the wasm backend.
 */
async function _codeModel(path: string): Promise<CodeModel> {
  await initBackend("wasm");
  try {
    if (existsSync(join(path, "card.json"))) {
      const { model, tokenizer } = await loadCheckpoint(path);
      return new TfjsCodeModel(model, tokenizer, { name: basename(path), batchSize: 1 });
    }
    return new HfCodeModel(await loadHfFolder(path), { batchSize: 1 });
  } catch (e) {
    return fail(`--model-path ${path}: ${(e as Error).message}`);
  }
}

try {
  if (!Deno.statSync(config.out).isDirectory) {
    fail(`--out ${config.out}: is a file, expected a folder`);
  }
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
await Deno.mkdir(config.out, { recursive: true });
const commit = await new Deno.Command("git", {
  args: ["rev-parse", "HEAD"],
  stdout: "piped",
  stderr: "null",
})
  .output().then((o) => o.success ? new TextDecoder().decode(o.stdout).trim() : null).catch(() =>
    null
  );

/** The settings that define the records; the rest (concurrency, workers, limits) only run them. */
function _dataSettings(c: typeof config): Record<string, unknown> {
  const endpoint = c.teacher === "openai" || c.judge || c.testJudgeMin !== null
    ? { baseUrl: c.baseUrl, model: c.model, temperature: c.temperature }
    : {};
  const sampler = c.teacher === "model"
    ? { modelPath: resolve(c.modelPath!), temperature: c.temperature, maxTokens: c.maxTokens }
    : {};
  // Sampling settings only for sampling runs, so debugging folders resume as before.
  const sampling = c.samples === null
    ? {}
    : { samples: c.samples, ranking: c.ranking, minGap: c.minGap };
  return {
    teacher: c.teacher,
    seed: c.seed,
    firstIndex: c.firstIndex,
    maxRefinements: c.maxRefinements,
    ...sampling,
    ...sampler,
    selection: c.selection,
    diff: c.diff,
    emptyRejected: c.emptyRejected,
    judge: c.judge,
    testJudgeMin: c.testJudgeMin,
    ...(c.minCoverage === null ? {} : { minCoverage: c.minCoverage }),
    ...endpoint,
  };
}

const pairs = await codeflowPairBuilder({
  selection: config.selection,
  seed: config.seed,
  diff: config.diff,
  emptyRejected: config.emptyRejected,
  passFail: { ranking: config.ranking, minGap: config.minGap },
});
const bar = new ProgressBar();
const t0 = performance.now();
let exitCode = 0;
try {
  const result = await synthesize({
    teacher,
    runner: sandbox,
    outDir: config.out,
    tasks: config.tasks,
    firstIndex: config.firstIndex,
    concurrency: config.concurrency,
    prepareBatch: config.prepareBatch,
    maxPairs: config.maxPairs ?? Infinity,
    maxRefinements: config.maxRefinements,
    ...(config.samples === null ? {} : { samples: config.samples }),
    pairBuilder: pairs.build,
    config: {
      data: _dataSettings(config),
      info: {
        ...config,
        teacherId: teacher.id,
        gitCommit: commit,
        sandboxIsolation: sandbox.isolation,
        sandboxLauncher: sandbox.launcher,
      },
    },
    judge: config.judge ? openai : null,
    testJudge: config.testJudgeMin === null
      ? null
      : { judge: openai!, minScore: config.testJudgeMin },
    coverage: coverageSandbox === null ? null : {
      runner: coverageSandbox,
      minLines: config.minCoverage!.lines,
      minBranches: config.minCoverage!.branches,
    },
    onProgress: (p) => bar.update(p),
    sessionInfo: () => ({
      seconds: (performance.now() - t0) / 1000,
      ...(openai ? { teacherUsage: openai.usage } : {}),
    }),
  });
  bar.finish();
  console.log(formatSynthStats(result.stats));
  console.log(
    `this session: ${result.processed} tasks processed, ${result.resumed} already finished, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (openai) {
    const u = openai.usage;
    console.log(
      `model calls ${u.calls} (requests ${u.requests}, retries ${u.retries}), tokens ` +
        `${u.promptTokens} prompt + ${u.completionTokens} completion, cost $${
          u.costUsd.toFixed(4)
        }`,
    );
  }
} catch (err) {
  bar.finish();
  const message = (err as Error).message;
  const resumable = !/is in use by pid|cannot resume with other data settings/.test(message);
  console.error(
    `synth: stopped: ${message}${resumable ? "\nrerun the same command to resume." : ""}`,
  );
  exitCode = 1;
} finally {
  await pairs.close();
  await openai?.close();
  await sandbox.close();
  await coverageSandbox?.close();
}
Deno.exit(exitCode);
