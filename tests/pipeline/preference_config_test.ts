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
