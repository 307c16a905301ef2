/**
 * HTML views of token masks: which tokens of a completion the loss counts.
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";
import { type MaskedText, maskSegments } from "./mask_segments.ts";

/** Which completion of a pair a mask belongs to. */
export type MaskSide = "chosen" | "rejected";

/** Highlight colours: rejected `D-` tokens on red, chosen `D+` tokens on green. */
const _COLORS: Readonly<Record<MaskSide, { background: string; border: string }>> = {
  rejected: { background: "#ffd6d6", border: "#d98c8c" },
  chosen: { background: "#d4f4d4", border: "#7fbf7f" },
};

function _label(side: MaskSide): string {
  switch (side) {
    case "rejected":
      return "y\u2212 (rejected), D\u2212 tokens highlighted";
    case "chosen":
      return "y+ (chosen), D+ tokens highlighted";
    default: {
      const never: never = side;
      throw new RangeError(`maskHtml: unknown side ${never}`);
    }
  }
}

const _PRE_STYLE = "margin: 0; padding: 6px 8px; white-space: pre; overflow-x: auto; " +
  "font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; line-height: 1.45; " +
  "background: #fafafa; border: 1px solid #ddd; border-radius: 3px";
const _CAPTION_STYLE = "font-family: 'DejaVu Sans', sans-serif; font-size: 12px; margin: 4px 0";

/** Options of {@link maskHtml}. */
export interface MaskHtmlOptions {
  /** Which completion this is; picks the colour and caption. */
  readonly side: MaskSide;
  /**
   * Caption above the code.
   * @default {the side's label with the masked token count, e.g. "y− (rejected), D− tokens highlighted: 3 of 40 tokens"}
   */
  readonly caption?: string;
}

/**
 * Renders a completion as a `<pre>` block whose masked tokens are highlighted, one outlined
 * `<span>` per token (its index in the `title`): red for the rejected side (`D-`), green for
 * the chosen side (`D+`). Whitespace is preserved and all text is HTML-escaped.
 *
 * @example
 * ```ts
 * import { maskHtml } from "./mask_html.ts";
 * import assert from "node:assert/strict";
 * const html = maskHtml(
 *   { text: "x<1", offsets: [[0, 1], [1, 3]], spans: [[1, 2]] },
 *   { side: "rejected" },
 * );
 * assert.ok(html.includes('title="token 1">&lt;1</span>'));
 * ```
 */
export function maskHtml(masked: MaskedText, options: MaskHtmlOptions): string {
  const segments = maskSegments(masked);
  const { background, border } = _COLORS[options.side];
  const nMasked = segments.filter((s) => s.masked).length;
  const caption = options.caption ??
    `${_label(options.side)}: ${nMasked} of ${masked.offsets.length} tokens`;
  const body = segments.map((seg) =>
    seg.masked
      ? `<span style="background: ${background}; box-shadow: inset 0 0 0 1px ${border}" ` +
        `title="token ${seg.token}">${escapeHtml(seg.text)}</span>`
      : escapeHtml(seg.text)
  ).join("");
  return `<div class="tdpo-mask tdpo-mask-${options.side}">` +
    `<div style="${_CAPTION_STYLE}">${escapeHtml(caption)}</div>` +
    `<pre style="${_PRE_STYLE}">${body}</pre></div>`;
}

/** A preference pair with its masks, for {@link pairMaskHtml}. */
export interface PairMaskView {
  /** Prompt shown above the two completions. */
  readonly prompt?: string;
  /** Chosen completion `y+` with its `D+` spans. */
  readonly chosen: MaskedText;
  /** Rejected completion `y-` with its `D-` spans (the `m-` of the Target-DPO loss). */
  readonly rejected: MaskedText;
  /** Heading, e.g. the task id. */
  readonly title?: string;
}

/**
 * Renders a pair side by side: the rejected completion (left, `D-` tokens on red) and the
 * chosen completion (right, `D+` tokens on green), with the prompt and title above.
 *
 * @example
 * ```ts
 * import { pairMaskHtml } from "./mask_html.ts";
 * import assert from "node:assert/strict";
 * const html = pairMaskHtml({
 *   title: "task <1>",
 *   rejected: { text: "a-b", offsets: [[0, 1], [1, 2], [2, 3]], spans: [[1, 2]] },
 *   chosen: { text: "a+b", offsets: [[0, 1], [1, 2], [2, 3]], spans: [[1, 2]] },
 * });
 * assert.ok(html.includes("task &lt;1&gt;"));
 * assert.ok(html.indexOf("tdpo-mask-rejected") < html.indexOf("tdpo-mask-chosen"));
 * ```
 */
export function pairMaskHtml(pair: PairMaskView): string {
  const parts: string[] = ['<div class="tdpo-pair">'];
  if (pair.title !== undefined) {
    parts.push(
      `<div style="${_CAPTION_STYLE}; font-weight: bold; font-size: 13px">${
        escapeHtml(pair.title)
      }</div>`,
    );
  }
  if (pair.prompt !== undefined) {
    parts.push(
      `<div style="${_CAPTION_STYLE}">prompt</div><pre style="${_PRE_STYLE}">${
        escapeHtml(pair.prompt)
      }</pre>`,
    );
  }
  parts.push(
    '<div style="display: flex; gap: 12px; align-items: flex-start">',
    `<div style="flex: 1; min-width: 0">${maskHtml(pair.rejected, { side: "rejected" })}</div>`,
    `<div style="flex: 1; min-width: 0">${maskHtml(pair.chosen, { side: "chosen" })}</div>`,
    "</div></div>",
  );
  return parts.join("");
}
