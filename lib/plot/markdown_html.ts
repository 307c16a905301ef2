/**
 * Markdown (a run's `table.md`, a table of rows) → HTML, with npm `marked` (GitHub-flavoured
 * tables). Sent beside every table's markdown so it renders where markdown outputs are shown as
 * raw text (an untrusted notebook, classic Notebook).
 *
 * @module
 */
import { Marked } from "marked";
import { escapeHtml } from "./escape_html.ts";

/** Raw HTML in the markdown is escaped, except the `<br>` line breaks of table cells. */
const _MARKED = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) =>
      text.split(/(<br\s*\/?>)/i).map((p, i) => i % 2 === 1 ? "<br>" : escapeHtml(p)).join(""),
  },
});

/**
 * Renders markdown to HTML. Alignment of table columns is written as `align` attributes, which
 * HTML sanitisers keep (inline styles they strip); raw HTML other than `<br>` is escaped.
 *
 * @example
 * ```ts
 * import { markdownToHtml } from "./markdown_html.ts";
 * import assert from "node:assert/strict";
 * const html = markdownToHtml("# T\n\n| a | b |\n| :--- | ---: |\n| x<y | 1 |");
 * assert.ok(html.startsWith("<h1>T</h1>"));
 * assert.ok(html.includes('<td align="left">x&lt;y</td>'));
 * assert.ok(html.includes('<th align="right">b</th>'));
 * ```
 */
export function markdownToHtml(markdown: string): string {
  return _MARKED.parse(markdown, { async: false });
}
