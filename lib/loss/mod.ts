/**
 * Losses of DESIGN §2 as pure functions: sequence log-probs, DPO, Target-DPO, RPO,
 * Target-RPO, hybrid, symmetric, SFT baselines and the plain LM loss, with their
 * hyper-parameters (`loss_options.ts`).
 *
 * ## Adding a loss variant (5 files of lib/loss and its test)
 *
 * 1. `lib/loss/<name>.ts`: one small pure function `(inputs, options) => LossResult` built on
 *    `_dpo_core.ts`, with a closed-form `@example` (at margin 0 a DPO-style loss is ln 2) and a
 *    comment citing the equation it implements.
 * 2. `lib/loss/types.ts`: its name in `LOSS_VARIANTS` (the closed list every CLI, config check and
 *    study reads: `--train.loss=<name>` works in every preference study from here on).
 * 3. `lib/loss/loss_for_variant.ts`: its case in `lossForVariant` and `needsReference`, and
 *    `lib/loss/variant_masks.ts`: its case in `maskModeOf` (the exhaustive switches fail to type
 *    check until it has them).
 * 4. `lib/loss/mod.ts`: `export * from "./<name>.ts"`.
 * 5. `tests/loss/<name>_test.ts`: values computed by hand.
 *
 * A new loss hyper-parameter takes lib/loss only: its field in `LossOptions` (`types.ts`), its
 * default in `LOSS_OPTION_DEFAULTS` and its check in `validateLossOptions` (`loss_options.ts`),
 * and its use in the variant's function. The preference cell's `train` config embeds
 * `LOSS_OPTION_DEFAULTS` (so `--train.<name>=…` works and the fingerprint covers it), and the
 * trainer passes every loss option through (`preferenceLoss`).
 *
 * @module
 */
export * from "./types.ts";
export * from "./token_logps.ts";
export * from "./sequence_logp.ts";
export * from "./dpo.ts";
export * from "./target_dpo.ts";
export * from "./rpo.ts";
export * from "./hybrid.ts";
export * from "./symmetric.ts";
export * from "./sft.ts";
export * from "./lm_loss.ts";
export * from "./loss_for_variant.ts";
export * from "./pair_masks.ts";
export * from "./variant_masks.ts";
export * from "./seeded_permutation.ts";
export * from "./read_metrics.ts";
export * from "./loss_options.ts";
