/**
 * SVG → PNG with resvg (native, via Node-API; needs `--allow-ffi --allow-sys`).
 *
 * @module
 */
import { CHART_FONT } from "./theme.ts";

/** Options of {@link toPng}. */
export interface ToPngOptions {
  /**
   * Zoom factor: 2 gives a sharp figure for papers and slides.
   * @default {2}
   */
  readonly scale?: number;
  /**
   * Font used for text whose font family is missing, and for the generic `sans-serif`.
   * Must be installed (Debian `fonts-dejavu-core` for the default).
   * @default {"DejaVu Sans"}
   */
  readonly fontFamily?: string;
}

/**
 * Rasterises an SVG (from {@link import("./to_svg.ts").toSvg}) to PNG bytes with
 * `@resvg/resvg-js`, loading system fonts. Without system fonts resvg silently drops every
 * label, so the font options are always set.
 *
 * The resvg module is loaded on first use, so importing the plot area needs no FFI permission.
 *
 * @example
 * ```ts
 * import { toPng } from "./to_png.ts";
 * import assert from "node:assert/strict";
 * const png = await toPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
 * assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
 * ```
 */
export async function toPng(svg: string, options: ToPngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`toPng: expected a scale > 0, found ${scale}`);
  }
  const family = options.fontFamily ?? CHART_FONT;
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: family, sansSerifFamily: family },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  return new Uint8Array(resvg.render().asPng());
}
