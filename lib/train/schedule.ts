/**
 * Learning-rate schedule: linear warm-up then cosine decay (DESIGN §1: "cosine schedule with 3%
 * warm-up").
 *
 * @module
 */

/** Options of {@link cosineWithWarmup}. */
export interface ScheduleConfig {
  /**
   * Fraction of the total steps spent in linear warm-up (`ceil(fraction * totalSteps)` steps).
   * @default {0.03}
   */
  readonly warmupFraction?: number;
  /**
   * Final learning rate as a fraction of the peak.
   * @default {0}
   */
  readonly minLrRatio?: number;
}

/**
 * Learning rate for update `step` (0-based) of `totalSteps`:
 * - warm-up, `step < W`: `peak * (step + 1) / W` (never 0, unlike Hugging Face's `step / W`);
 * - then `min + (peak - min) * 0.5 * (1 + cos(pi * (step - W) / max(1, totalSteps - W)))`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { cosineWithWarmup } from "./schedule.ts";
 * // 100 steps, 3 warm-up steps
 * equal(cosineWithWarmup(0, 100, 1e-3), 1e-3 / 3);
 * equal(cosineWithWarmup(3, 100, 1e-3), 1e-3);
 * ```
 */
export function cosineWithWarmup(
  step: number,
  totalSteps: number,
  peakLr: number,
  config: ScheduleConfig = {},
): number {
  const fraction = config.warmupFraction ?? 0.03;
  const minRatio = config.minLrRatio ?? 0;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new Error(`cosineWithWarmup: warmupFraction must be in [0, 1], found ${fraction}`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new Error(`cosineWithWarmup: totalSteps must be a positive integer, found ${totalSteps}`);
  }
  const warmup = Math.ceil(fraction * totalSteps);
  if (step < warmup) return (peakLr * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
  const minLr = peakLr * minRatio;
  return minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
