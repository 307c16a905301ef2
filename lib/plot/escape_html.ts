/**
 * HTML escaping for text placed in element content or attribute values.
 *
 * @module
 */

const _ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes `& < > " '` so any text (code, model output) is shown, never interpreted.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape_html.ts";
 * import assert from "node:assert/strict";
 * assert.equal(escapeHtml("<script>a && b</script>"), "&lt;script&gt;a &amp;&amp; b&lt;/script&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => _ENTITIES[c]);
}
