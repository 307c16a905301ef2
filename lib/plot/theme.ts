/**
 * Paper-ready styling shared by every chart: one font, readable sizes, no chart-junk and the
 * Okabe-Ito colour-blind-safe palette.
 *
 * @module
 */
import type { Config } from "vega-lite";

/** `$schema` of every spec: Vega-Lite v5, the version Jupyter frontends render natively. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Font of all chart text. It must be installed for PNG export (Debian `fonts-dejavu-core`). */
export const CHART_FONT = "DejaVu Sans";

/**
 * Okabe-Ito palette (Okabe & Ito 2008), ordered so the first colours stay distinct under
 * deuteranopia, protanopia and tritanopia; yellow comes last because it is faint on white.
 */
export const PALETTE: readonly string[] = [
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#000000", // black
  "#F0E442", // yellow
];

/**
 * Vega-Lite `config` for paper figures. Sizes are for a chart about 360 px wide set in a 3.3 in
 * column (about 0.66 pt per px): labels 13 px ≈ 8.6 pt, axis titles 14 px ≈ 9.2 pt.
 */
export const PAPER_CONFIG: Config = {
  font: CHART_FONT,
  background: "white",
  padding: 8,
  view: { stroke: null },
  title: { font: CHART_FONT, fontSize: 16, fontWeight: "bold", anchor: "start", offset: 10 },
  axis: {
    labelFont: CHART_FONT,
    titleFont: CHART_FONT,
    labelFontSize: 13,
    titleFontSize: 14,
    titleFontWeight: "normal",
    grid: false,
    domainColor: "#444",
    tickColor: "#444",
    labelColor: "#222",
    titleColor: "#222",
  },
  axisY: { grid: true, gridColor: "#e6e6e6", gridDash: [2, 2] },
  legend: {
    labelFont: CHART_FONT,
    titleFont: CHART_FONT,
    labelFontSize: 13,
    titleFontSize: 14,
    titleFontWeight: "normal",
    symbolStrokeWidth: 2,
  },
  header: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 14, titleFontSize: 14 },
  range: { category: [...PALETTE] },
  line: { strokeWidth: 2 },
  point: { size: 40, filled: true },
  bar: { cornerRadius: 0 },
};
