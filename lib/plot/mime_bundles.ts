/**
 * Jupyter MIME bundles for charts, tables and HTML (pure: values in, bundles out).
 *
 * @module
 */
import { type Column, markdownTable } from "../stats/markdown_table.ts";
import { markdownToHtml } from "./markdown_html.ts";
import type { VegaLiteSpec } from "./types.ts";

/** MIME type under which Jupyter frontends render Vega-Lite v5 specs. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** A Jupyter MIME bundle: MIME type → data. Always has a `text/plain` fallback. */
export interface MimeBundle {
  readonly "text/plain": string;
  readonly [mime: string]: unknown;
}

/** A table given as rows, with optional columns (default: the keys of the first row). */
export interface RowsTable<Row extends Record<string, unknown>> {
  readonly rows: readonly Row[];
  readonly columns?: readonly ((keyof Row & string) | Column<Row>)[];
}

/** Text of a spec's title, for fallbacks. */
function _titleText(spec: VegaLiteSpec): string {
  const t = (spec as { title?: unknown }).title;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.join(" ");
  if (t && typeof t === "object" && "text" in t) return String((t as { text: unknown }).text);
  return "untitled";
}

/** Renderings of a chart for front ends without a Vega-Lite renderer. */
export interface ChartImages {
  readonly svg?: string;
  readonly png?: Uint8Array;
}

/**
 * Bundle of a chart: the Vega-Lite spec plus a `text/plain` line naming it; with `images`, also
 * `image/svg+xml` and `image/png` renderings, so it shows where Vega-Lite does not (classic
 * Notebook, VS Code, GitHub, nbviewer, an untrusted notebook).
 *
 * @example
 * ```ts
 * import { chartBundle, VEGA_LITE_MIME } from "./mime_bundles.ts";
 * import assert from "node:assert/strict";
 * const b = chartBundle({ title: "t", mark: "point", data: { values: [] } });
 * assert.equal(b["text/plain"], "[Vega-Lite chart: t]");
 * assert.equal((b[VEGA_LITE_MIME] as { mark: string }).mark, "point");
 * ```
 */
export function chartBundle(spec: VegaLiteSpec, images: ChartImages = {}): MimeBundle {
  return {
    [VEGA_LITE_MIME]: spec,
    ...(images.svg !== undefined ? { "image/svg+xml": images.svg } : {}),
    ...(images.png !== undefined ? { "image/png": _base64(images.png) } : {}),
    "text/plain": `[Vega-Lite chart: ${_titleText(spec)}]`,
  };
}

function _base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * Bundle of a table: `text/markdown`, `text/html` (the markdown rendered, always, so the table
 * shows where markdown is not rendered) and `text/plain` (the markdown). A table given as rows is rendered with
 * `markdownTable` of lib/stats.
 *
 * @example
 * ```ts
 * import { tableBundle } from "./mime_bundles.ts";
 * import assert from "node:assert/strict";
 * const b = tableBundle({ rows: [{ a: 1 }] });
 * assert.equal(b["text/markdown"], "| a |\n| ---: |\n| 1 |");
 * assert.ok(String(b["text/html"]).startsWith("<table>"));
 * ```
 */
export function tableBundle<Row extends Record<string, unknown>>(
  table: string | RowsTable<Row>,
): MimeBundle {
  let markdown: string;
  if (typeof table === "string") {
    markdown = table;
  } else {
    const columns = table.columns ?? (Object.keys(table.rows[0] ?? {}) as (keyof Row & string)[]);
    if (columns.length === 0) {
      throw new RangeError(
        "tableBundle: expected columns or at least one row with fields, found none",
      );
    }
    markdown = markdownTable(table.rows, columns);
  }
  return {
    "text/markdown": markdown,
    "text/html": markdownToHtml(markdown),
    "text/plain": markdown,
  };
}

/** Strips tags and decodes the basic entities, for the `text/plain` view of HTML. */
function _htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|tr|h[1-6]|li|pre)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Bundle of an HTML fragment with a `text/plain` fallback (`text`, or the HTML's text
 * content with tags stripped).
 *
 * @example
 * ```ts
 * import { htmlBundle } from "./mime_bundles.ts";
 * import assert from "node:assert/strict";
 * assert.equal(htmlBundle("<p>a &lt; b</p>")["text/plain"], "a < b");
 * ```
 */
export function htmlBundle(html: string, text?: string): MimeBundle {
  return { "text/html": html, "text/plain": text ?? _htmlToText(html) };
}
