/**
 * `deno task eval --model DIR` with a local Hugging Face folder (a tiny random Qwen2 checkpoint
 * with its tokenizer and chat template, made by transformers in the test): two HumanEval tasks
 * generated in chat mode and judged in the sandbox, recorded with the folder as the model and no
 * endpoint, and a rerun resumes without generating again. A path that is not a model folder
 * fails naming it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const EVAL = fileURLToPath(new URL("../../tools/eval.ts", import.meta.url));
const DATA = fileURLToPath(new URL("../../../shared/data", import.meta.url));

async function evalCli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", EVAL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("deno task eval --model DIR: a local HF folder on HumanEval, judged in the sandbox, resumable", async () => {
  const folder = join(await hfPeerOutput("tiny"), "qwen2-f32");
  const out = await Deno.makeTempDir({ prefix: "kit-hf-eval-" });
  try {
    const args = [
      "--bench",
      "humaneval",
      "--model",
      folder,
      "--limit",
      "2",
      "--max-tokens",
      "8",
      "--data-dir",
      DATA,
      "--out",
      out,
    ];
    const first = await evalCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`\\| humaneval \\| ${folder.replaceAll("/", "\\/")} \\| 2 \\| 1 \\|`),
    );
    const config = JSON.parse(await Deno.readTextFile(join(out, "config.json")));
    assert.equal(config.endpoint, null);
    assert.equal(config.mode, "chat", "a folder with a chat template defaults to chat mode");
    const samples = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    // Appended as each is judged: in either order.
    assert.deepEqual(samples.map((s) => s.taskId).sort(), ["HumanEval/0", "HumanEval/1"]);
    assert.ok(
      samples.every((s) => typeof s.verdict === "string" && typeof s.completion === "string"),
    );
    const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
    assert.equal(summary.tasks, 2);
    assert.equal(summary.usage.completionTokens <= 16, true);
    const again = await evalCli(args);
    assert.equal(again.code, 0, again.stderr);
    const after = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n");
    assert.equal(after.length, 2, "the rerun recorded nothing new");
    const bad = await evalCli(["--bench", "humaneval", "--model", join(folder, "nope")]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /--model .*nope: without --endpoint, expected a Hugging Face model folder/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task eval --bench miniflow-test --model FILE.gguf: greedy pass@1 on MiniFlow test tasks, samples and summary written", async () => {
  const file = join(await hfPeerOutput("gguf"), "qwen2-q4_0.gguf");
  const out = await Deno.makeTempDir({ prefix: "kit-hf-eval-mf-" });
  try {
    const r = await evalCli([
      "--bench",
      "miniflow-test",
      "--model",
      file,
      "--limit",
      "3",
      "--max-tokens",
      "16",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\| MiniFlow test \| qwen2-q4_0 \| 3 \| \d+\.\d \|/);
    const samples = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    assert.equal(samples.length, 3);
    assert.ok(samples.every((s) => ["pass", "fail", "timeout", "error"].includes(s.verdict)));
    const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
    assert.equal(summary.tasks, 3);
    assert.equal(summary.passed, samples.filter((s) => s.verdict === "pass").length);
    const sampled = await evalCli([
      "--bench",
      "miniflow-test",
      "--model",
      file,
      "--n",
      "2",
      "--out",
      out,
    ]);
    assert.equal(sampled.code, 1);
    assert.match(sampled.stderr, /miniflow-test is greedy pass@1/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
