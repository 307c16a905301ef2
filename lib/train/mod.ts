/**
 * Training: the generic loop (AdamW, cosine warm-up, clipping, accumulation, checkpoints and
 * resume, metric events), preference and LM data, loss closures and the reference log-prob cache.
 *
 * @module
 */
export * from "./types.ts";
export * from "./adamw.ts";
export * from "./schedule.ts";
export * from "./train.ts";
export * from "./training_state.ts";
export * from "./metrics_log.ts";
export * from "./progress_bar.ts";
export * from "./preference_data.ts";
export * from "./lm_data.ts";
export * from "./loss_closures.ts";
export * from "./reference_logps.ts";
export * from "./train_hyperparams.ts";
