import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  CHECKPOINT_FILES,
  createGpt,
  decodeSafetensors,
  encodeSafetensors,
  type F32Tensor,
  type Gpt,
  loadCheckpoint,
  saveCheckpoint,
  trainTokenizer,
} from "../../lib/model/mod.ts";

await initBackend("wasm");

const tokenizer = await trainTokenizer(
  ["def f(x):\n    return x\n", "def g(y):\n    return y\n"],
  { minCount: 2 },
);
const CONFIG = {
  vocabSize: tokenizer.vocabSize,
  contextLength: 8,
  dModel: 8,
  nLayer: 1,
  nHead: 2,
  mlpRatio: 2,
  dropout: 0,
  seed: 4,
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "ckpt-test-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A model whose weights differ from any fresh init (so loading must really copy them). */
function trainedLookingModel(): Gpt {
  const model = createGpt(CONFIG);
  model.variables.forEach((v, i) =>
    tf.tidy(() => v.assign(tf.randomUniform(v.shape, -1, 1, "float32", 50 + i)))
  );
  return model;
}

/** Write a safetensors file by hand (independent of encodeSafetensors). */
function handWritten(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("safetensors layout: u64 LE header length, padded JSON header, LE float32 data", () => {
  const bytes = encodeSafetensors(
    new Map<string, F32Tensor>([
      ["a", { shape: [2], data: Float32Array.of(1, -2) }],
      ["b", { shape: [1, 1], data: Float32Array.of(0.5) }],
    ]),
    { note: "x" },
  );
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header, {
    __metadata__: { note: "x" },
    a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    b: { dtype: "F32", shape: [1, 1], data_offsets: [8, 12] },
  });
  // 1.0 = 0x3f800000, -2.0 = 0xc0000000, 0.5 = 0x3f000000, little-endian.
  assert.deepEqual(
    [...bytes.subarray(8 + n)],
    [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f],
  );
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { note: "x" });
  assert.deepEqual([...back.tensors.keys()], ["a", "b"]);
  assert.deepEqual([...back.tensors.get("b")!.data!], [0.5]);
});

Deno.test("safetensors decoding rejects inconsistent files with the file name", () => {
  const f32 = new Uint8Array(8);
  assert.throws(
    () =>
      decodeSafetensors(
        handWritten({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32),
        "w.st",
      ),
    /w\.st: tensor "w": F32 shape \[3\] needs 12 bytes, data_offsets span 8/,
  );
  assert.throws(
    () =>
      decodeSafetensors(
        handWritten({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32),
        "w.st",
      ),
    /w\.st: tensors cover 4 data bytes, the file has 8/,
  );
  assert.throws(
    () => decodeSafetensors(new Uint8Array(3), "w.st"),
    /w\.st: not a safetensors file/,
  );
});

Deno.test("checkpoint round-trip is exact: weights, logits, tokenizer, config, meta", async () => {
  await withDir(async (dir) => {
    const model = trainedLookingModel();
    await saveCheckpoint(dir, model, tokenizer, { step: 12, note: "unit" });
    const { model: loaded, tokenizer: tok2, meta } = await loadCheckpoint(dir);
    assert.deepEqual(loaded.config, model.config);
    assert.deepEqual(loaded.variableNames, model.variableNames);
    for (let i = 0; i < model.variables.length; i++) {
      assert.deepEqual(loaded.variables[i].dataSync(), model.variables[i].dataSync());
    }
    const ids = tf.tensor2d([[1, 5, 9, 3]], [1, 4], "int32");
    const [a, b] = [model.logits(ids), loaded.logits(ids)];
    assert.deepEqual(b.dataSync(), a.dataSync());
    tf.dispose([ids, a, b]);
    assert.equal(tok2.id, tokenizer.id);
    assert.deepEqual(meta, { step: 12, note: "unit" });
    const config = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.config), "utf8"));
    assert.equal(config.format, "target-dpo-gpt-v1");
    assert.equal(config.tokenizerId, tokenizer.id);
    assert.deepEqual(config.model, CONFIG);
    model.dispose();
    loaded.dispose();
  });
});

Deno.test("loading rejects a shape mismatch naming the tensor, expected and found shapes", async () => {
  await withDir(async (dir) => {
    const model = trainedLookingModel();
    await saveCheckpoint(dir, model, tokenizer);
    model.dispose();
    const configPath = join(dir, CHECKPOINT_FILES.config);
    const config = JSON.parse(await readFile(configPath, "utf8"));
    await writeFile(configPath, JSON.stringify({ ...config, model: { ...CONFIG, dModel: 12 } }));
    const before = tf.memory().numTensors;
    await assert.rejects(
      () => loadCheckpoint(dir),
      new RegExp(
        `model\\.safetensors: tensor "wte" has shape \\[${CONFIG.vocabSize},8\\], ` +
          `expected \\[${CONFIG.vocabSize},12\\]`,
      ),
    );
    assert.equal(tf.memory().numTensors, before); // the half-built model was disposed
    await writeFile(configPath, JSON.stringify({ ...config, model: { ...CONFIG, nLayer: 2 } }));
    await assert.rejects(
      () => loadCheckpoint(dir),
      /tensor "h\.1\.ln1\.gamma" is missing \(expected F32 \[8\]\)/,
    );
  });
});

Deno.test("loading rejects a dtype mismatch and unexpected tensors", async () => {
  await withDir(async (dir) => {
    const model = trainedLookingModel();
    await saveCheckpoint(dir, model, tokenizer);
    const weightsPath = join(dir, CHECKPOINT_FILES.weights);
    const file = decodeSafetensors(new Uint8Array(await readFile(weightsPath)));
    // Rewrite with "lnf.beta" stored as F16 (2 bytes per value).
    const header: Record<string, unknown> = {};
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [name, t] of file.tensors) {
      const bytes = name === "lnf.beta"
        ? new Uint8Array(2 * t.data!.length)
        : new Uint8Array(Float32Array.from(t.data!).buffer);
      header[name] = {
        dtype: name === "lnf.beta" ? "F16" : "F32",
        shape: t.shape,
        data_offsets: [offset, offset + bytes.length],
      };
      chunks.push(bytes);
      offset += bytes.length;
    }
    const data = new Uint8Array(offset);
    let p = 0;
    for (const c of chunks) (data.set(c, p), p += c.length);
    await writeFile(weightsPath, handWritten(header, data));
    await assert.rejects(
      () => loadCheckpoint(dir),
      /tensor "lnf\.beta" has dtype F16, expected F32/,
    );
    // An extra tensor is rejected too.
    const extra = new Map<string, F32Tensor>(
      model.variables.map((
        v,
        i,
      ) => [model.variableNames[i], { shape: v.shape, data: v.dataSync() as Float32Array }]),
    );
    extra.set("lm_head", { shape: [1], data: Float32Array.of(0) });
    await writeFile(weightsPath, encodeSafetensors(extra));
    await assert.rejects(() => loadCheckpoint(dir), /unexpected tensor "lm_head"/);
    model.dispose();
  });
});

Deno.test("saveCheckpoint rejects a tokenizer that does not match the model", async () => {
  const model = createGpt({ ...CONFIG, vocabSize: CONFIG.vocabSize + 1 });
  await assert.rejects(
    () => saveCheckpoint("/nonexistent", model, tokenizer),
    new RegExp(
      `tokenizer vocabSize ${CONFIG.vocabSize} != model vocabSize ${CONFIG.vocabSize + 1}`,
    ),
  );
  model.dispose();
});
