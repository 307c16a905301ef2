/**
 * Shared types of the plot area: specs are plain, typed, JSON-serialisable Vega-Lite objects.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** A complete Vega-Lite spec (data inlined), as written to `name.vl.json`. */
export type VegaLiteSpec = TopLevelSpec;

/** Options every chart builder accepts. */
export interface ChartOptions {
  /** Chart title. */
  readonly title: string;
  /**
   * Width of the plotting area (of one facet for faceted charts) in pixels.
   * @default {360}
   */
  readonly width?: number;
  /**
   * Height of the plotting area in pixels.
   * @default {220}
   */
  readonly height?: number;
}

/** Scale type of a quantitative axis. */
export type AxisScale = "linear" | "log";

/** One layer of a layered spec, for builders that make layers in helpers. */
export type LayerSpecOf = Extract<VegaLiteSpec, { layer: unknown }>["layer"][number];
