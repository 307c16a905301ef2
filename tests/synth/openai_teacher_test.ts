import assert from "node:assert/strict";
import { join } from "node:path";
import { OpenAITeacher, TeacherRequestError } from "../../lib/synth/mod.ts";
import { incrementScript, startTestServer } from "../../testing/openai/mod.ts";

const ID0 = "openai-0-000000";

Deno.test("OpenAITeacher retries 429 (Retry-After), 500 and a timeout, counting and logging each attempt", async () => {
  const dir = await Deno.makeTempDir();
  const server = startTestServer({
    scripts: {
      [ID0]: {
        ...incrementScript("x0"),
        faults: {
          task: [
            { kind: "status", status: 429, retryAfter: "0" },
            { kind: "status", status: 500 },
            { kind: "slow", delayMs: 4000 },
          ],
        },
      },
    },
  });
  const teacher = new OpenAITeacher({
    baseUrl: server.baseUrl,
    model: "scripted",
    timeoutMs: 1500,
    retryBaseMs: 5,
    pricePer1kPrompt: 0.5,
    pricePer1kCompletion: 2,
    logPath: join(dir, "requests.jsonl"),
  });
  try {
    const r = await teacher.proposeTask(0);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      taskId: ID0,
      prompt: "Return x plus one.",
      entryPoint: "inc",
      code: "def inc(x):\n    return x + 1\n",
      tests: "assert inc(1) == 2\nassert inc(5) == 6\n",
    });
    assert.equal(server.requests.get(`${ID0}/task`), 4);
    const u = teacher.usage;
    assert.equal(u.calls, 1);
    assert.equal(u.requests, 4);
    assert.equal(u.retries, 3);
    assert.equal(u.failedCalls, 0);
    // Tokens are ceil(chars / 4) on the server; only the successful attempt is billed.
    const log = (await Deno.readTextFile(join(dir, "requests.jsonl"))).trim().split("\n")
      .map((l) => JSON.parse(l));
    await teacher.close();
    assert.deepEqual(log.map((e) => [e.schema, e.attempt, e.ok ?? null, e.status ?? null]), [
      ["synth.request/v1", 0, null, null],
      ["synth.response/v1", 0, false, 429],
      ["synth.request/v1", 1, null, null],
      ["synth.response/v1", 1, false, 500],
      ["synth.request/v1", 2, null, null],
      ["synth.response/v1", 2, false, null],
      ["synth.request/v1", 3, null, null],
      ["synth.response/v1", 3, true, null],
    ]);
    assert.equal(log[1].retryInMs, 0); // Retry-After: 0 is honoured
    assert.equal(log[5].error, "timeout");
    const last = log[7];
    assert.equal(u.promptTokens, last.promptTokens);
    assert.equal(u.completionTokens, last.completionTokens);
    const content: string = last.content;
    assert.equal(last.completionTokens, Math.ceil(content.length / 4));
    assert.ok(
      Math.abs(u.costUsd - (last.promptTokens * 0.0005 + last.completionTokens * 0.002)) < 1e-12,
    );
  } finally {
    await server.close();
  }
});

Deno.test("OpenAITeacher: a malformed answer is ok:false; a 400 and exhausted retries throw TeacherRequestError", async () => {
  const server = startTestServer({
    scripts: {
      [ID0]: {
        ...incrementScript("x0"),
        faults: { task: [{ kind: "malformed", text: "Sure! Here is a fun task." }] },
      },
      "openai-0-000001": {
        ...incrementScript("x0"),
        faults: { task: [500, 500, 500].map(() => ({ kind: "status", status: 500 } as const)) },
      },
    },
  });
  const teacher = new OpenAITeacher({ baseUrl: server.baseUrl, maxRetries: 2, retryBaseMs: 1 });
  try {
    assert.deepEqual(await teacher.proposeTask(0), {
      ok: false,
      reason: "answer has no instruction section",
    });
    await assert.rejects(() => teacher.proposeTask(1), {
      name: "TeacherRequestError",
      message: `task call for task "openai-0-000001" to ${server.baseUrl} failed after 3 ` +
        "attempt(s): 500: 500 scripted 500",
    });
    // No script for index 2: the server answers 400, which is not retried.
    const err = await teacher.proposeTask(2).catch((e) => e);
    assert.ok(err instanceof TeacherRequestError);
    assert.equal(err.status, 400);
    assert.equal(server.requests.get("openai-0-000001/task"), 3);
    assert.deepEqual(
      { ...teacher.usage, promptTokens: 0, completionTokens: 0 },
      {
        calls: 3,
        requests: 5,
        retries: 2,
        failedCalls: 2,
        malformedAnswers: 1,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
      },
    );
  } finally {
    await teacher.close();
    await server.close();
  }
});

Deno.test("OpenAITeacher: concurrency bounds in-flight requests", async () => {
  let inFlight = 0, peak = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return Response.json({
      id: "x",
      object: "chat.completion",
      created: 0,
      model: "m",
      choices: [{
        index: 0,
        message: { role: "assistant", content: "yes" },
        finish_reason: "stop",
      }],
    });
  });
  const teacher = new OpenAITeacher({
    baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
    concurrency: 3,
  });
  try {
    const answers = await Promise.all(
      Array.from(
        { length: 10 },
        () => teacher.judgePair({ prompt: "p", rejected: "a", chosen: "b" }),
      ),
    );
    assert.deepEqual(answers[0], { ok: true, value: true });
    assert.equal(peak, 3);
    assert.equal(teacher.usage.promptTokens, 0); // no usage field: counted as 0
  } finally {
    await server.shutdown();
  }
});
