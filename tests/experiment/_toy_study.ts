/** A deterministic study for the runner tests: acc = gain * (seed + 1), three logged steps. */
import type { CellContext, CellResult, Study, Variant } from "../../lib/experiment/mod.ts";

export interface ToyVariant extends Variant {
  readonly gain: number;
}
export type ToyScale = { readonly steps: number };
export type ToyBase = { readonly train: { readonly beta: number; readonly loss: string } };

export const TOY: Study<ToyVariant, ToyScale, ToyBase> = {
  name: "toy",
  description: "A toy study with known metrics.",
  variants: [
    { id: "a", label: "Alpha", gain: 1 },
    { id: "b", label: "Beta", gain: 2, set: { "train.loss": "target-dpo" } },
  ],
  presets: {
    smoke: { seeds: [0, 1, 2], scale: { steps: 3 } },
    paper: { seeds: [0, 1, 2, 3], scale: { steps: 10 } },
  },
  base: { train: { beta: 0.1, loss: "dpo" } },
  metrics: [{ key: "acc", title: "accuracy" }],
  plots: [{ kind: "bar", metric: "acc" }],
};

/** A cell counting its calls into `calls` (as `variant/seed`). */
export function toyCell(calls: string[]) {
  return async (ctx: CellContext<ToyVariant, ToyScale, ToyBase>): Promise<CellResult> => {
    calls.push(`${ctx.variant.id}/${ctx.seed}`);
    for (let step = 0; step < ctx.config.scale.steps; step++) {
      await ctx.logMetrics({ step, loss: ctx.variant.gain / (step + 1) });
      ctx.progress({ done: step + 1, total: ctx.config.scale.steps });
    }
    return { metrics: { acc: ctx.variant.gain * (ctx.seed + 1) } };
  };
}
