/**
 * Child of interrupt_test.ts: runs the toy study in `Deno.args[0]` with cells that each take
 * about a second, prints "ready" when the first step starts, and on an error prints
 * `error <name>: <message>` and exits 3.
 */
import { type CellContext, runStudy } from "../../lib/experiment/mod.ts";
import { TOY, type ToyBase, type ToyScale, type ToyVariant } from "./_toy_study.ts";

const slowCell = async (ctx: CellContext<ToyVariant, ToyScale, ToyBase>) => {
  for (let step = 0; step < 20; step++) {
    ctx.progress({ done: step, total: 20 });
    if (step === 0) console.log(`ready ${ctx.variant.id}/${ctx.seed}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { metrics: { acc: ctx.variant.gain * (ctx.seed + 1) } };
};

try {
  const run = await runStudy({
    study: TOY,
    runsDir: Deno.args[0],
    quiet: true,
    writePlots: false,
    cell: slowCell,
  });
  console.log(`done ${run.results.length}`);
} catch (e) {
  console.log(`error ${(e as Error).name}: ${(e as Error).message}`);
  Deno.exit(3);
}
