/**
 * CLI of base-model pretraining (issue 6 item 2): train the tiny GPT on the MiniFlow base corpus
 * and write the checkpoint with its model card. Rerun the same command to resume.
 *
 * ```sh
 * deno task pretrain                                  # paper preset -> data/checkpoints/base
 * deno task pretrain --preset smoke --out /tmp/smoke  # < 1 minute
 * deno task pretrain --train.steps=800 --corpus.buggyFraction=0.5 --out data/checkpoints/p05
 * ```
 *
 * @module
 */
import { takeUnsafeIsolationFlag } from "../lib/sandbox/mod.ts";
import { join, resolve } from "node:path";
import { applyOverrides } from "../lib/experiment/overrides.ts";
import {
  pretrainBase,
  type PretrainConfig,
  pretrainConfig,
  type PretrainPreset,
  validatePretrainConfig,
} from "../lib/pipeline/mod.ts";
import { PRESET_NAMES } from "../lib/core/mod.ts";

const USAGE = `usage: deno task pretrain [--preset smoke|paper] [--key=value …] [options]

  --preset NAME     scale preset: ${PRESET_NAMES.join(" | ")} (default paper)
  --key=value       override a config key, e.g. --train.steps=800 --corpus.buggyFraction=0.5
                    --model.nLayer=4 (unknown keys and wrong types are rejected)
  --out DIR         checkpoint folder (default data/checkpoints/<name>)
  --run-dir DIR     trainer run folder, resumable (default runs/pretrain-<name>-<preset>)
  --quiet           no progress on stderr
  --print-config    print the resolved config and exit
  --unsafe-isolation MODE  unshare|rlimits: no bubblewrap (a banner warns)
  --help            this text
`;

function fail(message: string): never {
  console.error(`pretrain: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

interface _Args {
  readonly preset: PretrainPreset;
  readonly overrides: readonly string[];
  readonly out?: string;
  readonly runDir?: string;
  readonly quiet: boolean;
  readonly printConfig: boolean;
}

function parse(argv: readonly string[]): _Args {
  let preset = "paper", out: string | undefined, runDir: string | undefined;
  let quiet = false, printConfig = false;
  const overrides: string[] = [];
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
    if (name === "--help" || name === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else if (name === "--preset") preset = value();
    else if (name === "--out") out = value();
    else if (name === "--run-dir") runDir = value();
    else if (name === "--quiet") quiet = true;
    else if (name === "--print-config") printConfig = true;
    else if (arg.startsWith("--") && eq > 2) overrides.push(arg.slice(2));
    else fail(`unexpected argument ${JSON.stringify(arg)}`);
  }
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    fail(`--preset: expected one of ${PRESET_NAMES.join(", ")}, found ${JSON.stringify(preset)}`);
  }
  return { preset: preset as PretrainPreset, overrides, out, runDir, quiet, printConfig };
}

let argv: string[] = [];
try {
  argv = takeUnsafeIsolationFlag(Deno.args);
} catch (e) {
  console.error(`pretrain: ${(e as Error).message}\n\n${USAGE}`);
  Deno.exit(2);
}
const args = parse(argv);
let config: PretrainConfig;
try {
  config = applyOverrides(pretrainConfig(args.preset), args.overrides);
  validatePretrainConfig(config); // --print-config prints only a config that would run
} catch (err) {
  fail((err as Error).message);
}
if (args.printConfig) {
  console.log(JSON.stringify(config, null, 2));
  Deno.exit(0);
}
const outDir = resolve(args.out ?? join("data", "checkpoints", config.name));
const runDir = resolve(args.runDir ?? join("runs", `pretrain-${config.name}-${config.preset}`));
const { card } = await pretrainBase(config, { outDir, runDir, progress: !args.quiet });
const e = card.evaluation;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  [
    `checkpoint   ${outDir} (${card.parameters} parameters, vocab ${card.model.vocabSize})`,
    `corpus       ${card.corpus.documents} tasks, p=${card.corpus.buggyFraction}, ` +
    `${card.corpus.tokens} tokens, seed ${card.corpus.seed}`,
    `training     ${card.training.steps} steps, ${card.training.tokensSeen} tokens, loss ` +
    `${card.training.initialLoss.toFixed(3)} -> ${card.training.finalLoss.toFixed(3)}, ` +
    `${Math.round(card.training.tokensPerSecond)} tok/s, ${
      card.training.stepTimeS.toFixed(0)
    } s of updates`,
    ...(["train-seen", "train-heldout", "validation", "test"] as const).map((s) =>
      `pass@1       ${s.padEnd(13)} ${pct(e[s].passAt1)} (${e[s].passed}/${e[s].tasks})`
    ),
    `bug rate     heldout ${pct(card.bugPropensity.heldout)}, seen ${pct(card.bugPropensity.seen)}`,
    `wall time    ${card.wallTimeS.total.toFixed(0)} s (corpus ${
      card.wallTimeS.corpus.toFixed(0)
    }, train ${card.wallTimeS.train.toFixed(0)}, eval ${card.wallTimeS.eval.toFixed(0)})`,
  ].join("\n"),
);
