/**
 * One updating progress display in a Deno Jupyter notebook: a `display_data` message with a
 * display id, then `update_display_data` for the same id, so the line changes in place. In the
 * Deno 2.9 kernel writes to `Deno.stderr` reach neither the notebook nor the server log, so a
 * long study would otherwise run with a blank output area. Outside Jupyter every line goes to
 * `fallback` (stderr by default).
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";
import { _jupyterMethod } from "./display.ts";

type _Broadcast = (type: string, content: Record<string, unknown>) => Promise<void>;

/**
 * A progress display whose text is replaced by each {@linkcode ProgressDisplay.update}.
 * Updates within `minIntervalMs` of the last one shown are held back (the latest is shown by
 * the next update or by {@linkcode ProgressDisplay.flush}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressDisplay } from "./progress_display.ts";
 * const lines: string[] = [];
 * const p = new ProgressDisplay({ fallback: (t) => lines.push(t) });
 * p.update("cell 1/2");
 * p.update("cell 2/2");
 * await p.flush();
 * assert.deepEqual(lines, ["cell 1/2", "cell 2/2"]);
 * ```
 */
export class ProgressDisplay {
  readonly #broadcast = _jupyterMethod<_Broadcast>("broadcast");
  readonly #id = crypto.randomUUID();
  readonly #fallback: (text: string) => void;
  readonly #minIntervalMs: number;
  #shown = false;
  #lastShownAt = -Infinity;
  #pending?: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: { fallback?: (text: string) => void; minIntervalMs?: number } = {}) {
    const enc = new TextEncoder();
    this.#fallback = options.fallback ?? ((t) => Deno.stderr.writeSync(enc.encode(`${t}\n`)));
    this.#minIntervalMs = options.minIntervalMs ?? 300;
  }

  /** Whether updates go to a notebook display (else to the fallback). */
  get inNotebook(): boolean {
    return this.#broadcast !== null;
  }

  /** Replaces the display's text (or prints the line outside Jupyter). */
  update(text: string): void {
    if (this.#broadcast === null) return this.#fallback(text);
    this.#pending = text;
    if (performance.now() - this.#lastShownAt >= this.#minIntervalMs) this.#send();
  }

  /** Shows the latest held-back text and waits until every message went out. */
  async flush(): Promise<void> {
    if (this.#pending !== undefined) this.#send();
    await this.#queue;
  }

  #send(): void {
    const text = this.#pending!;
    this.#pending = undefined;
    this.#lastShownAt = performance.now();
    const type = this.#shown ? "update_display_data" : "display_data";
    this.#shown = true;
    const content = {
      data: { "text/plain": text, "text/html": `<pre>${escapeHtml(text)}</pre>` },
      metadata: {},
      transient: { display_id: this.#id },
    };
    const broadcast = this.#broadcast!;
    this.#queue = this.#queue.then(() => broadcast(type, content)).catch(() => {});
  }
}
