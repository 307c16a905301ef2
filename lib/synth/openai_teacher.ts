/**
 * The `openai` teacher: any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama)
 * through `npm:openai` (DESIGN §5 "Teachers").
 *
 * @module
 */
import OpenAI from "openai";
import { type CodeVersion, JsonlAppender, type TeacherId } from "../core/mod.ts";
import { backoffDelayMs, parseRetryAfterMs } from "./backoff.ts";
import { parseCodeAnswer, parseTaskAnswer, parseTestQuality, parseYesNo } from "./parse_answer.ts";
import {
  type ChatMessage,
  judgePairMessages,
  refineMessages,
  sampleMessages,
  taskMessages,
  testQualityMessages,
} from "./prompts.ts";
import { Semaphore } from "./semaphore.ts";
import type {
  Feedback,
  JudgeInput,
  PairJudge,
  Sampler,
  TaskIdentity,
  Teacher,
  TeacherAnswer,
  TeacherTask,
  TestJudge,
  TestQuality,
} from "./types.ts";

/** Configuration of {@linkcode OpenAITeacher}. */
export interface OpenAITeacherConfig {
  /** Endpoint base URL, up to and including `/v1`. @default "https://api.openai.com/v1" */
  readonly baseUrl: string;
  /** Model name sent with every request. @default "gpt-4o-mini" */
  readonly model: string;
  /** API key (local servers accept any). @default "none" */
  readonly apiKey: string;
  /** Maximum in-flight requests, shared by every call of this teacher. @default 8 */
  readonly concurrency: number;
  /** Retries of one call on 429, 5xx, timeouts and connection errors. @default 5 */
  readonly maxRetries: number;
  /** Per-request timeout in ms; a timed-out request is retried. @default 60000 */
  readonly timeoutMs: number;
  /** Sampling temperature of task writing and debugging (judges use 0). @default 0.7 */
  readonly temperature: number;
  /** `max_tokens` of every request. @default 2048 */
  readonly maxTokens: number;
  /** First retry delay ceiling in ms (doubles per retry, full jitter). @default 500 */
  readonly retryBaseMs: number;
  /** Cap of any retry delay, `Retry-After` included, in ms. @default 30000 */
  readonly retryMaxMs: number;
  /** USD per 1k prompt tokens. @default 0 */
  readonly pricePer1kPrompt: number;
  /** USD per 1k completion tokens. @default 0 */
  readonly pricePer1kCompletion: number;
  /** Seed of the topic/twist draw of each task index and of the retry jitter. @default 0 */
  readonly seed: number;
  /** Task ids are `<taskIdPrefix>-<seed>-<index, 6 digits>`. @default "openai" */
  readonly taskIdPrefix: string;
  /** JSONL file receiving every request and response; `null` disables the log. @default null */
  readonly logPath: string | null;
}

/** Defaults of {@linkcode OpenAITeacherConfig}. */
export const DEFAULT_OPENAI_TEACHER_CONFIG: OpenAITeacherConfig = Object.freeze({
  baseUrl: "https://api.openai.com/v1",
  model: "gpt-4o-mini",
  apiKey: "none",
  concurrency: 8,
  maxRetries: 5,
  timeoutMs: 60_000,
  temperature: 0.7,
  maxTokens: 2048,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  pricePer1kPrompt: 0,
  pricePer1kCompletion: 0,
  seed: 0,
  taskIdPrefix: "openai",
  logPath: null,
});

/** Token, cost and call counters of a teacher. */
export interface TeacherUsage {
  /** Logical calls (one per propose/refine/judge), whatever their retries. */
  readonly calls: number;
  /** HTTP attempts, retries included. */
  readonly requests: number;
  readonly retries: number;
  /** Logical calls that failed after every retry. */
  readonly failedCalls: number;
  /** Answers that did not parse. */
  readonly malformedAnswers: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costUsd: number;
}

/** The kinds of model call, as logged. */
export type CallKind = "task" | "refine" | "sample" | "judge-pair" | "judge-tests";

/** A call that failed for good: a non-retryable HTTP status, or every retry spent. */
export class TeacherRequestError extends Error {
  /** HTTP status of the last attempt, when there was a response. */
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "TeacherRequestError";
    this.status = status;
  }
}

