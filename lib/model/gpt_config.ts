/**
 * Defaults and validation for {@link GptConfig}.
 *
 * @module
 */
import type { GptConfig } from "./types.ts";

/**
 * Default hyper-parameters of the tiny GPT (everything except `vocabSize`, which comes from the
 * tokenizer). Sized so a training step on the wasm backend takes well under a second.
 */
export const GPT_CONFIG_DEFAULTS: Omit<GptConfig, "vocabSize"> = Object.freeze({
  /** @default 256 */
  contextLength: 256,
  /** @default 128 */
  dModel: 128,
  /** @default 4 */
  nLayer: 4,
  /** @default 4 */
  nHead: 4,
  /** @default 4 */
  mlpRatio: 4,
  /** @default 0 */
  dropout: 0,
  /** @default 0 */
  seed: 0,
});

/**
 * Fill unspecified fields from {@link GPT_CONFIG_DEFAULTS} and validate the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveGptConfig } from "./gpt_config.ts";
 * const c = resolveGptConfig({ vocabSize: 300, nLayer: 2 });
 * assert.equal(c.nLayer, 2);
 * assert.equal(c.dModel, 128);
 * ```
 */
export function resolveGptConfig(
  partial: Partial<GptConfig> & Pick<GptConfig, "vocabSize">,
): GptConfig {
  const config: GptConfig = { ...GPT_CONFIG_DEFAULTS, ...partial };
  validateGptConfig(config);
  return config;
}

/**
 * Throw when a config field is out of range; the message names the field and its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateGptConfig } from "./gpt_config.ts";
 * const bad = { vocabSize: 10, contextLength: 8, dModel: 10, nLayer: 1, nHead: 3, mlpRatio: 4, dropout: 0, seed: 0 };
 * assert.throws(() => validateGptConfig(bad), /dModel \(10\) must be divisible by nHead \(3\)/);
 * ```
 */
export function validateGptConfig(config: GptConfig): void {
  const positiveInts = [
    "vocabSize",
    "contextLength",
    "dModel",
    "nLayer",
    "nHead",
    "mlpRatio",
  ] as const;
  for (const key of positiveInts) {
    const v = config[key];
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`GptConfig.${key} must be a positive integer, found ${v}`);
    }
  }
  if (!Number.isInteger(config.seed)) {
    throw new Error(`GptConfig.seed must be an integer, found ${config.seed}`);
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new Error(`GptConfig.dropout must be in [0, 1), found ${config.dropout}`);
  }
  if (config.dModel % config.nHead !== 0) {
    throw new Error(
      `GptConfig.dModel (${config.dModel}) must be divisible by nHead (${config.nHead})`,
    );
  }
}
