/**
 * HTML views of token masks: which tokens of a completion the loss counts.
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";
import { type MaskedText, maskSegments } from "./mask_segments.ts";

/** Which completion of a pair a mask belongs to. */
export type MaskSide = "chosen" | "rejected";

/**
 * The element that marks a masked token: `<del>` on the rejected side (the `D-` tokens the
 * chosen code removes), `<ins>` on the chosen side. Both are plain HTML that every notebook
 * sanitiser keeps, so an untrusted notebook (no styles) still shows them struck through and
 * underlined; a trusted one colours them from {@link _STYLE}.
 */
const _MARK: Readonly<Record<MaskSide, "del" | "ins">> = { rejected: "del", chosen: "ins" };

function _label(side: MaskSide): string {
  switch (side) {
    case "rejected":
      return "y\u2212 (rejected), D\u2212 tokens marked";
    case "chosen":
      return "y+ (chosen), D+ tokens marked";
    default: {
      const never: never = side;
      throw new RangeError(`maskHtml: unknown side ${never}`);
    }
  }
}

/**
 * One `<style>` element scoped by the `tdpo-` classes, instead of inline styles (which a
 * sanitiser strips): rejected tokens on red, chosen ones on green, code in a monospaced box.
 */
const _STYLE = "<style>" +
  ".tdpo-mask pre{margin:0;padding:6px 8px;white-space:pre;overflow-x:auto;" +
  "font-family:'DejaVu Sans Mono',monospace;font-size:12px;line-height:1.45;" +
  "background:#fafafa;border:1px solid #ddd;border-radius:3px}" +
  ".tdpo-caption{font-family:'DejaVu Sans',sans-serif;font-size:12px;margin:4px 0}" +
  ".tdpo-title{font-weight:bold;font-size:13px}" +
  ".tdpo-mask-rejected del{text-decoration:none;background:#ffd6d6;box-shadow:inset 0 0 0 1px #d98c8c}" +
  ".tdpo-mask-chosen ins{text-decoration:none;background:#d4f4d4;box-shadow:inset 0 0 0 1px #7fbf7f}" +
  ".tdpo-columns{display:flex;gap:12px;align-items:flex-start}" +
  ".tdpo-columns>div{flex:1;min-width:0}" +
  "</style>";

/** Options of {@link maskHtml}. */
export interface MaskHtmlOptions {
  /** Which completion this is; picks the mark and caption. */
  readonly side: MaskSide;
  /**
   * Caption above the code.
   * @default {the side's label with the masked token count, e.g. "y− (rejected), D− tokens marked: 3 of 40 tokens"}
   */
  readonly caption?: string;
}

function _maskBlock(masked: MaskedText, options: MaskHtmlOptions): string {
  const segments = maskSegments(masked);
  const tag = _MARK[options.side];
  const nMasked = segments.filter((s) => s.masked).length;
  const caption = options.caption ??
    `${_label(options.side)}: ${nMasked} of ${masked.offsets.length} tokens`;
  const body = segments.map((seg) =>
    seg.masked
      ? `<${tag} title="token ${seg.token}">${escapeHtml(seg.text)}</${tag}>`
      : escapeHtml(seg.text)
  ).join("");
  return `<div class="tdpo-mask tdpo-mask-${options.side}">` +
    `<div class="tdpo-caption">${escapeHtml(caption)}</div><pre>${body}</pre></div>`;
}

/**
 * Renders a completion as a `<pre>` block whose masked tokens are marked, one element per token
 * (its index in the `title`): `<del>` for the rejected side (`D-`, on red), `<ins>` for the
 * chosen side (`D+`, on green). Whitespace is preserved and all text is HTML-escaped; no inline
 * styles, so an untrusted notebook still shows the marks.
 *
 * @example
 * ```ts
 * import { maskHtml } from "./mask_html.ts";
 * import assert from "node:assert/strict";
 * const html = maskHtml(
 *   { text: "x<1", offsets: [[0, 1], [1, 3]], spans: [[1, 2]] },
 *   { side: "rejected" },
 * );
 * assert.ok(html.includes('<del title="token 1">&lt;1</del>'));
 * ```
 */
export function maskHtml(masked: MaskedText, options: MaskHtmlOptions): string {
  return _STYLE + _maskBlock(masked, options);
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
 * Renders a pair side by side: the rejected completion (left, `D-` tokens struck, on red) and
 * the chosen completion (right, `D+` tokens underlined, on green), with the prompt and title above.
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
 * assert.ok(html.indexOf("<del") < html.indexOf("<ins"));
 * ```
 */
export function pairMaskHtml(pair: PairMaskView): string {
  const parts: string[] = [_STYLE, '<div class="tdpo-pair">'];
  if (pair.title !== undefined) {
    parts.push(`<div class="tdpo-caption tdpo-title">${escapeHtml(pair.title)}</div>`);
  }
  if (pair.prompt !== undefined) {
    parts.push(
      '<div class="tdpo-mask"><div class="tdpo-caption">prompt</div>' +
        `<pre>${escapeHtml(pair.prompt)}</pre></div>`,
    );
  }
  parts.push(
    '<div class="tdpo-columns">',
    `<div>${_maskBlock(pair.rejected, { side: "rejected" })}</div>`,
    `<div>${_maskBlock(pair.chosen, { side: "chosen" })}</div>`,
    "</div></div>",
  );
  return parts.join("");
}
