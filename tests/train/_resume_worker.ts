/**
 * Training script for the kill-and-resume test: hybrid Target-DPO on synthetic pairs with a
 * cached reference, gradient accumulation and checkpoints. Prints the {@link TrainResult} as JSON.
 *
 * Usage: deno run -A tests/train/_resume_worker.ts --run-dir DIR [--steps 12]
 *        [--checkpoint-every 3] [--step-delay-ms 0]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import {
  cachedReferenceLogps,
  preferenceBatches,
  preferenceLoss,
  train,
} from "../../lib/train/mod.ts";
import { syntheticPairs, tinyGpt } from "./_fixtures.ts";

const { values } = parseArgs({
  options: {
    "run-dir": { type: "string" },
    "steps": { type: "string", default: "12" },
    "checkpoint-every": { type: "string", default: "3" },
    "step-delay-ms": { type: "string", default: "0" },
  },
});
const runDir = values["run-dir"];
if (runDir === undefined) throw new Error("--run-dir is required");
const delay = Number(values["step-delay-ms"]);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

await initBackend("wasm");
const model = tinyGpt();
const pairs = syntheticPairs(8);
// The policy is freshly initialised (same seed) before train() restores the checkpoint, so the
// reference cache key (hash of these initial weights) is the same on resume: a cache hit.
const ref = await cachedReferenceLogps(model, pairs, { cacheDir: join(runDir, "ref-cache") });
const seed = 7;
const result = await train({
  model,
  steps: Number(values.steps),
  accumulation: 2,
  batches: preferenceBatches({ pairs, reference: ref.logps, batchSize: 2, seed, padId: 0 }),
  lossFn: preferenceLoss({ variant: "hybrid", beta: 0.2 }),
  optimizer: { lr: 5e-3 },
  checkpointEvery: Number(values["checkpoint-every"]),
  fingerprint: `resume-worker seed=${seed}`,
  runDir,
  progress: false,
  onEvent: (e) => {
    if (e.type === "step" && delay > 0) Atomics.wait(sleeper, 0, 0, delay);
  },
});
console.log(JSON.stringify({ ...result, referenceCacheHit: ref.hit }));
