/**
 * CLI of the study runner (DESIGN §5 "Experiments and notebooks"): run a registered study into
 * `runs/<id>/` (rerun the same command to resume), then print its table.
 *
 * ```sh
 * deno task experiment diff-method-masks
 * deno task experiment diff-method-masks --preset paper --synth.maxBugs=2 --seeds=[0,1]
 * deno task experiment main-results --model models/SmolLM2-135M-Instruct.Q4_1.gguf --variants ref,dpo
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import { runStudy } from "../lib/experiment/mod.ts";
import { STUDIES } from "../experiments/mod.ts";
import { PRESET_NAMES, type PresetName } from "../lib/core/mod.ts";

const USAGE = `usage: deno task experiment <study> [--preset smoke|paper] [--key=value …] [options]

  <study>              a registered study (experiments/mod.ts)
  --preset NAME        scale preset: ${PRESET_NAMES.join(" | ")} (default smoke)
  --key=value          override seeds, scale.<knob> or a key of the study's base
                       (for example --seeds=[0,1] --scale.pairs=8 --synth.maxBugs=2)
  --variants A,B       run only these variants (ids as in table.md; own run folder)
  --model PATH         train a Hugging Face folder or GGUF file instead of the kit's checkpoint
                       (preference studies; the same as --model.kind=hf --model.checkpoint=PATH;
                       LoRA by --model.lora.rank=R …, every weight by --model.lora=null)
  --prompt chat|plain  how that model reads prompts: its chat template (default) or raw
  --runs-dir DIR       folder of the run folders (default runs)
  --run-id ID          run folder name (default <study>-<preset>-<config hash>)
  --quiet              no progress lines on stderr
  --no-plot-titles     charts without titles in their .svg/.png (for figures set in a paper)
  --list               list the registered studies
  --unsafe-isolation MODE  unshare|rlimits: run untrusted code without bubblewrap (a banner warns)
  --help               this text
`;

function fail(message: string): never {
  console.error(`experiment: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

/** Parsed command line. */
interface Args {
  readonly study?: string;
  readonly preset: PresetName;
  readonly overrides: readonly string[];
  readonly runsDir?: string;
  readonly runId?: string;
  readonly variants?: readonly string[];
  readonly quiet: boolean;
  readonly plotTitles: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

function parse(argv: readonly string[]): Args {
  const positional: string[] = [];
  const overrides: string[] = [];
  let preset = "smoke", runsDir: string | undefined, runId: string | undefined;
  let variants: string[] | undefined;
  let quiet = false, list = false, help = false, plotTitles = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = () => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) fail(`${name} needs a value`);
      return next;
    };
    if (name === "--preset") preset = value();
    else if (name === "--runs-dir") runsDir = value();
    else if (name === "--run-id") runId = value();
    else if (name === "--variants") variants = value().split(",").map((v) => v.trim());
    else if (name === "--model") {
      overrides.push("model.kind=hf", `model.checkpoint=${resolve(value())}`);
    } else if (name === "--prompt") overrides.push(`model.prompt=${value()}`);
    else if (arg === "--quiet") quiet = true;
    else if (arg === "--no-plot-titles") plotTitles = false;
    else if (arg === "--list") list = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg.startsWith("--") && eq > 2) overrides.push(arg.slice(2));
    else if (arg.startsWith("-")) fail(`unknown option "${arg}" (overrides are --key=value)`);
    else positional.push(arg);
  }
  if (positional.length > 1) fail(`expected one study name, found ${positional.join(", ")}`);
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    fail(`unknown preset "${preset}" (known: ${PRESET_NAMES.join(", ")})`);
  }
  return {
    study: positional[0],
    preset: preset as PresetName,
    overrides,
    runsDir,
    runId,
    variants,
    quiet,
    plotTitles,
    list,
    help,
  };
}

if (import.meta.main) {
  let argv: string[] = [];
  try {
    argv = takeUnsafeIsolationFlag(Deno.args);
  } catch (e) {
    fail((e as Error).message);
  }
  const args = parse(argv);
  const known = Object.keys(STUDIES).sort();
  if (args.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (args.list) {
    for (const name of known) console.log(`${name}\t${STUDIES[name].description}`);
    Deno.exit(0);
  }
  if (args.study === undefined) fail(`expected a study name (known: ${known.join(", ")})`);
  const study = STUDIES[args.study];
  if (study === undefined) fail(`unknown study "${args.study}" (known: ${known.join(", ")})`);
  let run;
  try {
    run = await runStudy({
      study,
      preset: args.preset,
      overrides: args.overrides,
      runsDir: args.runsDir,
      runId: args.runId,
      variants: args.variants,
      quiet: args.quiet,
      plotTitles: args.plotTitles,
    });
  } catch (e) {
    console.error(`experiment: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.log(run.table);
  console.log(`\n${run.runDir}: ${[...run.plots.map((p) => p.png)].join(", ")}`);
}
