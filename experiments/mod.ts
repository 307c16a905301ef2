/**
 * The registry of studies run by `deno task experiment <name>`: one entry per
 * `experiments/<name>.ts`, keyed by the study's name.
 *
 * @module
 */
import type { AnyStudy } from "../lib/experiment/mod.ts";
import { betaSweep } from "./beta_sweep.ts";
import { diffAug } from "./diff_aug.ts";
import { diffMethod } from "./diff_method.ts";
import { diffMethodMasks } from "./diff_method_masks.ts";
import { emptyDPolicy } from "./empty_d_policy.ts";
import { humanevalPlus } from "./humaneval_plus.ts";
import { hybrid } from "./hybrid.ts";
import { lambdaSweep } from "./lambda_sweep.ts";
import { mainResults } from "./main_results.ts";
import { negativeSelection } from "./negative_selection.ts";
import { realModel } from "./real_model.ts";
import { samplingVsDebugging } from "./sampling_vs_debugging.ts";
import { sftCorrectVsIncorrect } from "./sft_correct_vs_incorrect.ts";
import { symmetric } from "./symmetric.ts";

/**
 * Every registered study by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STUDIES } from "./mod.ts";
 * assert.equal(STUDIES["diff-method-masks"].name, "diff-method-masks");
 * ```
 */
export const STUDIES: Readonly<Record<string, AnyStudy>> = Object.fromEntries(
  ([
    diffMethodMasks,
    mainResults,
    hybrid,
    diffAug,
    symmetric,
    betaSweep,
    lambdaSweep,
    negativeSelection,
    diffMethod,
    sftCorrectVsIncorrect,
    emptyDPolicy,
    humanevalPlus,
    samplingVsDebugging,
    realModel,
  ] as unknown as readonly AnyStudy[]).map((s) => [s.name, s]),
);

export { PREFERENCE_BASE, PREFERENCE_PRESETS } from "./_defaults.ts";
