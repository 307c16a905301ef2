/**
 * A {@linkcode CodeModel} served by any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp
 * server, Ollama) through `npm:openai`: chat or completions mode, bounded concurrency, retries with
 * exponential backoff on 429/5xx/timeouts (the SDK's, honouring `Retry-After`), token usage counted.
 *
 * @module
 */
import OpenAI from "openai";
import type { CodeModel, GenerationOptions, GenerationRequest, TokenUsage } from "./code_model.ts";
import type { PromptStyle } from "./types.ts";

/** Which endpoint is called: `/chat/completions` or the legacy `/completions`. */
export const ENDPOINT_MODES = ["chat", "completions"] as const;
/** One of {@linkcode ENDPOINT_MODES}. */
export type EndpointMode = typeof ENDPOINT_MODES[number];

/** Configuration of an {@linkcode OpenAICodeModel}. */
export interface OpenAICodeModelConfig {
  /** Endpoint base URL, e.g. `http://127.0.0.1:8000/v1`. */
  readonly baseURL: string;
  /** Model name sent with every request. */
  readonly model: string;
  /** API key. @default "EMPTY" (local servers ignore it) */
  readonly apiKey: string;
  /** @default "chat" */
  readonly mode: EndpointMode;
  /** Requests in flight at once. @default 8 */
  readonly concurrency: number;
  /** Retries of one request on 429, 5xx, timeouts and connection errors. @default 4 */
  readonly maxRetries: number;
  /** Per-attempt timeout in ms; a timed-out attempt is retried. @default 120000 */
  readonly timeoutMs: number;
  /** System message in chat mode. @default "You are an expert Python programmer." */
  readonly systemPrompt: string;
  /**
   * Stop sequences in completions mode, per prompt style (the Codex paper's for function stubs;
   * OpenAI accepts at most 4).
   * @default { complete: ["\nclass ", "\ndef ", "\n#", "\nif __name__"], instruct: ["\nif __name__", "\nassert "] }
   */
  readonly stop: Readonly<Record<PromptStyle, readonly string[]>>;
}

/** Defaults of the optional {@linkcode OpenAICodeModelConfig} fields. */
export const DEFAULT_OPENAI_CODE_MODEL_CONFIG: Omit<OpenAICodeModelConfig, "baseURL" | "model"> =
  Object.freeze({
    apiKey: "EMPTY",
    mode: "chat",
    concurrency: 8,
    maxRetries: 4,
    timeoutMs: 120_000,
    systemPrompt: "You are an expert Python programmer.",
    stop: {
      complete: ["\nclass ", "\ndef ", "\n#", "\nif __name__"],
      instruct: ["\nif __name__", "\nassert "],
    },
  });

const _FENCE = "`".repeat(3);

/**
 * The chat message asking for a prompt's code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chatInstruction } from "./openai_code_model.ts";
 * assert.match(chatInstruction({ taskId: "t", prompt: "def f():\n" }), /^Complete the following/);
 * ```
 */
export function chatInstruction(req: GenerationRequest): string {
  if (req.chatPrompt !== undefined) return req.chatPrompt;
  const style = req.promptStyle ?? "complete";
  switch (style) {
    case "complete":
      return "Complete the following Python function. Reply with the whole function in one " +
        `${_FENCE}python code block.\n${_FENCE}python\n${req.prompt}${_FENCE}`;
    case "instruct":
      return "Solve the following task with a Python function. Reply with the code in one " +
        `${_FENCE}python code block.\n${req.prompt}`;
    default: {
      const never: never = style;
      throw new Error(`unknown prompt style ${String(never)}`);
    }
  }
}

