import assert from "node:assert/strict";
import { PREFERENCE_BASE, PREFERENCE_PRESETS } from "../../experiments/_defaults.ts";
import { validatePreferenceConfig } from "../../lib/pipeline/preference_config.ts";

const scale = PREFERENCE_PRESETS.paper.scale;

Deno.test("preference config: the runtime keys are validated by name", () => {
  validatePreferenceConfig(PREFERENCE_BASE, scale); // the defaults are valid
  assert.equal(PREFERENCE_BASE.runtime.matmul, "auto");
  assert.equal(PREFERENCE_BASE.runtime.blasThreads, 2);
  assert.equal(PREFERENCE_BASE.runtime.kernels, "auto");
  assert.equal(PREFERENCE_BASE.runtime.dnnThreads, 2);
  const runtime = (r: Record<string, unknown>) => ({
    ...PREFERENCE_BASE,
    runtime: { ...PREFERENCE_BASE.runtime, ...r },
  } as never);
  assert.throws(
    () => validatePreferenceConfig(runtime({ matmul: "mkl" }), scale),
    /runtime\.matmul: expected one of auto, openblas, xnnpack, found "mkl"/,
  );
  assert.throws(
    () => validatePreferenceConfig(runtime({ blasThreads: 0 }), scale),
    /runtime\.blasThreads/,
  );
  assert.throws(
    () => validatePreferenceConfig(runtime({ kernels: "mkldnn" }), scale),
    /runtime\.kernels: expected one of auto, onednn, wasm, found "mkldnn"/,
  );
  assert.throws(
    () => validatePreferenceConfig(runtime({ dnnThreads: 1.5 }), scale),
    /runtime\.dnnThreads/,
  );
  assert.throws(
    () => validatePreferenceConfig(runtime({ backend: "cuda" }), scale),
    /runtime\.backend: expected one of wasm, cpu, webgpu, tensorflow, found "cuda"/,
  );
});

Deno.test("preference config: the model, the sampling source and eval.also are validated by name", () => {
  const set = (area: "model" | "data" | "eval", r: Record<string, unknown>) =>
    ({ ...PREFERENCE_BASE, [area]: { ...PREFERENCE_BASE[area], ...r } }) as never;
  const bad = (config: never, message: RegExp) =>
    assert.throws(() => validatePreferenceConfig(config, scale), message);
  bad(set("model", { kind: "onnx" }), /model\.kind: expected one of kit, hf, found "onnx"/);
  bad(set("model", { prompt: "json" }), /model\.prompt: expected one of chat, plain, found "json"/);
  bad(
    set("model", { contextLength: 1 }),
    /model\.contextLength: expected an integer >= 2, found 1/,
  );
  bad(
    set("model", { lora: { ...PREFERENCE_BASE.model.lora, targets: ["lm_head"] } }),
    /model\.lora: LoRA targets must be among q_proj, .*, found "lm_head"/,
  );
  validatePreferenceConfig(set("model", { kind: "hf", lora: null }), scale); // every weight
  bad(
    set("data", { source: "sampling" }),
    /data\.rule: the sampling source pairs by "pass-vs-fail", found "random"/,
  );
  const sampling = (s: Record<string, unknown>) =>
    set("data", {
      source: "sampling",
      rule: "pass-vs-fail",
      sampling: { ...PREFERENCE_BASE.data.sampling, ...s },
    });
  validatePreferenceConfig(sampling({}), scale);
  bad(sampling({ samples: 1 }), /data\.sampling\.samples: expected an integer >= 2, found 1/);
  bad(sampling({ minGap: 2 }), /data\.sampling\.minGap: expected a number in \[0, 1\], found 2/);
  bad(sampling({ ranking: "best" }), /data\.sampling\.ranking: expected one of random, .*"best"/);
  bad(set("eval", { also: ["miniflow"] }), /eval\.also: "miniflow" is scored twice/);
  bad(
    set("eval", { also: ["humaneval+", "humaneval+"] }),
    /eval\.also: "humaneval\+" is scored twice/,
  );
  bad(set("eval", { also: ["apps"] }), /eval\.also: expected one of miniflow, .*found "apps"/);
  validatePreferenceConfig(set("eval", { also: ["humaneval+", "mbpp+"] }), scale);
});
