import assert from "node:assert/strict";
import {
  formatFeedback,
  judgePairMessages,
  latestCode,
  refineMessages,
  TASK_TOPICS,
  taskMessages,
  taskTheme,
} from "../../lib/synth/mod.ts";

Deno.test("taskTheme is seeded, order-independent and varied", () => {
  assert.deepEqual(taskTheme(7, 12), taskTheme(7, 12));
  const topics = new Set(Array.from({ length: 48 }, (_, i) => taskTheme(0, i).topic));
  assert.ok(topics.size >= 15, `only ${topics.size} of ${TASK_TOPICS.length} topics in 48 tasks`);
  const seeds = Array.from({ length: 8 }, (_, s) => JSON.stringify(taskTheme(s, 0)));
  assert.ok(new Set(seeds).size >= 6);
  const m = taskMessages({ taskId: "openai-0-000003", seed: 0, index: 3 });
  const { topic, twist } = taskTheme(0, 3);
  assert.ok(m[1].content.includes(`about ${topic}, ${twist}.`));
});

Deno.test("refine prompt shows the latest code with code, skipping malformed versions", () => {
  const task = {
    taskId: "t",
    prompt: "Add one.",
    entryPoint: "inc",
    tests: "assert inc(1) == 2\n",
    code: "def inc(x):\n    return x\n",
  };
  const history = [
    { iteration: 0, code: task.code, verdict: "fail", passedTests: 0, totalTests: 1 },
    {
      iteration: 1,
      code: "def inc(x):\n    return x + 2\n",
      verdict: "fail",
      passedTests: 0,
      totalTests: 1,
    },
    {
      iteration: 2,
      code: "",
      verdict: "error",
      errorType: "MalformedAnswer",
      errorMessage: "no code",
      passedTests: 0,
      totalTests: 1,
    },
  ] as const;
  assert.equal(latestCode(task, history), "def inc(x):\n    return x + 2\n");
  const feedback = {
    verdict: "fail",
    failingTest: "assert inc(1) == 2",
    errorType: "AssertionError",
    tracebackTail: '  File "<tests>", line 1\nAssertionError',
  } as const;
  assert.equal(
    formatFeedback(feedback),
    "Verdict: fail\nFailing test: assert inc(1) == 2\nError type: AssertionError\n" +
      'Traceback (last lines):\n  File "<tests>", line 1\nAssertionError',
  );
  const user = refineMessages(task, history, feedback)[1].content;
  assert.ok(
    user.includes("### Current code (attempt 3)\n```python\ndef inc(x):\n    return x + 2\n```"),
  );
  const judge = judgePairMessages({ taskId: "t", prompt: "p", rejected: "a\n", chosen: "b\n" });
  assert.ok(judge[1].content.startsWith("Task id: t\n### Task\np\n"));
});
