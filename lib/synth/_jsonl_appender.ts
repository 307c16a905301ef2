/**
 * Serialised whole-line JSONL appends to one file (private helper of lib/synth), on top of
 * lib/codeflow's `appendJsonl`.
 *
 * @module
 */
import { dirname } from "node:path";
import { appendJsonl } from "../codeflow/jsonl.ts";

/**
 * Appends one JSON value per line through lib/codeflow's `appendJsonl` (one write per line).
 * Appends are queued so that concurrent callers never interleave; a kill can only tear the last
 * line, which `resumeJsonl` cuts off on restart.
 */
export class _JsonlAppender {
  readonly path: string;
  #queue: Promise<void> = Promise.resolve();
  #dirReady = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Append `value` as one line; resolves once the line is written. */
  append(value: unknown): Promise<void> {
    const next = this.#queue.then(async () => {
      if (!this.#dirReady) {
        await Deno.mkdir(dirname(this.path), { recursive: true });
        this.#dirReady = true;
      }
      await appendJsonl(this.path, [value]);
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Wait for the queued lines. */
  async close(): Promise<void> {
    await this.#queue;
  }
}
