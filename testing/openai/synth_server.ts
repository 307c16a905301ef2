/**
 * A local OpenAI-compatible test server (127.0.0.1, port 0): `POST /v1/chat/completions` with
 * `usage`. It scripts whole debugging conversations keyed by the `Task id: <id>` line of each
 * request. This is the kit's only allowed test double.
 *
 * Each task has code versions `versions[0..k]`: the task answer carries `versions[0]`, and a
 * refine request whose current code is `versions[j]` is answered with `versions[j + 1]`. The
 * `n`-th answered sample request of a task (an independent attempt, counted from 1; a status
 * fault answers none) gets `samples[n - 1]` (the last one repeats). Every conversation step
 * (`task`, `refine:<j+1>`, `sample`, `judge-pair`, `judge-tests`) has a queue of scripted replies
 * consumed one per request: faults (429, 500, a slow answer) and malformed answers come before
 * the real one.
 *
 * @module
 */

/** One scripted reply of a conversation step. */
export type Reply =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: 429 | 500 | 503; readonly retryAfter?: string }
  | { readonly kind: "slow"; readonly delayMs: number }
  | { readonly kind: "malformed"; readonly text: string };

/** The script of one task. */
export interface TaskScript {
  readonly instruction: string;
  readonly entryPoint: string;
  readonly tests: string;
  /** Code versions; the last is what the teacher converges to. */
  readonly versions: readonly string[];
  /** Answers of the sample requests, in order (the last repeats). @default [versions[0]] */
  readonly samples?: readonly string[];
  /** Replies per step before (and instead of) the real answer; key `task`, `refine:<n>`, … */
  readonly faults?: Readonly<Record<string, readonly Reply[]>>;
  /** Pair judge verdict. @default "yes" */
  readonly judge?: "yes" | "no";
  /** Test-quality judge answer. @default '{"accuracy": 5, "effectiveness": 4, "reasonableness": 5}' */
  readonly testQuality?: string;
}

/** Options of {@linkcode startTestServer}. */
export interface TestServerOptions {
  /** Scripts by task id. */
  readonly scripts?: Readonly<Record<string, TaskScript>>;
  /** Script for task ids without one (for benches and crash tests). */
  readonly fallback?: (taskId: string) => TaskScript;
  /** Latency added to every answer, in ms. @default 0 */
  readonly latencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. @default undefined */
  readonly apiKey?: string;
}

/** A running test server. */
export interface TestServer {
  readonly baseUrl: string;
  /** Requests served, per step key `<taskId>/<step>`, faults included. */
  readonly requests: Map<string, number>;
  /** Count of responses by HTTP status. */
  readonly statuses: Map<number, number>;
  close(): Promise<void>;
}

const FENCE = "```";

function _tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function _lastBlockAfter(text: string, heading: string): string | undefined {
  const at = text.indexOf(heading);
  if (at < 0) return undefined;
  const m = /```python\n([\s\S]*?)\n```/.exec(text.slice(at));
  return m?.[1];
}

function _normalise(code: string): string {
  return code.replace(/\s+$/, "");
}

/** The answer text of a step (the real answer, not a fault). */
function _answer(script: TaskScript, step: string): string {
  if (step === "task") {
    return [
      "### Instruction",
      script.instruction,
      `Entry point: ${script.entryPoint}`,
      "### Solution",
      `${FENCE}python`,
      _normalise(script.versions[0]),
      FENCE,
      "### Tests",
      `${FENCE}python`,
      _normalise(script.tests),
      FENCE,
    ].join("\n");
  }
  if (step.startsWith("refine:")) {
    const n = Number(step.slice("refine:".length));
    const code = script.versions[Math.min(n, script.versions.length - 1)];
    return `Here is the fixed code.\n${FENCE}python\n${_normalise(code)}\n${FENCE}\n`;
  }
  if (step.startsWith("sample:")) {
    const samples = script.samples ?? [script.versions[0]];
    const code = samples[Math.min(Number(step.slice("sample:".length)), samples.length) - 1];
    return `${FENCE}python\n${_normalise(code)}\n${FENCE}\n`;
  }
  if (step === "judge-pair") return script.judge === "no" ? "No." : "Yes.";
  return script.testQuality ?? '{"accuracy": 5, "effectiveness": 4, "reasonableness": 5}';
}

