/**
 * Label a chart's title, e.g. with the data source ("MiniFlow (offline teacher)").
 *
 * @module
 */
import type { VegaLiteSpec } from "./types.ts";

/**
 * A copy of `spec` whose title reads `<title> — <label>`; a spec without a title gets `label`.
 * Object titles (`{ text, … }`) keep their other fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { titledSpec } from "./titled_spec.ts";
 * const spec = { title: "pass@1", mark: "bar" as const, data: { values: [] } };
 * assert.equal(titledSpec(spec, "MiniFlow").title, "pass@1 — MiniFlow");
 * assert.equal(spec.title, "pass@1");
 * const framed = { title: { text: "a", fontSize: 9 }, mark: "bar" as const, data: { values: [] } };
 * assert.deepEqual(titledSpec(framed, "b").title, {
 *   text: "a — b",
 *   fontSize: 9,
 * });
 * ```
 */
export function titledSpec(spec: VegaLiteSpec, label: string): VegaLiteSpec {
  const title = (spec as { title?: unknown }).title;
  if (title === undefined) return { ...spec, title: label };
  if (typeof title === "string") return { ...spec, title: `${title} — ${label}` };
  if (typeof title === "object" && title !== null && "text" in title) {
    const t = title as { text: unknown };
    const text = Array.isArray(t.text) ? t.text.join(" ") : String(t.text);
    return { ...spec, title: { ...t, text: `${text} — ${label}` } };
  }
  throw new TypeError(
    `titledSpec: expected the spec's title to be a string or { text }, found ${
      JSON.stringify(title)
    }`,
  );
}
