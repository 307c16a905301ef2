/**
 * One clear error per notebook run. The Deno kernel runs every queued cell even after one
 * failed (it does not honour `stop_on_error`), so after a bad config each later cell would add
 * a follow-on error such as "ReferenceError: run is not defined". Cells wrapped in
 * {@linkcode CellGuard.run} are skipped with one line instead.
 *
 * @module
 */

/** How a skipped cell says so (outside Jupyter too); `console.log` reaches the notebook. */
export type SkipNote = (text: string) => void;

/**
 * Runs notebook cells and skips every one after a failure, except the failed cell itself: it
 * runs again when rerun (a study resumes after Kernel > Interrupt), and its success ends the
 * skipping. A notebook makes its guard in the config cell, so rerunning that cell (after a fix)
 * starts again with none skipped. Cells are told apart by their code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CellGuard } from "./cell_guard.ts";
 * const notes: string[] = [];
 * const guard = new CellGuard({ note: (t) => notes.push(t) });
 * await assert.rejects(guard.run(() => { throw new Error('unknown preset "bogus"'); }));
 * assert.equal(await guard.run(() => 1), undefined);
 * assert.deepEqual(notes, [
 *   'skipped: an earlier cell failed (Error: unknown preset "bogus"); rerun that cell, or fix ' +
 *   "the config cell and run the notebook again from there",
 * ]);
 * ```
 */
export class CellGuard {
  readonly #note: SkipNote;
  #failure: string | null = null;
  #failedCell: string | null = null;

  constructor(options: { note?: SkipNote } = {}) {
    this.#note = options.note ?? console.log;
  }

  /** The first line of the failure that makes later cells skip, or `null`. */
  get failure(): string | null {
    return this.#failure;
  }

  /**
   * Runs `cell` and resolves to its value; rethrows its error (the one error the notebook
   * shows). After another guarded cell failed, resolves to `undefined` without running `cell`
   * and notes the skip; a later cell that uses the value is skipped too.
   */
  async run<T>(cell: () => T | Promise<T>): Promise<T> {
    const code = String(cell);
    if (this.#failure !== null && code !== this.#failedCell) {
      this.#note(
        `skipped: an earlier cell failed (${this.#failure}); rerun that cell, or fix the ` +
          "config cell and run the notebook again from there",
      );
      return undefined as T;
    }
    try {
      const value = await cell();
      this.#failure = this.#failedCell = null;
      return value;
    } catch (e) {
      this.#failure = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
      this.#failedCell = code;
      throw e;
    }
  }
}
