import assert from "node:assert/strict";

async function pretrain(...args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../tools/pretrain.ts", import.meta.url).pathname, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("pretrain --print-config validates the config: a bad value is exit 2 naming the field", async () => {
  const steps = await pretrain("--print-config", "--train.steps=-5");
  assert.equal(steps.code, 2);
  assert.match(steps.stderr, /train\.steps must be an integer >= 1, found -5/);
  const heads = await pretrain("--print-config", "--model.nHead=5");
  assert.equal(heads.code, 2);
  assert.match(heads.stderr, /model: GptConfig\.dModel \(64\) must be divisible by nHead \(5\)/);
  const isolation = await pretrain("--print-config", "--unsafe-isolation", "none");
  assert.equal(isolation.code, 2);
  assert.match(isolation.stderr, /--unsafe-isolation: expected one of unshare, rlimits/);
  assert.equal((await pretrain("--print-config")).code, 0);
});
