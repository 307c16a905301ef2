import assert from "node:assert/strict";
import { join } from "node:path";
import { BenchmarkRunner } from "../../lib/eval/benchmark_runner.ts";
import { evaluateModel } from "../../lib/eval/evaluate.ts";
import { loadHumanEval } from "../../lib/eval/load_humaneval.ts";
import { OpenAICodeModel } from "../../lib/eval/openai_code_model.ts";
import { ResultsFile } from "../../lib/eval/results_file.ts";
import type { BenchmarkTask } from "../../lib/eval/types.ts";
import { type ServerTask, startOpenAITestServer } from "../../testing/openai/mod.ts";

const F = "`".repeat(3);
const GREEDY = { n: 1, temperature: 0, topP: 1, maxTokens: 256 };

/** Canonical answers for tasks 0, 2, 4; wrong ones (assert, name, syntax) for 1, 3, 5. */
function script(tasks: readonly BenchmarkTask[]): ServerTask[] {
  return [
    {
      prompt: tasks[0].prompt,
      answer: `Here you go:\n${F}python\n${tasks[0].prompt}${tasks[0].canonicalSolution}${F}\n`,
      faults: [{ status: 429 }, { status: 500 }],
    },
    {
      prompt: tasks[1].prompt,
      answer: `${F}python\ndef separate_paren_groups(paren_string):\n    return []\n${F}`,
      faults: [{ slowMs: 1500 }],
    },
    { prompt: tasks[2].prompt, answer: tasks[2].canonicalSolution, faults: [{ status: 500 }] },
    { prompt: tasks[3].prompt, answer: "    return undefined_name\n" },
    { prompt: tasks[4].prompt, answer: tasks[4].canonicalSolution },
    { prompt: tasks[5].prompt, answer: "    return (\n" },
  ];
}

Deno.test({
  name: "endpoint eval: exact pass@1 and histogram through 429, 500 and a timed-out answer; resume",
  fn: async () => {
    const tasks = (await loadHumanEval()).slice(0, 6);
    const server = startOpenAITestServer(script(tasks));
    const dir = await Deno.makeTempDir();
    const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
    try {
      const model = new OpenAICodeModel({
        baseURL: server.baseURL,
        model: "test",
        timeoutMs: 500,
        maxRetries: 3,
      });
      const results = await ResultsFile.open(join(dir, "samples.jsonl"));
      const { summary, samples } = await evaluateModel({
        tasks,
        model,
        runner,
        generation: GREEDY,
        results,
      });
      results.close();
      assert.deepEqual(summary.passAtK, { "pass@1": 0.5 });
      assert.deepEqual(summary.errors, [["AssertionError", 1], ["NameError", 1], [
        "SyntaxError",
        1,
      ]]);
      assert.deepEqual(
        tasks.map((t) => samples.find((s) => s.taskId === t.taskId)?.verdict),
        ["pass", "fail", "pass", "fail", "pass", "error"],
      );
      // Retries: task 0 saw 429 then 500, task 1 timed out once, task 2 saw one 500.
      assert.deepEqual(server.requests, [3, 2, 2, 1, 1, 1]);
      assert.equal(server.statuses.get(429), 1);
      assert.equal(server.statuses.get(500), 2);
      assert.deepEqual(summary.usage, {
        promptTokens: 60,
        completionTokens: 30,
        requests: 6,
        attempts: 10,
      });

      // Rerun: every sample is recorded, so nothing is generated again.
      const again = await ResultsFile.open(join(dir, "samples.jsonl"));
      const model2 = new OpenAICodeModel({ baseURL: server.baseURL, model: "test" });
      const rerun = await evaluateModel({
        tasks,
        model: model2,
        runner,
        generation: GREEDY,
        results: again,
      });
      again.close();
      assert.equal(model2.usage().attempts, 0);
      assert.deepEqual(rerun.summary.passAtK, { "pass@1": 0.5 });

      // A kill mid-write leaves half a line: only that sample is redone.
      const path = join(dir, "samples.jsonl");
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.slice(0, text.length - 10));
      const third = await ResultsFile.open(path);
      const model3 = new OpenAICodeModel({ baseURL: server.baseURL, model: "test" });
      const resumed = await evaluateModel({
        tasks,
        model: model3,
        runner,
        generation: GREEDY,
        results: third,
      });
      third.close();
      assert.equal(model3.usage().requests, 1);
      assert.equal(resumed.samples.length, 6);
      assert.deepEqual(resumed.summary.passAtK, { "pass@1": 0.5 });
    } finally {
      await runner.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "completions mode with n = 2: pass@1 and pass@2 from sampled completions",
  fn: async () => {
    const tasks = (await loadHumanEval()).slice(0, 2);
    const server = startOpenAITestServer([
      { prompt: tasks[0].prompt, answer: tasks[0].canonicalSolution },
      { prompt: tasks[1].prompt, answer: "    return None\n" },
    ]);
    const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
    try {
      const model = new OpenAICodeModel({
        baseURL: server.baseURL,
        model: "base",
        mode: "completions",
      });
      const { summary, samples } = await evaluateModel({
        tasks,
        model,
        runner,
        generation: { n: 2, temperature: 0.8, topP: 0.95, maxTokens: 256 },
        ks: [1, 2],
      });
      assert.equal(samples.length, 4);
      assert.deepEqual(summary.passAtK, { "pass@1": 0.5, "pass@2": 0.5 });
      assert.deepEqual(summary.errors, [["AssertionError", 2]]);
      assert.deepEqual(server.requests, [1, 1]); // n = 2 in one request each
    } finally {
      await runner.close();
      await server.close();
    }
  },
});