/** Start the server; `close()` it at the end of the test. */
export function startTestServer(options: TestServerOptions = {}): TestServer {
  const requests = new Map<string, number>();
  const statuses = new Map<number, number>();
  const answeredSamples = new Map<string, number>();
  const latency = options.latencyMs ?? 0;
  const scriptOf = (taskId: string): TaskScript | undefined =>
    options.scripts?.[taskId] ?? options.fallback?.(taskId);

  const respond = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  };

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
        return respond(404, { error: { message: `no route ${req.method} ${url.pathname}` } });
      }
      if (
        options.apiKey !== undefined &&
        req.headers.get("authorization") !== `Bearer ${options.apiKey}`
      ) {
        return respond(401, { error: { message: "invalid api key" } });
      }
      const body = await req.json() as {
        model: string;
        messages: { role: string; content: string }[];
      };
      const user = body.messages.filter((m) => m.role === "user").map((m) => m.content).join(
        "\n",
      );
      const prompt = body.messages.map((m) => m.content).join("\n");
      const taskId = /Task id: (\S+)/.exec(user)?.[1] ?? "";
      const script = scriptOf(taskId);
      if (script === undefined) {
        return respond(400, { error: { message: `no script for task ${JSON.stringify(taskId)}` } });
      }
      let step: string;
      if (user.includes("### Current code")) {
        const current = _normalise(_lastBlockAfter(user, "### Current code") ?? "");
        const j = script.versions.findLastIndex((v) => _normalise(v) === current);
        step = `refine:${j + 1}`;
      } else if (user.includes("### Version A")) step = "judge-pair";
      else if (user.includes("Write the function")) step = "sample";
      else if (user.includes("Rate the tests")) step = "judge-tests";
      else step = "task";
      const key = `${taskId}/${step}`;
      const seen = requests.get(key) ?? 0;
      requests.set(key, seen + 1);
      const faults = script.faults?.[step] ?? [];
      const reply: Reply = seen < faults.length ? faults[seen] : { kind: "ok" };
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      // An answered sample request (malformed ones too) takes the next scripted sample.
      if (step === "sample" && reply.kind !== "status") {
        const n = (answeredSamples.get(taskId) ?? 0) + 1;
        answeredSamples.set(taskId, n);
        step = `sample:${n}`;
      }
      let content: string;
      switch (reply.kind) {
        case "status":
          return respond(
            reply.status,
            { error: { message: `scripted ${reply.status}`, type: "scripted" } },
            reply.retryAfter === undefined ? {} : { "retry-after": reply.retryAfter },
          );
        case "slow": {
          // Wait, or stop as soon as the client gives up (so that close() need not wait).
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            timer = setTimeout(resolve, reply.delayMs);
            req.signal.addEventListener("abort", () => resolve(), { once: true });
          });
          clearTimeout(timer);
          content = _answer(script, step);
          break;
        }
        case "malformed":
          content = reply.text;
          break;
        case "ok":
          content = _answer(script, step);
          break;
        default: {
          const never: never = reply;
          throw new Error(`unknown reply ${JSON.stringify(never)}`);
        }
      }
      const promptTokens = _tokens(prompt);
      const completionTokens = _tokens(content);
      return respond(200, {
        id: `chatcmpl-${key}-${seen}`,
        object: "chat.completion",
        created: 0,
        model: body.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content },
          finish_reason: "stop",
          logprobs: null,
        }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      });
    },
  );
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    statuses,
    close: () => server.shutdown(),
  };
}

/**
 * A generic task (for benches and crash tests): `inc(x)` returns `x + 1`; task ids ending in a
 * digit d get `d % 3` failing versions before the fix (so some pass at iteration 0, 1 or 2).
 */
export function incrementScript(taskId: string): TaskScript {
  const d = Number(/(\d)$/.exec(taskId)?.[1] ?? 0) % 3;
  const wrong = ["def inc(x):\n    return x + 2\n", "def inc(x):\n    return x - 1\n"];
  return {
    instruction: "Return x plus one.",
    entryPoint: "inc",
    tests: "assert inc(1) == 2\nassert inc(5) == 6\n",
    versions: [...wrong.slice(0, d), "def inc(x):\n    return x + 1\n"],
  };
}