/** FIFO limiter of concurrent async calls. */
class _Limiter {
  #active = 0;
  #queue: (() => void)[] = [];
  constructor(readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((r) => this.#queue.push(r));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}

/** A code model behind an OpenAI-compatible HTTP endpoint. */
export class OpenAICodeModel implements CodeModel {
  readonly config: OpenAICodeModelConfig;
  readonly name: string;
  #client: OpenAI;
  #limiter: _Limiter;
  #usage = { promptTokens: 0, completionTokens: 0, requests: 0, attempts: 0 };

  constructor(
    config: Partial<OpenAICodeModelConfig> & Pick<OpenAICodeModelConfig, "baseURL" | "model">,
  ) {
    this.config = { ...DEFAULT_OPENAI_CODE_MODEL_CONFIG, ...config };
    const c = this.config;
    if (!Number.isInteger(c.concurrency) || c.concurrency < 1) {
      throw new RangeError(
        `OpenAICodeModel: concurrency must be an integer >= 1, found ${c.concurrency}`,
      );
    }
    if (!Number.isInteger(c.maxRetries) || c.maxRetries < 0) {
      throw new RangeError(
        `OpenAICodeModel: maxRetries must be an integer >= 0, found ${c.maxRetries}`,
      );
    }
    this.name = c.model;
    this.#limiter = new _Limiter(c.concurrency);
    this.#client = new OpenAI({
      baseURL: c.baseURL,
      apiKey: c.apiKey,
      maxRetries: c.maxRetries,
      timeout: c.timeoutMs,
      fetch: (url: RequestInfo | URL, init?: RequestInit) => {
        this.#usage.attempts++;
        return fetch(url, init);
      },
    });
  }

  /** Tokens and requests so far. */
  usage(): TokenUsage {
    return { ...this.#usage };
  }

  /** `opts.n` completions per prompt; requests run with bounded concurrency. */
  async generate(
    prompts: readonly GenerationRequest[],
    opts: GenerationOptions,
  ): Promise<string[][]> {
    if (!Number.isInteger(opts.n) || opts.n < 1) {
      throw new RangeError(`generate: n must be an integer >= 1, found ${opts.n}`);
    }
    return await Promise.all(prompts.map((p) => this.#samples(p, opts)));
  }

  /** All `n` samples of one prompt; servers that return fewer choices than asked are asked again. */
  async #samples(req: GenerationRequest, opts: GenerationOptions): Promise<string[]> {
    const out: string[] = [];
    for (let round = 0; out.length < opts.n; round++) {
      const got = await this.#limiter.run(() => this.#request(req, opts, opts.n - out.length))
        .catch((e: Error) => {
          // The client's own messages ("Connection error.") name no endpoint.
          throw new Error(
            `${this.config.baseURL} (model ${this.config.model}, task ${req.taskId}): ${e.message}`,
            { cause: e },
          );
        });
      if (got.length === 0 && round >= opts.n) {
        throw new Error(`${this.config.baseURL}: no completions returned for ${req.taskId}`);
      }
      out.push(...got.slice(0, opts.n - out.length));
    }
    return out;
  }

  async #request(req: GenerationRequest, opts: GenerationOptions, n: number): Promise<string[]> {
    const c = this.config;
    this.#usage.requests++;
    const common = {
      model: c.model,
      n,
      temperature: opts.temperature,
      top_p: opts.topP,
      max_tokens: opts.maxTokens,
    };
    switch (c.mode) {
      case "chat": {
        const r = await this.#client.chat.completions.create({
          ...common,
          messages: [
            { role: "system", content: c.systemPrompt },
            { role: "user", content: chatInstruction(req) },
          ],
        });
        this.#count(r.usage);
        return (r.choices ?? []).map((ch) => ch.message?.content ?? "");
      }
      case "completions": {
        const r = await this.#client.completions.create({
          ...common,
          prompt: req.prompt,
          stop: [...c.stop[req.promptStyle ?? "complete"]],
        });
        this.#count(r.usage);
        return (r.choices ?? []).map((ch) => ch.text ?? "");
      }
      default: {
        const never: never = c.mode;
        throw new Error(`unknown endpoint mode ${String(never)}`);
      }
    }
  }

  #count(usage: { prompt_tokens?: number; completion_tokens?: number } | undefined | null): void {
    this.#usage.promptTokens += usage?.prompt_tokens ?? 0;
    this.#usage.completionTokens += usage?.completion_tokens ?? 0;
  }
}
