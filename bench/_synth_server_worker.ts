/**
 * Web Worker hosting the local OpenAI-compatible test server for bench/synth_bench.ts, so that
 * the server's CPU time runs on its own thread, as a real endpoint would.
 *
 * Message in: `{ latencyMs: number }`; message out: `{ baseUrl: string }`.
 *
 * @module
 */
import { incrementScript, startTestServer } from "../testing/openai/mod.ts";

/** Script with one wrong version, so that refine answers a fix. */
const fallback = (taskId: string) => ({
  ...incrementScript(taskId),
  versions: ["def inc(x):\n    return x + 2\n", "def inc(x):\n    return x + 1\n"],
});

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<{ latencyMs: number }>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (e) => {
  const server = startTestServer({ fallback, latencyMs: e.data.latencyMs });
  scope.postMessage({ baseUrl: server.baseUrl });
};
