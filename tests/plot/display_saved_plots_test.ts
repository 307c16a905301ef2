import assert from "node:assert/strict";
import { join } from "node:path";
import { displaySavedPlots } from "../../lib/plot/display_saved_plots.ts";

Deno.test("displaySavedPlots: reads each .vl.json, labels titles, filters by stem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plots = ["bar_pass_1_test", "training_curves"].map((stem) => ({
      spec: join(dir, `${stem}.vl.json`),
      svg: join(dir, `${stem}.svg`),
      png: join(dir, `${stem}.png`),
    }));
    await Deno.writeTextFile(plots[0].spec, JSON.stringify({ title: "pass@1", mark: "bar" }));
    await Deno.writeTextFile(
      plots[1].spec,
      JSON.stringify({ title: { text: "curves" }, mark: "line" }),
    );
    const printed: string[] = [];
    const shown = await displaySavedPlots(plots, {
      label: "MiniFlow",
      fallback: (t) => printed.push(t),
    });
    assert.deepEqual(printed, [
      "[Vega-Lite chart: pass@1 — MiniFlow]",
      "[Vega-Lite chart: curves — MiniFlow]",
    ]);
    // Nothing comes back, so a notebook cell ending with the call dumps no spec.
    assert.equal(shown, undefined);

    const only: string[] = [];
    await displaySavedPlots(plots, { only: /^bar_/, fallback: (t) => only.push(t) });
    assert.deepEqual(only, ["[Vega-Lite chart: pass@1]"]);

    const missing = { spec: join(dir, "nope.vl.json"), svg: "", png: "" };
    await assert.rejects(
      () => displaySavedPlots([missing], { fallback: () => {} }),
      new RegExp(`displaySavedPlots: expected a Vega-Lite JSON spec in ${missing.spec}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
