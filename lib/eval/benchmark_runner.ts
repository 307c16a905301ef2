/**
 * Runs programs against benchmark tasks in the sandbox: assert or `check(candidate)` tests for
 * HumanEval/MBPP, differential testing against cached reference outputs for HumanEval+/MBPP+.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename, join } from "node:path";
import { PLAIN_CODEC_ID, Sandbox, type SandboxConfig, type SandboxInfo } from "../sandbox/mod.ts";
import type { SandboxJob, SandboxResult } from "../sandbox/types.ts";
import type { Verdict } from "../core/mod.ts";
import { JsonlAppender, repairJsonl } from "../core/mod.ts";
import { REPO_ROOT } from "./data_dir.ts";
import { bcbEnvironment, bcbSandboxConfig } from "./bcb_env.ts";
import {
  DEFAULT_PLUS_CHECK_OPTIONS,
  type ExpectedOutputs,
  oracleOutputs,
  PLUS_INPUTS_SOURCE,
  plusCheckJob,
  type PlusCheckOptions,
  plusOracleJob,
} from "./plus_program.ts";
import { type BenchmarkTask, canonicalProgram } from "./types.ts";

/** Configuration of a {@linkcode BenchmarkRunner}. */
export interface BenchmarkRunnerConfig {
  /**
   * Sandbox settings for HumanEval/MBPP programs. The wall clock is wider than the sandbox's 10 s
   * default so a busy machine does not turn slow references (MBPP 123 needs ~3 CPU seconds) into
   * timeouts; the CPU limit (10 s) still stops endless loops.
   * @default { timeoutMs: 30_000 }
   */
  readonly sandbox: Partial<SandboxConfig>;
  /**
   * Sandbox settings for differential testing (HumanEval+/MBPP+), merged over `sandbox`. Some
   * references need tens of seconds over all plus inputs (MBPP+ 599 takes ~27 s), and per-input
   * limits are enforced inside the program, so the whole-run limits are wide. Memory is EvalPlus's
   * 4 GiB: MBPP+ 255 builds lists that do not fit in the sandbox's default 1 GiB.
   * @default { timeoutMs: 300_000, cpuSeconds: 300, memoryBytes: 4 GiB }
   */
  readonly plusSandbox: Partial<SandboxConfig>;
  /**
   * Directory of the expected-output cache, one JSONL file per data file keyed by its sha256.
   * @default `<repo>/.cache/eval`
   */
  readonly cacheDir: string;
  /** Per-input limits and chunking of differential tests. @default DEFAULT_PLUS_CHECK_OPTIONS */
  readonly plusCheck: PlusCheckOptions;
  /**
   * Outputs whose size exceeds this many units (about 32 characters per unit) are compared by
   * digest instead of being stored (the sandbox's `probeBudget`). @default 64
   */
  readonly smallOutputBudget: number;
  /** Largest total of the reference's outputs of one task (the oracle's records). @default 256 MiB */
  readonly oracleMaxOutputBytes: number;
  /**
   * Sandbox settings for BigCodeBench programs, merged over `sandbox` and over
   * {@linkcode bcbSandboxConfig} of the BigCodeBench environment (built on first use).
   * @default {}
   */
  readonly bcbSandbox: Partial<SandboxConfig>;
}

/** Defaults of {@linkcode BenchmarkRunnerConfig}. */
export const DEFAULT_BENCHMARK_RUNNER_CONFIG: BenchmarkRunnerConfig = Object.freeze({
  sandbox: { timeoutMs: 30_000 },
  plusSandbox: { timeoutMs: 300_000, cpuSeconds: 300, memoryBytes: 4 * 1024 ** 3 },
  cacheDir: join(REPO_ROOT, ".cache", "eval"),
  plusCheck: DEFAULT_PLUS_CHECK_OPTIONS,
  smallOutputBudget: 64,
  oracleMaxOutputBytes: 256 * 1024 * 1024,
  bcbSandbox: {},
});

/** Outcome of one program on one task. */
export interface CheckResult {
  readonly verdict: Verdict;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly passedTests: number;
  readonly totalTests: number;
  /** "+" benchmarks: whether every base input passed (EvalPlus's "base tests" score). */
  readonly basePassed?: boolean;
  /**
   * `outside`: every test was judged by the sandbox's judge process from the values the program
   * returned; `in-process`: some ran inside the program's interpreter (a weaker guarantee).
   */
  readonly judged: "outside" | "in-process";
  readonly wallMs: number;
}

/** Sha256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

/** The sandbox job that runs `program` against the ordinary tests of a task. */
export function testJob(task: BenchmarkTask, program: string): SandboxJob {
  const candidate = task.programVariable === undefined
    ? program
    : `${task.programVariable} = ${JSON.stringify(program)}\n`;
  const code = task.testSetup === undefined ? candidate : `${candidate}\n\n${task.testSetup}`;
  return {
    code,
    tests: task.tests,
    ...(task.testStyle === "check" ? { entryPoint: task.entryPoint } : {}),
    ...(task.testStyle === "unittest" ? { unittest: "TestCases" } : {}),
    ...(task.setup === undefined ? {} : { setup: task.setup }),
  };
}

function _toCheckResult(r: SandboxResult, task: BenchmarkTask): CheckResult {
  const passedTests = r.tests.filter((t) => t.passed).length;
  const base = task.plus === undefined ? undefined : r.tests.slice(0, task.plus.baseCount);
  return {
    verdict: r.verdict,
    ...(r.errorType === undefined ? {} : { errorType: r.errorType }),
    ...(r.errorMessage === undefined ? {} : { errorMessage: r.errorMessage }),
    passedTests,
    totalTests: r.tests.length,
    ...(base === undefined ? {} : { basePassed: base.length > 0 && base.every((t) => t.passed) }),
    judged: r.tests.every((t) => t.judged === "outside") ? "outside" : "in-process",
    wallMs: r.wallMs,
  };
}

