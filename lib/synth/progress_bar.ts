/**
 * A throttled one-line progress bar for long CLI work (written to stderr).
 *
 * @module
 */
import type { SynthProgress } from "./synthesize.ts";

/**
 * Render one progress line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderProgress } from "./progress_bar.ts";
 * const line = renderProgress(
 *   { done: 5, total: 10, resumed: 0, passing: 3, pairs: 2, inFlight: 1 },
 *   { width: 10, elapsedMs: 5000 },
 * );
 * assert.equal(line, "[#####.....]  5/10 pass 3 pairs 2 | 1.0 tasks/s | ETA 5s");
 * ```
 */
export function renderProgress(
  p: SynthProgress,
  options: { readonly width: number; readonly elapsedMs: number },
): string {
  const frac = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(frac * options.width);
  const fresh = p.done - p.resumed;
  const rate = options.elapsedMs > 0 ? fresh / (options.elapsedMs / 1000) : 0;
  const left = p.total - p.done;
  const eta = rate > 0 ? _duration(left / rate) : "?";
  const count = `${String(p.done).padStart(String(p.total).length)}/${p.total}`;
  return `[${"#".repeat(filled)}${
    ".".repeat(options.width - filled)
  }] ${count} pass ${p.passing} ` +
    `pairs ${p.pairs} | ${rate.toFixed(1)} tasks/s | ETA ${eta}`;
}

function _duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  }
  return `${Math.floor(seconds / 3600)}h${
    String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")
  }m`;
}

/** A progress bar that redraws at most every `intervalMs` on a writer (stderr by default). */
export class ProgressBar {
  readonly #write: (text: string) => void;
  readonly #intervalMs: number;
  readonly #width: number;
  readonly #t0 = performance.now();
  #last = -Infinity;
  #latest: SynthProgress | undefined;

  /**
   * @param options.write Sink of the bar's text. @default stderr
   * @param options.intervalMs Minimum time between redraws. @default 200
   * @param options.width Bar width in characters. @default 30
   */
  constructor(
    options: {
      readonly write?: (text: string) => void;
      readonly intervalMs?: number;
      readonly width?: number;
    } = {},
  ) {
    const enc = new TextEncoder();
    this.#write = options.write ?? ((t) => Deno.stderr.writeSync(enc.encode(t)));
    this.#intervalMs = options.intervalMs ?? 200;
    this.#width = options.width ?? 30;
  }

  /** Record progress; redraws when the interval has passed or the work is done. */
  update(p: SynthProgress): void {
    this.#latest = p;
    const now = performance.now();
    if (now - this.#last < this.#intervalMs && p.done < p.total) return;
    this.#last = now;
    this.#write(`\r${renderProgress(p, { width: this.#width, elapsedMs: now - this.#t0 })}`);
  }

  /** Draw the final state and end the line. */
  finish(): void {
    if (this.#latest) {
      const elapsedMs = performance.now() - this.#t0;
      this.#write(`\r${renderProgress(this.#latest, { width: this.#width, elapsedMs })}`);
    }
    this.#write("\n");
  }
}
