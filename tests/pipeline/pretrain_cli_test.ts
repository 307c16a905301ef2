import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const TOOL = fileURLToPath(new URL("../../tools/pretrain.ts", import.meta.url));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOOL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("deno task pretrain: presets and --key=value overrides resolve the config", async () => {
  const r = await run(
    "--preset",
    "smoke",
    "--train.steps=7",
    "--corpus.buggyFraction=0.5",
    "--print-config",
  );
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.equal(config.preset, "smoke");
  assert.equal(config.train.steps, 7);
  assert.equal(config.corpus.buggyFraction, 0.5);
  const paper = JSON.parse((await run("--print-config")).stdout);
  assert.equal(paper.preset, "paper");
  assert.equal(paper.name, "base");
});

Deno.test("deno task pretrain: unknown keys, wrong types and unknown presets fail with exit 2", async () => {
  const unknown = await run("--model.nLayers=2", "--print-config");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown key "nLayers" in model/);
  const wrongType = await run("--train.steps=many", "--print-config");
  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /expected number \(like \d+\), found string "many"/);
  const preset = await run("--preset", "huge");
  assert.equal(preset.code, 2);
  assert.match(preset.stderr, /--preset: expected one of smoke, paper, found "huge"/);
});