/**
 * Checks programs against benchmark tasks. Differential tasks need {@linkcode prepare} first,
 * which loads the cached reference outputs or computes the missing ones in the sandbox.
 */
export class BenchmarkRunner {
  readonly config: BenchmarkRunnerConfig;
  #base?: Sandbox;
  #plus?: Sandbox;
  #bcb?: Promise<Sandbox>;
  #used?: Sandbox;
  #expected = new Map<string, ExpectedOutputs>();

  constructor(config: Partial<BenchmarkRunnerConfig> = {}) {
    this.config = { ...DEFAULT_BENCHMARK_RUNNER_CONFIG, ...config };
  }

  /** The sandbox of a task's programs. */
  async #sandboxOf(task: BenchmarkTask): Promise<Sandbox> {
    if (task.testStyle !== "unittest") return this.#sandbox(task.plus !== undefined);
    this.#bcb ??= bcbEnvironment().then((env) =>
      new Sandbox({
        ...DEFAULT_BENCHMARK_RUNNER_CONFIG.sandbox,
        ...this.config.sandbox,
        ...bcbSandboxConfig(env),
        ...this.config.bcbSandbox,
      })
    );
    return await this.#bcb;
  }

  #sandbox(plus: boolean): Sandbox {
    if (plus) {
      this.#plus ??= new Sandbox({
        ...DEFAULT_BENCHMARK_RUNNER_CONFIG.sandbox,
        ...this.config.sandbox,
        ...this.config.plusSandbox,
        probeBudget: this.config.smallOutputBudget,
      });
      return this.#plus;
    }
    this.#base ??= new Sandbox({
      ...DEFAULT_BENCHMARK_RUNNER_CONFIG.sandbox,
      ...this.config.sandbox,
    });
    return this.#base;
  }

  /** Cache file of the expected outputs of one data file. */
  async cachePath(dataFile: string): Promise<string> {
    const dataHash = (await sha256File(dataFile)).slice(0, 16);
    const harnessHash = createHash("sha256")
      .update(
        PLUS_INPUTS_SOURCE + `|${PLAIN_CODEC_ID}|budget=${this.config.smallOutputBudget}`,
      )
      .digest("hex").slice(0, 8);
    return join(
      this.config.cacheDir,
      `expected-${basename(dataFile)}-${dataHash}-h${harnessHash}.jsonl`,
    );
  }

  /**
   * Load or compute the reference outputs of every differential task in `tasks` (no-op for the
   * others). New results are appended to the cache as they come, so a kill loses little.
   */
  async prepare(
    tasks: readonly BenchmarkTask[],
    opts: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<void> {
    const byFile = new Map<string, BenchmarkTask[]>();
    for (const t of tasks) {
      if (t.plus === undefined || this.#expected.has(t.taskId)) continue;
      byFile.set(t.source.file, [...(byFile.get(t.source.file) ?? []), t]);
    }
    for (const [file, fileTasks] of byFile) {
      const path = await this.cachePath(file);
      await repairJsonl<ExpectedOutputs>(path, {
        onRecord: ({ record }) => this.#expected.set(record.taskId, record),
      });
      const missing = fileTasks.filter((t) => !this.#expected.has(t.taskId));
      if (missing.length === 0) continue;
      const oracle = new Sandbox({
        ...this.config.sandbox,
        ...this.config.plusSandbox,
        maxRecordBytes: this.config.oracleMaxOutputBytes,
        probeBudget: this.config.smallOutputBudget,
      });
      const appender = new JsonlAppender(path);
      let done = 0;
      const failures: string[] = [];
      try {
        await Promise.all(missing.map(async (task) => {
          const r = await oracle.run(plusOracleJob(task, canonicalProgram(task)));
          if (r.verdict !== "pass") {
            failures.push(
              `${task.taskId} (${file}:${task.source.line}): ${r.verdict} ${r.errorType ?? ""} ${
                r.errorMessage ?? ""
              }`.trim(),
            );
          } else {
            const e = oracleOutputs(task, r);
            this.#expected.set(task.taskId, e);
            appender.append(e);
          }
          opts.onProgress?.(++done, missing.length);
        }));
        if (failures.length > 0) {
          throw new Error(
            `the reference solutions of ${failures.length} task(s) failed on their own inputs ` +
              `(raise plusSandbox limits?): ${failures.join("; ")}`,
          );
        }
      } finally {
        appender.close();
        await oracle.close();
      }
    }
  }

  /** The sandbox job that checks `program` on `task`. */
  job(task: BenchmarkTask, program: string): SandboxJob {
    if (task.plus === undefined) return testJob(task, program);
    const expected = this.#expected.get(task.taskId);
    if (expected === undefined) {
      throw new Error(
        `no reference outputs for ${task.taskId}: call prepare() with its task first`,
      );
    }
    return plusCheckJob(task, program, expected, this.config.plusCheck);
  }

  /** Run `program` against `task`. */
  async check(task: BenchmarkTask, program: string): Promise<CheckResult> {
    const sandbox = this.#used = await this.#sandboxOf(task);
    return _toCheckResult(await sandbox.run(this.job(task, program)), task);
  }

  /**
   * The isolation and launcher its programs run under (recorded in run outputs): those of the
   * last checked program's sandbox, else of the HumanEval/MBPP one.
   */
  sandboxInfo(): SandboxInfo {
    return (this.#used ?? this.#sandbox(false)).info;
  }

  /** Release the sandboxes. */
  async close(): Promise<void> {
    await this.#base?.close();
    await this.#plus?.close();
    await (await this.#bcb?.catch(() => undefined))?.close();
  }
}