function _retryable(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (err instanceof OpenAI.APIError) {
    const s = err.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

function _describe(err: unknown): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return "timeout";
  if (err instanceof OpenAI.APIError) return `${err.status ?? "connection"}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * A teacher, pair judge and test judge backed by an OpenAI-compatible chat endpoint.
 *
 * Every model call goes through one semaphore (`concurrency`), is retried with exponential
 * backoff and jitter on 429/5xx/timeouts (honouring `Retry-After`), is counted in
 * {@linkcode OpenAITeacher.usage}, and is logged (request and response, failures included) to
 * `logPath`. A malformed answer is returned as `ok: false`, never thrown; a call that fails for
 * good throws {@linkcode TeacherRequestError}, which stops a synthesis run (resumable).
 */
export class OpenAITeacher implements Teacher, TaskIdentity, Sampler, PairJudge, TestJudge {
  readonly id: TeacherId;
  readonly config: OpenAITeacherConfig;
  readonly #client: OpenAI;
  readonly #sem: Semaphore;
  readonly #log: JsonlAppender | undefined;
  #jitterState: number;
  #requestSeq = 0;
  #usage = {
    calls: 0,
    requests: 0,
    retries: 0,
    failedCalls: 0,
    malformedAnswers: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };

  /** @param config Overrides of {@linkcode DEFAULT_OPENAI_TEACHER_CONFIG}. */
  constructor(config: Partial<OpenAITeacherConfig> = {}) {
    this.config = { ...DEFAULT_OPENAI_TEACHER_CONFIG, ...config };
    const c = this.config;
    if (!Number.isInteger(c.maxRetries) || c.maxRetries < 0) {
      throw new RangeError(`maxRetries must be an integer >= 0, got ${c.maxRetries}`);
    }
    if (!(c.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${c.timeoutMs}`);
    this.id = { kind: "openai", model: c.model, baseUrl: c.baseUrl };
    this.#client = new OpenAI({
      baseURL: c.baseUrl,
      apiKey: c.apiKey,
      // Explicit nulls: the SDK would otherwise read OPENAI_* environment variables.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout: c.timeoutMs,
      maxRetries: 0, // retries are ours: logged, counted, and sharing the semaphore
      logLevel: "off",
    });
    this.#sem = new Semaphore(c.concurrency);
    this.#log = c.logPath === null ? undefined : new JsonlAppender(c.logPath);
    this.#jitterState = (c.seed ^ 0x9e3779b9) >>> 0;
  }

  /** Counters so far. */
  get usage(): TeacherUsage {
    return { ...this.#usage };
  }

  /** The id `proposeTask(index)` gives its task. */
  taskIdFor(index: number): string {
    return `${this.config.taskIdPrefix}-${this.config.seed}-${String(index).padStart(6, "0")}`;
  }

  /** Write task `index` from its seeded topic and twist. */
  async proposeTask(index: number): Promise<TeacherAnswer<TeacherTask>> {
    const taskId = this.taskIdFor(index);
    const content = await this.#chat({
      kind: "task",
      taskId,
      messages: taskMessages({ taskId, seed: this.config.seed, index }),
      temperature: this.config.temperature,
    });
    const parsed = parseTaskAnswer(content);
    if (!parsed.ok) return this.#malformed(parsed.reason);
    return { ok: true, value: { taskId, ...parsed.value } };
  }

  /** Fix the latest code given the sandbox feedback. */
  async refine(
    task: TeacherTask,
    history: readonly CodeVersion[],
    feedback: Feedback,
  ): Promise<TeacherAnswer<string>> {
    const content = await this.#chat({
      kind: "refine",
      taskId: task.taskId,
      messages: refineMessages(task, history, feedback),
      temperature: this.config.temperature,
    });
    const parsed = parseCodeAnswer(content, task.entryPoint);
    return parsed.ok ? parsed : this.#malformed(parsed.reason);
  }

  /** An independent attempt at the task from its instruction alone (`k` only labels the call). */
  async sample(task: TeacherTask, k: number): Promise<TeacherAnswer<string>> {
    const content = await this.#chat({
      kind: "sample",
      taskId: task.taskId,
      messages: sampleMessages(task),
      temperature: this.config.temperature,
      sample: k,
    });
    const parsed = parseCodeAnswer(content, task.entryPoint);
    return parsed.ok ? parsed : this.#malformed(parsed.reason);
  }

  /** Judge whether `rejected` → `chosen` is a logical change (yes) or cosmetic (no). */
  async judgePair(input: JudgeInput): Promise<TeacherAnswer<boolean>> {
    const content = await this.#chat({
      kind: "judge-pair",
      taskId: input.taskId ?? "",
      messages: judgePairMessages(input),
      temperature: 0,
    });
    const parsed = parseYesNo(content);
    return parsed.ok ? parsed : this.#malformed(parsed.reason);
  }

  /** Rate a task's tests on accuracy, effectiveness and reasonableness (1–5). */
  async judgeTests(task: TeacherTask): Promise<TeacherAnswer<TestQuality>> {
    const content = await this.#chat({
      kind: "judge-tests",
      taskId: task.taskId,
      messages: testQualityMessages(task),
      temperature: 0,
    });
    const parsed = parseTestQuality(content);
    return parsed.ok ? parsed : this.#malformed(parsed.reason);
  }

  /** Flush and close the request log. */
  async close(): Promise<void> {
    await this.#log?.close();
  }

  #malformed<T>(reason: string): TeacherAnswer<T> {
    this.#usage.malformedAnswers++;
    return { ok: false, reason };
  }

  #jitter(): number {
    // Mulberry32 step: deterministic jitter per teacher seed.
    this.#jitterState = (this.#jitterState + 0x6d2b79f5) >>> 0;
    let t = this.#jitterState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  async #chat(
    call: {
      kind: CallKind;
      taskId: string;
      messages: ChatMessage[];
      temperature: number;
      /** The sample index of a `sample` call (logged, so a request names its sample). */
      sample?: number;
    },
  ): Promise<string> {
    this.#usage.calls++;
    const c = this.config;
    for (let attempt = 0;; attempt++) {
      const requestId = ++this.#requestSeq;
      const outcome = await this.#sem.use(async () => {
        const t0 = performance.now();
        await this.#log?.append({
          schema: "synth.request/v1",
          requestId,
          ts: new Date().toISOString(),
          kind: call.kind,
          taskId: call.taskId,
          ...(call.sample === undefined ? {} : { sample: call.sample }),
          attempt,
          model: c.model,
          temperature: call.temperature,
          messages: call.messages,
        });
        this.#usage.requests++;
        try {
          const res = await this.#client.chat.completions.create({
            model: c.model,
            messages: call.messages,
            temperature: call.temperature,
            max_tokens: c.maxTokens,
          });
          const usage = res.usage;
          const promptTokens = usage?.prompt_tokens ?? 0;
          const completionTokens = usage?.completion_tokens ?? 0;
          this.#usage.promptTokens += promptTokens;
          this.#usage.completionTokens += completionTokens;
          this.#usage.costUsd += (promptTokens / 1000) * c.pricePer1kPrompt +
            (completionTokens / 1000) * c.pricePer1kCompletion;
          const content = res.choices?.[0]?.message?.content ?? "";
          await this.#log?.append({
            schema: "synth.response/v1",
            requestId,
            ts: new Date().toISOString(),
            kind: call.kind,
            taskId: call.taskId,
            attempt,
            ok: true,
            latencyMs: Math.round(performance.now() - t0),
            promptTokens,
            completionTokens,
            finishReason: res.choices?.[0]?.finish_reason ?? null,
            content,
          });
          return { ok: true as const, content };
        } catch (err) {
          const retry = _retryable(err) && attempt < c.maxRetries;
          const headers = err instanceof OpenAI.APIError ? err.headers : undefined;
          const delayMs = retry
            ? backoffDelayMs({
              attempt,
              baseMs: c.retryBaseMs,
              maxMs: c.retryMaxMs,
              random: this.#jitter(),
              retryAfterMs: parseRetryAfterMs(headers),
            })
            : undefined;
          const status = err instanceof OpenAI.APIError ? err.status : undefined;
          await this.#log?.append({
            schema: "synth.response/v1",
            requestId,
            ts: new Date().toISOString(),
            kind: call.kind,
            taskId: call.taskId,
            attempt,
            ok: false,
            latencyMs: Math.round(performance.now() - t0),
            status: status ?? null,
            error: _describe(err),
            retryInMs: delayMs ?? null,
          });
          return { ok: false as const, err, delayMs, status };
        }
      });
      if (outcome.ok) return outcome.content;
      if (outcome.delayMs === undefined) {
        this.#usage.failedCalls++;
        throw new TeacherRequestError(
          `${call.kind} call for task ${JSON.stringify(call.taskId)} to ${c.baseUrl} failed ` +
            `after ${attempt + 1} attempt(s): ${_describe(outcome.err)}`,
          outcome.status,
        );
      }
      this.#usage.retries++;
      await new Promise((r) => setTimeout(r, outcome.delayMs));
    }
  }
}
