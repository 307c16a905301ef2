import { equal } from "node:assert/strict";
import { join } from "node:path";
import { type BackendKind, initBackend } from "../../lib/backend/mod.ts";
import {
  preferenceBatches,
  preferenceLoss,
  readMetricsLog,
  referenceLogps,
  train,
} from "../../lib/train/mod.ts";
import { syntheticPairs, tinyGpt } from "./_fixtures.ts";

// WebGPU needs an adapter: a real GPU, or Mesa's lavapipe CPU driver (mesa-vulkan-drivers).
const adapter = await (navigator as { gpu?: GPU }).gpu?.requestAdapter().catch(() => null);

/** Losses of 5 Target-DPO steps of the same seeded tiny GPT on one backend. */
async function fiveStepLosses(kind: BackendKind): Promise<number[]> {
  await initBackend(kind);
  const model = tinyGpt();
  const pairs = syntheticPairs(8);
  const reference = await referenceLogps(model, pairs);
  const runDir = await Deno.makeTempDir();
  await train({
    model,
    steps: 5,
    batches: preferenceBatches({ pairs, reference, batchSize: 4, seed: 3, padId: 0 }),
    lossFn: preferenceLoss({ variant: "target-rpo", beta: 0.5 }),
    optimizer: { lr: 1e-2 },
    runDir,
    progress: false,
  });
  model.dispose();
  return (await readMetricsLog(join(runDir, "metrics.jsonl"))).map((r) => r.metrics.loss!);
}

Deno.test({
  name: "wasm and webgpu give the same 5-step loss curve (within 1e-3)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Never skipped: `deno task test` installs Mesa's lavapipe, so an adapter must exist.
    equal(
      adapter !== null && adapter !== undefined,
      true,
      "navigator.gpu has no adapter: install mesa-vulkan-drivers libvulkan1",
    );
    const wasm = await fiveStepLosses("wasm");
    const webgpu = await fiveStepLosses("webgpu");
    await initBackend("wasm");
    equal(wasm.length, 5);
    wasm.forEach((l, i) => {
      equal(Math.abs(l - webgpu[i]) <= 1e-3, true, `step ${i + 1}: wasm ${l}, webgpu ${webgpu[i]}`);
    });
    // the curve moves, so equality is not trivial
    equal(Math.abs(wasm[4] - wasm[0]) > 1e-2, true, `losses ${wasm.join(", ")}`);
  },
});
