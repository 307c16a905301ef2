/**
 * Vega-Lite spec → SVG, headless (no browser, no canvas).
 *
 * @module
 */
import { compile } from "vega-lite";
import { parse, View } from "vega";
import type { VegaLiteSpec } from "./types.ts";

/**
 * Compiles a Vega-Lite spec with `vega-lite` and renders it to an SVG string with a `vega`
 * `View` whose renderer is `"none"` (`view.toSVG()` needs no DOM). Data must be inlined.
 * The spec is cloned first: Vega tags inline data objects in place, which would otherwise
 * leak into the caller's spec.
 *
 * @example
 * ```ts
 * import { toSvg } from "./to_svg.ts";
 * import assert from "node:assert/strict";
 * const svg = await toSvg({
 *   data: { values: [{ a: 1 }] },
 *   mark: "point",
 *   encoding: { x: { field: "a", type: "quantitative", title: "alpha" } },
 * });
 * assert.ok(svg.startsWith("<svg") && svg.includes(">alpha</text>"));
 * ```
 */
export async function toSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = compile(structuredClone(spec)).spec;
  const view = new View(parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
