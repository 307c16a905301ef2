/**
 * `deno task demo`: the main job on the offline default, in a few minutes on two cores. It loads
 * the base checkpoint (`deno task pretrain` writes `data/checkpoints/base`), synthesises MiniFlow
 * pairs with the offline teacher, trains DPO, RPO, Target-DPO and Target-RPO from the base model
 * (3 seeds each, next to the untrained base, Ref), evaluates greedy pass@1 on the MiniFlow test
 * split, prints the table (mean ± 95% CI over the seeds) and writes the charts into
 * `runs/demo-<config hash>/`.
 *
 * It is a study run (lib/experiment `runStudy`) of {@linkcode DEMO_STUDY}, so it records the
 * resolved config, the seeds and the git commit, and a rerun resumes: finished cells are skipped.
 *
 * ```sh
 * deno task demo                                   # the demo scale (preset "paper" of the demo)
 * deno task demo --preset smoke                    # seconds: the main-results smoke sizes
 * deno task demo --model.checkpoint=/tmp/ckpt --scale.steps=20 --runs-dir /tmp/runs
 * ```
 *
 * @module
 */
import { takeUnsafeIsolationFlag, unsafeIsolation } from "../lib/sandbox/mod.ts";
import { BUBBLEWRAP, checkPrereqs, DEMO } from "./prereqs.ts";
import { configHash, resolveConfig, runStudy, type RunStudyResult } from "../lib/experiment/mod.ts";
import type { PreferenceBase, PreferenceScale } from "../lib/pipeline/preference_config.ts";
import { PREFERENCE_PRESETS } from "../experiments/mod.ts";
import {
  PAIR_METRICS,
  PASS_METRICS,
  preferenceCell,
  type PreferenceStudy,
  type PreferenceVariant,
} from "../experiments/preference_study.ts";
import { mainResults } from "../experiments/main_results.ts";
import { oneOf, PRESET_NAMES, type PresetName } from "../lib/core/mod.ts";

/** Label of every result of the demo: the pairs come from the offline MiniFlow teacher. */
export const DEMO_LABEL = "MiniFlow (offline teacher)";

/** Variants of main-results the demo runs: the base model and the four preference losses. */
export const DEMO_VARIANT_IDS: readonly string[] = [
  "ref",
  "dpo",
  "rpo",
  "target-dpo",
  "target-rpo",
];

/**
 * The demo's sizes, chosen to finish within 3 minutes on two cores (measured by
 * `bench/demo_bench.ts`): ~80 pairs, 40 steps of 8 pairs (about 4 epochs), 20 test tasks.
 */
export const DEMO_SCALE: PreferenceScale = {
  tasks: 240, // MiniFlow trajectories synthesised (cached under runs/cache): ~80 pairs
  steps: 40, // the 79 pairs seen about 4 times per seed
  testTasks: 20, // greedy pass@1 on the first 20 MiniFlow test tasks
  valTasks: 0, // no validation split: the demo reports the test split only
  maxNewTokens: 96, // MiniFlow bodies are 3–12 lines
};

/**
 * The demo's learning rate: above the tuned 3e-5, where the learning-rate table of the README
 * shows plain DPO collapsing while Target-DPO holds. At 3e-5, ten or forty steps leave every arm
 * where the base model is on 20 test tasks, and a newcomer sees no effect at all.
 */
export const DEMO_LR = 1e-4;
/** {@linkcode DEMO_LR} as people write it (`1e-4`, not `0.0001`). */
const _LR_TEXT = DEMO_LR.toExponential();

/** What the demo's table shows and what it does not: printed under it and kept in the README. */
export const DEMO_READING =
  `At learning rate ${_LR_TEXT} (above the kit's tuned 3e-5) and about 4 epochs of ~80 pairs, ` +
  "plain DPO collapses while Target-DPO, RPO and Target-RPO keep most of the base model's " +
  "pass@1: focusing the rejected side on its critical lines (or adding RPO's NLL term) makes " +
  "preference training robust to a too-large step. It does not show that any arm improves on " +
  "the base model (Ref): at this scale every trained arm ends at or below it. The findings on " +
  "improvement come from the `paper` studies of the README, and all of this is MiniFlow (an " +
  "offline teacher and a 258k-parameter model), not a real LLM.";

/**
 * The demo study: main-results restricted to {@linkcode DEMO_VARIANT_IDS}, test pass@1 only, at
 * {@linkcode DEMO_LR}. Its `paper` preset is the demo scale ({@linkcode DEMO_SCALE}); `smoke` is
 * the main-results smoke.
 */
export const DEMO_STUDY: PreferenceStudy = {
  ...mainResults,
  name: "demo",
  description: "The demo of `deno task demo`: DPO, RPO, Target-DPO and Target-RPO trained from " +
    `the base model (Ref) on the same pairs at learning rate ${_LR_TEXT}; greedy pass@1 on the ` +
    `MiniFlow test split (${DEMO_LABEL}).`,
  base: { ...mainResults.base, train: { ...mainResults.base.train, lr: DEMO_LR } },
  variants: DEMO_VARIANT_IDS.map((id) => {
    const v = mainResults.variants.find((x) => x.id === id);
    if (v === undefined) throw new Error(`demo: main-results has no variant "${id}"`);
    return v as PreferenceVariant;
  }),
  presets: {
    smoke: structuredClone(PREFERENCE_PRESETS.smoke),
    paper: { seeds: [0, 1, 2], scale: DEMO_SCALE },
  },
  metrics: [PASS_METRICS[0], ...PAIR_METRICS],
  plots: [{
    kind: "bar",
    metric: "pass@1/test",
    title: `Greedy pass@1, MiniFlow test, lr ${_LR_TEXT} — ${DEMO_LABEL}`,
  }],
};

