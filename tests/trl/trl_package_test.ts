/**
 * The Python package integrations/trl (TargetDPOTrainer for TRL) is tested by its own pytest suite,
 * run here in the cached environment of python/requirements-hf.txt (TRL 1.16, transformers 5.24,
 * torch 2.15 on the CPU): stock-DPO parity, hand-computed Target-DPO/RPO losses, mask exactness on
 * a Qwen2-style and a BOS-adding Llama-style tokenizer, bad input, and a two-process DDP run.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { pythonEnv } from "../../testing/python_env/mod.ts";

const PKG = fileURLToPath(new URL("../../integrations/trl/", import.meta.url));

Deno.test("integrations/trl: its pytest suite passes", async () => {
  const out = await new Deno.Command(await pythonEnv("requirements-hf.txt"), {
    args: ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/"],
    cwd: PKG,
    env: {
      PYTHONPATH: PKG,
      HF_HUB_OFFLINE: "1",
      TOKENIZERS_PARALLELISM: "false",
      OMP_NUM_THREADS: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const summary = text.trim().split("\n").at(-1) ?? "";
  console.log(`pytest: ${summary}`);
  assert.ok(
    out.success,
    `${text.slice(-6000)}\n${new TextDecoder().decode(out.stderr).slice(-3000)}`,
  );
  assert.match(summary, /^\d+ passed/);
  assert.doesNotMatch(summary, /failed|error|skipped/);
});
