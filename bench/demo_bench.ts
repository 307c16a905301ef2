/**
 * Wall time of `deno task demo` from a cold start: a fresh run folder and fresh caches (MiniFlow
 * synthesis, evaluation splits and reference log-probs all computed), with the base checkpoint
 * `data/checkpoints/base` (`deno task pretrain`). The demo must finish within 3 minutes on two
 * cores, and its printed table must show a real difference: at least two arms whose 95% CIs over
 * the seeds do not overlap (`separated` in the JSON line lists every such pair).
 *
 * - `deno run -A bench/demo_bench.ts [--checkpoint DIR] [extra demo flags…]` runs the demo once
 *   as a subprocess and prints one JSON line: `{ wallS, cpuS, exitCode, … }` (`cpuS`: user +
 *   system CPU seconds of the demo, the figure to compare on a loaded machine);
 * - `deno bench -A bench/demo_bench.ts` runs it once as a `Deno.bench` case (`n: 1`, no warm-up),
 *   ignored when the base checkpoint is missing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { separatedArms } from "../tools/demo.ts";

const KIT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_CHECKPOINT = join(KIT_ROOT, "data", "checkpoints", "base");

/** What one cold demo run cost, and which of its arms it tells apart. */
interface DemoTiming {
  readonly wallS: number;
  /** Pairs of arms whose pass@1 intervals (mean ± 95% CI half-width) do not overlap. */
  readonly separated: readonly string[];
  /** User + system CPU seconds of the demo process and its children (the sandbox). */
  readonly cpuS: number;
  readonly exitCode: number;
  readonly checkpoint: string;
  readonly runsDir: string;
}

async function _cpuSeconds(): Promise<number> {
  // /proc/self/stat fields 16, 17: cutime, cstime (children waited for), in clock ticks.
  const fields = (await Deno.readTextFile("/proc/self/stat")).split(") ")[1].split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs `tools/demo.ts` once in a temp runs and cache folder. */
async function coldDemo(checkpoint: string, extra: readonly string[]): Promise<DemoTiming> {
  if (!existsSync(join(checkpoint, "model.safetensors"))) {
    throw new Error(
      `demo_bench: expected a base checkpoint in ${checkpoint} (model.safetensors): run ` +
        "`deno task pretrain` first, or pass --checkpoint DIR",
    );
  }
  const tmp = await Deno.makeTempDir({ prefix: "demo-bench-" });
  const runsDir = join(tmp, "runs");
  const cpu0 = await _cpuSeconds();
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(KIT_ROOT, "tools", "demo.ts"),
      `--model.checkpoint=${checkpoint}`,
      "--runs-dir",
      runsDir,
      "--cache-dir",
      join(tmp, "cache"),
      "--quiet",
      ...extra,
    ],
    cwd: KIT_ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = (await _cpuSeconds()) - cpu0;
  const text = new TextDecoder().decode(out.stdout);
  console.error(text);
  await Deno.remove(tmp, { recursive: true });
  if (!out.success) throw new Error(`demo_bench: the demo exited with code ${out.code}`);
  return { wallS, separated: separatedArms(text), cpuS, exitCode: out.code, checkpoint, runsDir };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--checkpoint");
  const checkpoint = at >= 0 ? args.splice(at, 2)[1] : DEFAULT_CHECKPOINT;
  console.log(JSON.stringify(await coldDemo(checkpoint, args)));
} else {
  const missing = !existsSync(join(DEFAULT_CHECKPOINT, "model.safetensors"));
  if (missing) {
    console.error(
      `demo_bench: skipped: no base checkpoint in ${DEFAULT_CHECKPOINT} (deno task pretrain)`,
    );
  }
  Deno.bench({
    name: "deno task demo, cold (fresh runs and caches), wall time",
    ignore: missing,
    n: 1,
    warmup: 0,
    async fn() {
      await coldDemo(DEFAULT_CHECKPOINT, []);
    },
  });
}
