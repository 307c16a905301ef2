/**
 * Show the charts a run saved (`<name>.vl.json`) inline in a notebook.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { displayChart, type DisplayOptions } from "./display.ts";
import type { ChartImages } from "./mime_bundles.ts";
import type { SavedPlot } from "./save_plot.ts";
import { titledSpec } from "./titled_spec.ts";
import type { VegaLiteSpec } from "./types.ts";

/** Options of {@linkcode displaySavedPlots}. */
export interface DisplaySavedPlotsOptions extends DisplayOptions {
  /**
   * Appended to every chart title (`<title> — <label>`), e.g. the data source.
   * @default {undefined: titles as saved}
   */
  readonly label?: string;
  /**
   * Charts whose file stem (`bar_pass_1_test`, `training_curves`, …) matches are shown.
   * @default {/./: every chart}
   */
  readonly only?: RegExp;
}

/**
 * Reads each saved spec (`plot.spec`, a `.vl.json` file) and displays it with
 * {@linkcode displayChart}. Returns nothing, so a notebook cell that ends with it dumps no spec.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 * import { displaySavedPlots } from "./display_saved_plots.ts";
 * const dir = await Deno.makeTempDir();
 * const spec = join(dir, "bar_acc.vl.json");
 * await Deno.writeTextFile(spec, JSON.stringify({ title: "acc", mark: "bar" }));
 * const printed: string[] = [];
 * await displaySavedPlots([{ spec, svg: "", png: "" }], {
 *   label: "MiniFlow",
 *   fallback: (t) => printed.push(t),
 * });
 * assert.deepEqual(printed, ["[Vega-Lite chart: acc — MiniFlow]"]);
 * ```
 */
export async function displaySavedPlots(
  plots: readonly SavedPlot[],
  options: DisplaySavedPlotsOptions = {},
): Promise<void> {
  for (const plot of plots) {
    const stem = plot.spec.split("/").at(-1)!.replace(/\.vl\.json$/, "");
    if (options.only !== undefined && !options.only.test(stem)) continue;
    let spec: VegaLiteSpec;
    try {
      spec = JSON.parse(await readFile(plot.spec, "utf8")) as VegaLiteSpec;
    } catch (e) {
      throw new Error(
        `displaySavedPlots: expected a Vega-Lite JSON spec in ${plot.spec}: ${
          (e as Error).message
        }`,
        { cause: e },
      );
    }
    if (options.label !== undefined) spec = titledSpec(spec, options.label);
    // A relabelled spec is rendered afresh; otherwise the saved SVG and PNG are shown as they are.
    const images = options.label === undefined ? await _savedImages(plot) : undefined;
    await displayChart(spec, { ...options, ...(images ? { images } : {}) });
  }
}

/** The SVG and PNG saved beside a spec, when both are there. */
async function _savedImages(plot: SavedPlot): Promise<ChartImages | undefined> {
  if (!plot.svg || !plot.png) return undefined;
  try {
    return { svg: await readFile(plot.svg, "utf8"), png: new Uint8Array(await readFile(plot.png)) };
  } catch {
    return undefined;
  }
}
