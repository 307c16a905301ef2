/**
 * Write a chart as `name.vl.json`, `name.svg` and `name.png`.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toPng, type ToPngOptions } from "./to_png.ts";
import { toSvg } from "./to_svg.ts";
import type { VegaLiteSpec } from "./types.ts";

/** Options of {@link savePlot}. */
export interface SavePlotOptions extends ToPngOptions {
  /**
   * Draw the spec's title into the `.svg` and `.png` (the `.vl.json` keeps it either way).
   * @default {true}
   */
  readonly imageTitle?: boolean;
}

/** The spec without its top-level title. */
function _untitled(spec: VegaLiteSpec): VegaLiteSpec {
  const { title: _title, ...rest } = spec as VegaLiteSpec & { title?: unknown };
  return rest as VegaLiteSpec;
}

/** Paths written by {@link savePlot}. */
export interface SavedPlot {
  readonly spec: string;
  readonly svg: string;
  readonly png: string;
}

/**
 * Writes `<dir>/<name>.vl.json` (the spec, reloadable in any Vega-Lite editor),
 * `<dir>/<name>.svg` and `<dir>/<name>.png`, creating `dir` when needed.
 *
 * `name` must be a plain file stem: letters, digits, `.`, `_` and `-`.
 *
 * @example
 * ```ts ignore
 * import { savePlot } from "./save_plot.ts";
 * import { barWithCi } from "./bar_with_ci.ts";
 * await savePlot("runs/demo", "pass_at_1", barWithCi(rows, { title: "pass@1", yTitle: "pass@1" }));
 * ```
 */
export async function savePlot(
  dir: string,
  name: string,
  spec: VegaLiteSpec,
  options: SavePlotOptions = {},
): Promise<SavedPlot> {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name)) {
    throw new RangeError(
      `savePlot: expected a file stem of letters, digits, ".", "_" or "-", found ${
        JSON.stringify(name)
      }`,
    );
  }
  const { imageTitle = true, ...pngOptions } = options;
  const svg = await toSvg(imageTitle ? spec : _untitled(spec));
  const png = await toPng(svg, pngOptions);
  await mkdir(dir, { recursive: true });
  const paths: SavedPlot = {
    spec: join(dir, `${name}.vl.json`),
    svg: join(dir, `${name}.svg`),
    png: join(dir, `${name}.png`),
  };
  await writeFile(paths.spec, JSON.stringify(spec, null, 2) + "\n");
  await writeFile(paths.svg, svg);
  await writeFile(paths.png, png);
  return paths;
}
