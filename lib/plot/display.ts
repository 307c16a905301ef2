/**
 * Display charts, tables and HTML in a Deno Jupyter notebook; print a text fallback elsewhere.
 *
 * @module
 */
import type { Column } from "../stats/markdown_table.ts";
import {
  chartBundle,
  type ChartImages,
  htmlBundle,
  type MimeBundle,
  type RowsTable,
  tableBundle,
} from "./mime_bundles.ts";
import { toSvg } from "./to_svg.ts";
import { toPng } from "./to_png.ts";
import type { VegaLiteSpec } from "./types.ts";

type _Display = (bundle: MimeBundle, options: { raw: true }) => Promise<void> | void;

/**
 * A method of `Deno.jupyter` (`display`, `broadcast`) inside the Deno kernel, else `null`.
 * Outside `deno jupyter` the `Deno.jupyter` getter throws, which is how the kernel is detected.
 * For this folder's display helpers.
 */
export function _jupyterMethod<F extends (...args: never[]) => unknown>(
  name: "display" | "broadcast",
): F | null {
  try {
    const jupyter = (Deno as unknown as { jupyter?: Record<string, unknown> }).jupyter;
    const method = jupyter?.[name];
    return typeof method === "function" ? method.bind(jupyter) as F : null;
  } catch {
    return null;
  }
}

function _jupyterDisplay(): _Display | null {
  return _jupyterMethod<_Display>("display");
}

/** Options of every display helper. */
export interface DisplayOptions {
  /**
   * Where the `text/plain` fallback goes outside Jupyter.
   * @default {console.log}
   */
  readonly fallback?: (text: string) => void;
}

/**
 * Whether this code runs inside the Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * import { inJupyter } from "./display.ts";
 * import assert from "node:assert/strict";
 * assert.equal(inJupyter(), false);
 * ```
 */
export function inJupyter(): boolean {
  return _jupyterDisplay() !== null;
}

/**
 * Sends a MIME bundle to the notebook (`Deno.jupyter.display(bundle, { raw: true })`), or
 * passes its `text/plain` entry to `fallback` outside Jupyter. Never throws for lack of a
 * kernel.
 */
export async function displayBundle(
  bundle: MimeBundle,
  options: DisplayOptions = {},
): Promise<void> {
  const display = _jupyterDisplay();
  if (display) await display(bundle, { raw: true });
  else (options.fallback ?? console.log)(bundle["text/plain"]);
}

/** Options of {@link displayChart}. */
export interface DisplayChartOptions extends DisplayOptions {
  /**
   * Inside Jupyter, also attach SVG and PNG renderings (one headless render), so the chart
   * shows in front ends without a Vega-Lite renderer (classic Notebook, VS Code, GitHub,
   * nbviewer, an untrusted notebook). Given images are used as they are.
   * @default {true}
   */
  readonly images?: boolean | ChartImages;
}

/**
 * Displays a Vega-Lite chart inline (`application/vnd.vegalite.v5+json` with a `text/plain`
 * fallback). Use `await displayChart(spec);` as a cell's statement.
 *
 * @example
 * ```ts
 * import { displayChart } from "./display.ts";
 * import assert from "node:assert/strict";
 * const printed: string[] = [];
 * await displayChart({ title: "t", mark: "point", data: { values: [] } }, {
 *   fallback: (t) => printed.push(t),
 * });
 * assert.deepEqual(printed, ["[Vega-Lite chart: t]"]);
 * ```
 */
export async function displayChart(
  spec: VegaLiteSpec,
  options: DisplayChartOptions = {},
): Promise<void> {
  let images: ChartImages = {};
  if (typeof options.images === "object") images = options.images;
  else if ((options.images ?? true) && inJupyter()) {
    const svg = await toSvg(spec);
    images = { svg, png: await toPng(svg) };
  }
  await displayBundle(chartBundle(spec, images), options);
}

/** Options of {@link displayTable}. */
export interface DisplayTableOptions<Row extends Record<string, unknown>> extends DisplayOptions {
  /**
   * Columns when the table is given as rows.
   * @default {the keys of the first row}
   */
  readonly columns?: readonly ((keyof Row & string) | Column<Row>)[];
}

/**
 * Displays a table given as markdown (e.g. a run's `table.md`) or as rows, with
 * `text/markdown` and `text/html` representations.
 *
 * @example
 * ```ts
 * import { displayTable } from "./display.ts";
 * import assert from "node:assert/strict";
 * const printed: string[] = [];
 * await displayTable([{ variant: "dpo", n: 3 }], { fallback: (t) => printed.push(t) });
 * assert.deepEqual(printed, ["| variant | n |\n| :--- | ---: |\n| dpo | 3 |"]);
 * ```
 */
export async function displayTable<Row extends Record<string, unknown>>(
  table: string | readonly Row[],
  options: DisplayTableOptions<Row> = {},
): Promise<void> {
  const input: string | RowsTable<Row> = typeof table === "string"
    ? table
    : { rows: table, columns: options.columns };
  await displayBundle(tableBundle(input), options);
}

/** Options of {@link displayHtml}. */
export interface DisplayHtmlOptions extends DisplayOptions {
  /**
   * Plain-text fallback.
   * @default {the HTML's text content, tags stripped}
   */
  readonly text?: string;
}

/**
 * Displays an HTML fragment (for example from {@link import("./mask_html.ts").pairMaskHtml}).
 *
 * @example
 * ```ts
 * import { displayHtml } from "./display.ts";
 * import assert from "node:assert/strict";
 * const printed: string[] = [];
 * await displayHtml("<b>x</b> &amp; y", { fallback: (t) => printed.push(t) });
 * assert.deepEqual(printed, ["x & y"]);
 * ```
 */
export async function displayHtml(html: string, options: DisplayHtmlOptions = {}): Promise<void> {
  await displayBundle(htmlBundle(html, options.text), options);
}
