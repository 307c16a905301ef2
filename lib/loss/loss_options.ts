/**
 * The loss hyper-parameters as one record: their defaults (the paper's values), their checks, and
 * the picking of them out of a larger config. A new hyper-parameter is added here and in
 * {@linkcode LossOptions}; every config that embeds {@linkcode ResolvedLossOptions} (the
 * preference cell's `train`) gets it, its check and its CLI override from these.
 *
 * @module
 */
import { _DEFAULT_BETA, _DEFAULT_LAMBDA } from "./_dpo_core.ts";
import type { LossOptions } from "./types.ts";

/** Every loss hyper-parameter, resolved. */
export type ResolvedLossOptions = Required<LossOptions>;

/** The defaults of every loss hyper-parameter (DESIGN §1: β = 0.1, λ = 1). */
export const LOSS_OPTION_DEFAULTS: ResolvedLossOptions = Object.freeze({
  beta: _DEFAULT_BETA,
  lambda: _DEFAULT_LAMBDA,
});

/** The keys of {@linkcode ResolvedLossOptions}, in the order configs list them. */
const _KEYS = Object.keys(LOSS_OPTION_DEFAULTS) as (keyof ResolvedLossOptions)[];

/**
 * The loss hyper-parameters of a config that embeds them (extra fields are left behind).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickLossOptions } from "./loss_options.ts";
 * const train = { loss: "target-rpo", beta: 0.3, lambda: 2, lr: 1e-5 };
 * assert.deepEqual(pickLossOptions(train), { beta: 0.3, lambda: 2 });
 * ```
 */
export function pickLossOptions(config: ResolvedLossOptions): ResolvedLossOptions {
  return Object.fromEntries(_KEYS.map((k) => [k, config[k]])) as unknown as ResolvedLossOptions;
}

/**
 * Throw when a loss hyper-parameter is out of range: β > 0 (Eq. 2), λ ≥ 0 (Eq. 7-8). The message
 * names `where`, the field and the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateLossOptions } from "./loss_options.ts";
 * validateLossOptions("config: train", { beta: 0.1, lambda: 0 });
 * assert.throws(
 *   () => validateLossOptions("config: train", { beta: 0, lambda: 1 }),
 *   { message: "config: train.beta: expected a number > 0, found 0" },
 * );
 * ```
 */
export function validateLossOptions(where: string, options: ResolvedLossOptions): void {
  const check = (key: keyof ResolvedLossOptions, ok: (v: number) => boolean, expected: string) => {
    const v = options[key];
    if (!(typeof v === "number" && Number.isFinite(v) && ok(v))) {
      throw new Error(`${where}.${key}: expected ${expected}, found ${JSON.stringify(v)}`);
    }
  };
  check("beta", (v) => v > 0, "a number > 0");
  check("lambda", (v) => v >= 0, "a number >= 0");
}
