/**
 * Bad model folders fail with an error that names the file and the field or tensor, never a bare
 * stack trace: a missing shard, a tensor of the wrong shape or dtype, a truncated safetensors
 * file, an unknown architecture and an unsupported config value. The folders are copies of a tiny
 * transformers checkpoint (testing/hf_peer/make_tiny.py), each broken one way.
 */
import assert from "node:assert/strict";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadHfModel, ModelFileError } from "../../lib/hf/mod.ts";
import { hfPeerOutput } from "../../testing/hf_peer/mod.ts";

/** Broken copies go here; removed at the end of the test. */
const SCRATCH = await Deno.makeTempDir({ prefix: "kit-hf-broken-" });

/** A copy of the model folder `src`, broken by `edit`, named like it (errors name the folder). */
async function broken(src: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(SCRATCH, `${basename(src)}-broken-${crypto.randomUUID().slice(0, 8)}`);
  await cp(src, dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editJson(path: string, f: (j: Record<string, unknown>) => void): Promise<void> {
  const j = JSON.parse(await readFile(path, "utf8"));
  f(j);
  await writeFile(path, JSON.stringify(j));
}

Deno.test("hf bad input: each broken folder names the file and the field", async (t) => {
  await initBackend("cpu");
  const root = await hfPeerOutput("tiny");
  const sharded = join(root, "llama-bf16-sharded");
  const single = join(root, "qwen2-f32");
  const expectError = async (dir: string, pattern: RegExp) => {
    const err = await loadHfModel(dir).then(() => null, (e) => e as Error);
    assert.ok(err !== null, `${dir}: loaded`);
    assert.match(err.message, pattern);
    assert.ok(!/^\s+at /m.test(err.message), `a stack trace in the message: ${err.message}`);
    return err;
  };
  try {
    await t.step("a missing shard", async () => {
      const dir = await broken(sharded, (d) => rm(join(d, "model-00002-of-00005.safetensors")));
      const err = await expectError(
        dir,
        /model\.safetensors\.index\.json: field "weight_map\[".*"\]": shard model-00002-of-00005\.safetensors is missing/,
      );
      assert.ok(err instanceof ModelFileError);
    });
    await t.step("a truncated safetensors file", async () => {
      const dir = await broken(single, async (d) => {
        const bytes = await readFile(join(d, "model.safetensors"));
        await writeFile(join(d, "model.safetensors"), bytes.subarray(0, bytes.length - 100));
      });
      await expectError(
        dir,
        /qwen2-f32-broken-\w+\/model\.safetensors: tensor .*data_offsets .* outside/,
      );
    });
    await t.step("a tensor of the wrong shape", async () => {
      const dir = await broken(single, async (d) => {
        await editJson(join(d, "config.json"), (j) => (j.intermediate_size = 120));
      });
      await expectError(
        dir,
        /model\.safetensors: field "tensor "model\.layers\.0\.mlp\.gate_proj\.weight"": expected shape \[120,64\] from config\.json, found \[112,64\]/,
      );
    });
    await t.step("a tensor of an unsupported dtype", async () => {
      const dir = await broken(single, async (d) => {
        // A valid file whose one tensor is I32.
        const header = new TextEncoder().encode(
          JSON.stringify({ x: { dtype: "I32", shape: [1], data_offsets: [0, 4] } }).padEnd(64),
        );
        const bytes = new Uint8Array(8 + header.length + 4);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
        bytes.set(header, 8);
        await writeFile(join(d, "model.safetensors"), bytes);
      });
      await expectError(
        dir,
        /model\.safetensors: field "tensor "x"": dtype I32 is not supported \(F32, F16 or BF16\)/,
      );
    });
    await t.step("an unknown architecture and an unsupported RoPE type", async () => {
      const gpt2 = await broken(
        single,
        (d) => editJson(join(d, "config.json"), (j) => (j.model_type = "gpt2")),
      );
      await expectError(
        gpt2,
        /config\.json: field "model_type": "gpt2" is not supported \(known: qwen2, llama\)/,
      );
      const yarn = await broken(
        join(root, "llama-linear-f32"),
        (d) =>
          editJson(join(d, "config.json"), (j) => {
            (j.rope_parameters as Record<string, unknown>).rope_type = "yarn";
          }),
      );
      await expectError(yarn, /field "rope_parameters\.rope_type": "yarn" is not supported/);
    });
    await t.step("a folder without weights", async () => {
      const dir = await broken(single, (d) => rm(join(d, "model.safetensors")));
      await expectError(dir, /no model\.safetensors or model\.safetensors\.index\.json/);
    });
  } finally {
    await rm(SCRATCH, { recursive: true });
  }
});
