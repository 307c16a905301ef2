/**
 * The registry of studies run by `deno task experiment <name>`: one entry per
 * `experiments/<name>.ts`, keyed by the study's name.
 *
 * @module
 */
import type { AnyStudy } from "../lib/experiment/mod.ts";
import { diffMethodMasks } from "./diff_method_masks.ts";

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
  ([diffMethodMasks] as readonly AnyStudy[]).map((s) => [s.name, s]),
);