/**
 * The pairs of arms of the demo's mean ± CI table (`| Variant | id | n | 20.0 ± 0.0 | …`, its
 * first "±" column: pass@1) whose intervals do not overlap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { separatedArms } from "./demo.ts";
 * const table = "| Ref | ref | 3 | 20.0 ± 0.0 | 79 ± 0 |\n| DPO | dpo | 3 | 1.7 ± 7.2 | 79 ± 0 |\n" +
 *   "| RPO | rpo | 3 | 15.0 ± 6.0 | 79 ± 0 |\n";
 * // DPO's [-5.5, 8.9] is apart from Ref's [20, 20] and RPO's [9, 21]; RPO overlaps Ref.
 * assert.deepEqual(separatedArms(table), ["Ref / DPO", "DPO / RPO"]);
 * ```
 */
export function separatedArms(table: string): string[] {
  const arms = [...table.matchAll(/^\| ([^|]+?) \| [^|]+ \| \d+ \| (-?[\d.]+) ± ([\d.]+) \|/gm)]
    .map((m) => ({ name: m[1], lo: Number(m[2]) - Number(m[3]), hi: Number(m[2]) + Number(m[3]) }));
  const out: string[] = [];
  arms.forEach((a, i) =>
    arms.slice(i + 1).forEach((b) => {
      if (a.hi < b.lo || b.hi < a.lo) out.push(`${a.name} / ${b.name}`);
    })
  );
  return out;
}

/** Options of {@linkcode runDemo}. */
export interface RunDemoOptions {
  /**
   * `paper` is the demo scale, `smoke` the main-results smoke sizes.
   * @default {"paper"}
   */
  readonly preset?: PresetName;
  /**
   * `key=value` overrides (`model.checkpoint=…`, `scale.steps=…`, `seeds=[0,1,2]`).
   * @default {[]}
   */
  readonly overrides?: readonly string[];
  /**
   * Folder of the run folders.
   * @default {"runs" of the kit's checkout}
   */
  readonly runsDir?: string;
  /**
   * Shared caches of the preference cells (trajectories, evaluation splits, reference log-probs).
   * @default {"<kit>/runs/cache"}
   */
  readonly cacheDir?: string;
  /**
   * No progress lines on stderr.
   * @default {false}
   */
  readonly quiet?: boolean;
}

/** Runs (or resumes) the demo into `<runsDir>/demo-<config hash>/`. */
export async function runDemo(
  options: RunDemoOptions = {},
): Promise<RunStudyResult<PreferenceVariant, PreferenceScale, PreferenceBase>> {
  const preset = options.preset ?? "paper";
  const overrides = options.overrides ?? [];
  const hash = configHash(resolveConfig(DEMO_STUDY, preset, overrides));
  return await runStudy({
    study: DEMO_STUDY,
    preset,
    overrides,
    runId: `demo-${preset === "paper" ? "" : `${preset}-`}${hash}`,
    ...(options.runsDir === undefined ? {} : { runsDir: options.runsDir }),
    cell: preferenceCell(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    quiet: options.quiet ?? false,
  });
}

const USAGE =
  `usage: deno task demo [--preset paper|smoke] [--key=value …] [--runs-dir DIR] [--quiet]

  --preset NAME   paper: the demo scale (default); smoke: seconds, for a quick check
  --key=value     override a config key, e.g. --model.checkpoint=/tmp/ckpt --scale.steps=20
  --runs-dir DIR  folder of the run folders (default runs)
  --cache-dir DIR shared caches: trajectories, eval splits, reference log-probs (default runs/cache)
  --unsafe-isolation MODE  unshare|rlimits: no bubblewrap (a banner warns)
  --quiet         no progress lines on stderr
`;

function _parse(argv: readonly string[]): RunDemoOptions {
  let preset: PresetName = "paper", quiet = false;
  let runsDir: string | undefined, cacheDir: string | undefined;
  const overrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = () => {
      const v = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === "--help" || name === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else if (name === "--preset") {
      preset = oneOf("--preset", value(), PRESET_NAMES);
    } else if (name === "--runs-dir") runsDir = value();
    else if (name === "--cache-dir") cacheDir = value();
    else if (name === "--quiet") quiet = true;
    else if (arg.startsWith("--") && eq > 2) overrides.push(arg.slice(2));
    else throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
  }
  return { preset, overrides, runsDir, cacheDir, quiet };
}

if (import.meta.main) {
  let options: RunDemoOptions;
  try {
    options = _parse(takeUnsafeIsolationFlag(Deno.args));
    // Untrusted code runs only under bubblewrap, and training wants the native libraries: install
    // them as root, or fail naming the command (a weaker isolation only by --unsafe-isolation).
    const report = checkPrereqs({
      install: true,
      only: unsafeIsolation() === undefined ? DEMO : DEMO.filter((p) => !BUBBLEWRAP.includes(p)),
    });
    if (report.installed.length > 0) console.error(`demo: installed ${report.installed}`);
  } catch (e) {
    console.error(`demo: ${(e as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const t0 = performance.now();
  try {
    const run = await runDemo(options);
    console.log(`# Target-DPO demo — ${DEMO_LABEL}\n`);
    console.log(run.table);
    console.log(`\nWhat this shows: ${DEMO_READING}`);
    console.log(`\nrun folder: ${run.runDir}`);
    console.log(`plots: ${run.plots.map((p) => p.png).join(", ")}`);
    console.log(`wall time: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } catch (e) {
    console.error(`demo: stopped: ${(e as Error).message}\nrerun the same command to resume.`);
    Deno.exit(1);
  }
}
