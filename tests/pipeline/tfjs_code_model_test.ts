import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { functionBodyEnd, TfjsCodeModel } from "../../lib/eval/tfjs_code_model.ts";
import { createGpt, generate, trainTokenizer } from "../../lib/model/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { lmBatches, lmLoss, tokenStream, train } from "../../lib/train/mod.ts";
import { evaluateMiniflow } from "../../lib/pipeline/mod.ts";

const PROMPT = 'def add_one(nums):\n    """Add 1 to every item of `nums`."""\n';
const BODY = "    out = []\n    for x in nums:\n        out.append(x + 1)\n    return out\n";
const TESTS =
  "assert add_one([]) == []\nassert add_one([1, 2]) == [2, 3]\nassert add_one([-1]) == [0]\n";

Deno.test("functionBodyEnd: the first non-blank column-0 line ends the body", () => {
  assert.equal(functionBodyEnd("    return x\n\n\nprint(f(1))\n", true), 15);
  assert.equal(functionBodyEnd("    return x\n  \n", true), -1);
  assert.equal(functionBodyEnd("    return x\n#c\n", true), 13);
  assert.equal(functionBodyEnd("def g():\n", true), 0);
  // A completion that continues the prompt's last line: its first line is never the end.
  assert.equal(functionBodyEnd("1)\nx = 2\n", false), 3);
  assert.equal(functionBodyEnd("no newline", false), -1);
});

Deno.test("TfjsCodeModel: batched greedy decoding equals lib/model's single-sequence generate", async () => {
  await initBackend("wasm");
  const tok = await trainTokenizer([PROMPT + BODY, "def f(x):\n    return x\n"]);
  const gpt = createGpt({
    vocabSize: tok.vocabSize,
    contextLength: 64,
    dModel: 16,
    nLayer: 2,
    nHead: 2,
    mlpRatio: 2,
    dropout: 0,
    seed: 3,
  });
  const prompts = ["def f(x):\n", PROMPT, "x", "def add_one(nums):\n    out = []\n"];
  const requests = prompts.map((prompt, i) => ({ taskId: `t${i}`, prompt }));
  const opts = { n: 1, temperature: 0, topP: 1, maxTokens: 12 };
  const before = tf.memory().numTensors;
  const batched = new TfjsCodeModel(gpt, tok, { batchSize: 4, stopAtDedent: false });
  const out = await batched.generate(requests, opts);
  assert.equal(tf.memory().numTensors, before, "generate leaks no tensors");
  const single = await new TfjsCodeModel(gpt, tok, { batchSize: 1, stopAtDedent: false })
    .generate(requests, opts);
  assert.deepEqual(out, single);
  for (const [i, prompt] of prompts.entries()) {
    const ref = await generate(gpt, [tok.bosId, ...tok.encode(prompt)], {
      maxNewTokens: 12,
      eosId: tok.eosId,
    });
    assert.equal(out[i][0], tok.decode(ref.tokens), `prompt ${i}`);
  }
  const usage = batched.usage();
  assert.equal(usage.requests, 4);
  assert.equal(usage.promptTokens, prompts.reduce((a, p) => a + 1 + tok.encode(p).length, 0));
  gpt.dispose();
});

Deno.test("TfjsCodeModel: seeded sampling does not depend on batching or prompt order", async () => {
  await initBackend("wasm");
  const tok = await trainTokenizer([PROMPT + BODY]);
  const gpt = createGpt({
    vocabSize: tok.vocabSize,
    contextLength: 64,
    dModel: 16,
    nLayer: 1,
    nHead: 2,
    mlpRatio: 2,
    dropout: 0,
    seed: 5,
  });
  const a = { taskId: "a", prompt: PROMPT };
  const b = { taskId: "b", prompt: "def f(x):\n" };
  const opts = { n: 3, temperature: 1.5, topP: 0.95, maxTokens: 8 };
  const m1 = new TfjsCodeModel(gpt, tok, { batchSize: 5, seed: 7, stopAtDedent: false });
  const m2 = new TfjsCodeModel(gpt, tok, { batchSize: 2, seed: 7, stopAtDedent: false });
  const [ab, ba] = [await m1.generate([a, b], opts), await m2.generate([b, a], opts)];
  assert.deepEqual(ab, [ba[1], ba[0]]);
  assert.equal(new Set(ab[0]).size > 1, true, "samples of one prompt differ at T=1.5");
  const other = await new TfjsCodeModel(gpt, tok, { seed: 8, stopAtDedent: false }).generate(
    [a],
    opts,
  );
  assert.notDeepEqual(other[0], ab[0]);
  await assert.rejects(
    () => m1.generate([{ taskId: "x", prompt: "Write f.", promptStyle: "instruct" }], opts),
    /task x has promptStyle "instruct"/,
  );
  gpt.dispose();
});

Deno.test("TfjsCodeModel: a model trained on one function writes it, and it passes in the sandbox", async () => {
  await initBackend("wasm");
  const tok = await trainTokenizer([PROMPT + BODY], { minCount: 1 });
  const doc = tok.encode(PROMPT + BODY);
  const gpt = createGpt({
    vocabSize: tok.vocabSize,
    contextLength: 96,
    dModel: 32,
    nLayer: 2,
    nHead: 2,
    mlpRatio: 2,
    dropout: 0,
    seed: 0,
  });
  const runDir = await Deno.makeTempDir();
  const stream = tokenStream(Array.from({ length: 6 }, () => doc), {
    eosId: tok.eosId,
    bosId: tok.bosId,
  });
  const r = await train({
    model: gpt,
    steps: 100,
    runDir,
    progress: false,
    batches: lmBatches({ stream, batchSize: 4, length: 48, seed: 0 }),
    lossFn: lmLoss(),
    optimizer: { lr: 1e-2 },
  });
  assert.equal(r.lastMetrics.loss! < 0.2, true, `loss ${r.lastMetrics.loss}`);
  const model = new TfjsCodeModel(gpt, tok);
  // The continuation after the body is EOS (the stream), and column-0 text would be cut anyway.
  const [[completion]] = await model.generate([{ taskId: "add_one", prompt: PROMPT }], {
    n: 1,
    temperature: 0,
    topP: 1,
    maxTokens: 64,
  });
  assert.equal(completion, BODY);
  const sandbox = new Sandbox({ workers: 1 });
  try {
    const task = { taskId: "add_one", prompt: PROMPT, entryPoint: "add_one", tests: TESTS };
    const { summary, samples } = await evaluateMiniflow({ model, tasks: [task], sandbox });
    assert.deepEqual(summary, { tasks: 1, passed: 1, passAt1: 1, errors: [] });
    assert.equal(samples[0].passedTests, 3);
    // A wrong body fails closed with the assertion error.
    const bad = { ...task, tests: "assert add_one([1]) == [3]\n" };
    const failed = await evaluateMiniflow({ model, tasks: [bad], sandbox });
    assert.deepEqual(failed.summary.errors, [["AssertionError", 1]]);
  } finally {
    await sandbox.close();
    gpt.dispose();
    await Deno.remove(runDir, { recursive: true });
  }
});
