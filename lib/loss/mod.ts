/**
 * Losses of DESIGN §2 as pure functions: sequence log-probs, DPO, Target-DPO, RPO,
 * Target-RPO, hybrid, symmetric, SFT baselines and the plain LM loss.
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
