/**
 * A local OpenAI-compatible test server on 127.0.0.1 (port 0), the kit's only allowed test double.
 * It answers `/v1/chat/completions` and `/v1/completions` with a scripted answer per task, found
 * by the task's prompt inside the request; per task, scripted faults (429, 500, a slow answer)
 * come first.
 */

/** A scripted fault answered instead of the real reply. */
export type Fault = { readonly status: 429 | 500 } | { readonly slowMs: number };

/** Script of one task. */
export interface ServerTask {
  /** Text that identifies the task in a request (its prompt). */
  readonly prompt: string;
  /** The reply content. */
  readonly answer: string;
  /** Faults served, in order, before the answer. */
  readonly faults?: readonly Fault[];
}

/** A running server. */
export interface OpenAITestServer {
  readonly baseURL: string;
  /** Responses by HTTP status (a slow answer counts when it is sent). */
  readonly statuses: Map<number, number>;
  /** Requests seen per task index. */
  readonly requests: number[];
  close(): Promise<void>;
}

/** Start the server. */
export function startOpenAITestServer(tasks: readonly ServerTask[]): OpenAITestServer {
  const statuses = new Map<number, number>();
  const requests = tasks.map(() => 0);
  const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.json() as {
      messages?: { content: string }[];
      prompt?: string;
      n?: number;
    };
    const text = body.prompt ?? body.messages?.map((m) => m.content).join("\n") ?? "";
    // The longest matching prompt wins (prompts may be prefixes of each other).
    let index = -1;
    tasks.forEach((t, i) => {
      if (text.includes(t.prompt) && (index < 0 || t.prompt.length > tasks[index].prompt.length)) {
        index = i;
      }
    });
    if (index < 0) {
      count(400);
      return Response.json({ error: { message: "unknown task" } }, { status: 400 });
    }
    const seen = requests[index]++;
    const fault = tasks[index].faults?.[seen];
    if (fault !== undefined && "status" in fault) {
      count(fault.status);
      return Response.json({ error: { message: `scripted ${fault.status}` } }, {
        status: fault.status,
        headers: { "retry-after-ms": "10" },
      });
    }
    if (fault !== undefined) await new Promise((r) => setTimeout(r, fault.slowMs));
    const n = body.n ?? 1;
    const answer = tasks[index].answer;
    const usage = { prompt_tokens: 10, completion_tokens: 5 * n, total_tokens: 10 + 5 * n };
    count(200);
    if (url.pathname.endsWith("/chat/completions")) {
      return Response.json({
        id: "x",
        object: "chat.completion",
        created: 0,
        model: "test",
        choices: Array.from({ length: n }, (_, i) => ({
          index: i,
          finish_reason: "stop",
          message: { role: "assistant", content: answer },
        })),
        usage,
      });
    }
    return Response.json({
      id: "x",
      object: "text_completion",
      created: 0,
      model: "test",
      choices: Array.from(
        { length: n },
        (_, i) => ({ index: i, finish_reason: "stop", text: answer }),
      ),
      usage,
    });
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    baseURL: `http://127.0.0.1:${addr.port}/v1`,
    statuses,
    requests,
    close: () => server.shutdown(),
  };
}
