/**
 * The kit's side of bench/hf/compare_decode.ts: load the model folder with lib/hf, decode greedily
 * with the KV cache, print one JSON line (decode time, tokens/s, peak resident memory from
 * /proc/self/status VmHWM).
 *
 * Usage: deno run -A bench/hf/kit_decode.ts FOLDER --tokens N --prompt-len P [--backend wasm|cpu]
 */
import { parseArgs } from "node:util";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadHfModel } from "../../lib/hf/mod.ts";
import { peakRssMiB } from "./_side.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    tokens: { type: "string", default: "128" },
    "prompt-len": { type: "string", default: "16" },
    backend: { type: "string", default: "wasm" },
  },
  allowPositionals: true,
});
const tokens = Number(values.tokens);
const promptLen = Number(values["prompt-len"]);
await initBackend(values.backend as "wasm" | "cpu");
let t0 = performance.now();
const model = await loadHfModel(positionals[0]);
const loadSeconds = (performance.now() - t0) / 1000;
const prompt = [Array.from({ length: promptLen }, (_, i) => 100 + i)];
await model.greedy(prompt, 4); // warm-up
t0 = performance.now();
const [generated] = await model.greedy(prompt, tokens);
const decodeSeconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  side: `kit (${values.backend})`,
  loadSeconds,
  decodeSeconds,
  tokensPerSecond: tokens / decodeSeconds,
  peakRssMiB: peakRssMiB(),
  generated,
}));
model.dispose();
