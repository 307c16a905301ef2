/**
 * GitHub-flavoured markdown pipe table → HTML table.
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";

/** Splits one table line into raw cells on pipes not escaped with a backslash. */
function _cells(line: string): string[] {
  let body = line.trim();
  if (body.startsWith("|")) body = body.slice(1);
  if (body.endsWith("|") && !body.endsWith("\\|")) body = body.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\" && i + 1 < body.length) {
      cur += c + body[i + 1];
      i++;
    } else if (c === "|") {
      cells.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

/** Cell text → HTML: unescape markdown `\|` and `\\`, escape HTML, keep `<br>` line breaks. */
function _cellHtml(cell: string): string {
  return cell.split(/<br\s*\/?>/).map((part) => escapeHtml(part.replace(/\\([\\|])/g, "$1"))).join(
    "<br>",
  );
}

function _align(rule: string): string {
  const left = rule.startsWith(":");
  const right = rule.endsWith(":");
  if (left && right) return ' style="text-align: center"';
  if (right) return ' style="text-align: right"';
  if (left) return ' style="text-align: left"';
  return "";
}

/**
 * Converts a markdown pipe table (as written by `markdownTable` of lib/stats) to an HTML
 * `<table>`, or returns `null` when the text is not exactly one pipe table (a header line, a
 * `---` rule line, then body lines, all starting with `|`). Cell text is HTML-escaped.
 *
 * @example
 * ```ts
 * import { markdownTableToHtml } from "./markdown_table_html.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   markdownTableToHtml("| a | b |\n| :--- | ---: |\n| x<y | 1 |"),
 *   '<table>\n<thead><tr><th style="text-align: left">a</th><th style="text-align: right">b</th></tr></thead>\n' +
 *     '<tbody>\n<tr><td style="text-align: left">x&lt;y</td><td style="text-align: right">1</td></tr>\n</tbody>\n</table>',
 * );
 * assert.equal(markdownTableToHtml("# not a table"), null);
 * ```
 */
export function markdownTableToHtml(markdown: string): string | null {
  const lines = markdown.trim().split(/\r?\n/);
  if (lines.length < 2 || !lines.every((l) => l.trimStart().startsWith("|"))) return null;
  const header = _cells(lines[0]);
  const rules = _cells(lines[1]);
  if (rules.length !== header.length || !rules.every((r) => /^:?-+:?$/.test(r))) return null;
  const aligns = rules.map(_align);
  const row = (cells: string[], tag: "th" | "td") =>
    "<tr>" +
    header.map((_, i) => `<${tag}${aligns[i]}>${_cellHtml(cells[i] ?? "")}</${tag}>`).join("") +
    "</tr>";
  const body = lines.slice(2).map((l) => row(_cells(l), "td"));
  return [
    "<table>",
    `<thead>${row(header, "th")}</thead>`,
    "<tbody>",
    ...body,
    "</tbody>",
    "</table>",
  ].join("\n");
}
