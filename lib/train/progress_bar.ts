/**
 * A one-line progress bar on stderr: steps, loss, tokens/s, ETA.
 *
 * @module
 */

/**
 * Formats seconds as `h:mm:ss` or `m:ss`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatDuration } from "./progress_bar.ts";
 * equal(formatDuration(3725), "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The progress line for one step (no terminal control characters). */
export function progressLine(o: {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly tokensPerSecond: number;
  readonly etaS: number;
  /** @default {24} */
  readonly width?: number;
}): string {
  const width = o.width ?? 24;
  const filled = Math.round((width * o.step) / Math.max(1, o.steps));
  const bar = "#".repeat(filled) + ".".repeat(Math.max(0, width - filled));
  return `[${bar}] ${o.step}/${o.steps} loss ${o.loss.toFixed(4)} ` +
    `${Math.round(o.tokensPerSecond)} tok/s ETA ${formatDuration(o.etaS)}`;
}

/** Writes a progress line to stderr, overwriting the previous one. */
export function writeProgress(line: string, final = false): void {
  const text = `\r${line}\x1b[K${final ? "\n" : ""}`;
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
