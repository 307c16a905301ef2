/**
 * `deno task generate` on model folders saved by transformers (tiny random Qwen2 and Llama
 * checkpoints with their tokenizers and chat templates, testing/hf_peer/make_tiny.py): with
 * `--chat --greedy` the prompt's ids and the 16 generated ids equal transformers' own
 * `apply_chat_template` + `generate`; `--stop` cuts the text before the stop string; bad flags
 * exit 2 naming the value.
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

const GENERATE = fileURLToPath(new URL("../../tools/generate.ts", import.meta.url));

async function generate(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", GENERATE, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  return {
    code: out.code,
    json: out.code === 0 ? JSON.parse(stdout) : null,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** `--chat --greedy`, 16 new tokens, with `content` as the user's message. */
function chatGreedy(folder: string, content: string) {
  return generate([
    "--model",
    folder,
    "--prompt",
    content,
    "--max-new-tokens",
    "16",
    "--greedy",
    "--chat",
  ]);
}

for (const name of ["qwen2-f32", "llama-bf16-sharded"]) {
  Deno.test(`deno task generate --chat --greedy (${name}): ids equal transformers' chat template + generate`, async () => {
    const folder = join(await hfPeerOutput("tiny"), name);
    const ref = JSON.parse(await Deno.readTextFile(join(folder, "reference.json"))).chat;
    const r = await chatGreedy(folder, ref.messages[0].content);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.promptIds, ref.promptIds);
    assert.deepEqual(r.json.generatedIds, ref.generatedIds);
    assert.equal(r.json.stopReason, "length");
  });
}

Deno.test("deno task generate: generation_config.json's eos_token_id ends generation", async () => {
  const src = join(await hfPeerOutput("tiny"), "qwen2-f32");
  const ref = JSON.parse(await Deno.readTextFile(join(src, "reference.json"))).chat;
  const folder = join(await Deno.makeTempDir({ prefix: "kit-hf-eos-" }), "qwen2-f32");
  await cp(src, folder, { recursive: true });
  // The end-of-turn token of an instruct model is listed here; make it the third greedy id.
  const eos = ref.generatedIds[2];
  await Deno.writeTextFile(
    join(folder, "generation_config.json"),
    JSON.stringify({ eos_token_id: [7, eos] }),
  );
  const r = await chatGreedy(folder, ref.messages[0].content);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json.generatedIds,
    ref.generatedIds.slice(0, ref.generatedIds.indexOf(eos) + 1),
  );
  assert.equal(r.json.stopReason, "eos");
  await Deno.remove(join(folder, ".."), { recursive: true });
});

Deno.test("deno task generate: --stop ends before the stop string; bad flags exit 2", async () => {
  const folder = join(await hfPeerOutput("tiny"), "qwen2-f32");
  const base = ["--model", folder, "--prompt", "def add(a, b):", "--max-new-tokens", "16"];
  const full = await generate(base);
  assert.equal(full.code, 0, full.stderr);
  const text: string = full.json.text;
  // A stop string from the middle of the unstopped text.
  const at = [...text].findIndex((_, i) => i >= 2 && text.slice(i, i + 2).trim().length === 2);
  assert.ok(at > 0, `no stop string to pick in ${JSON.stringify(text)}`);
  const stop = text.slice(at, at + 2);
  const cut = await generate([...base, "--stop", stop]);
  assert.equal(cut.code, 0, cut.stderr);
  assert.equal(cut.json.stopReason, "stop");
  assert.equal(cut.json.text, text.slice(0, text.indexOf(stop)));
  assert.ok(cut.json.generatedIds.length <= full.json.generatedIds.length);
  const bad = await generate([...base.slice(0, 4), "--max-new-tokens", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-new-tokens expects a positive integer, found "0"/);
  const noChat = await generate([...base, "--chat", "--model", join(folder, "..", "missing")]);
  assert.equal(noChat.code, 1);
  assert.match(noChat.stderr, /missing\/config\.json: cannot read/);
});
