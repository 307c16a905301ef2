/**
 * Stopping a long job between two of its steps when the user asks: Ctrl-C on the command line,
 * Kernel > Interrupt in a notebook (the Deno kernel delivers it as SIGINT). The job checks
 * {@linkcode InterruptWatch.check} between steps, so it stops where everything done so far is
 * already on disk, and a rerun resumes.
 *
 * @module
 */

/** The error a job stops with when the user interrupted it. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";

  constructor(message: string) {
    super(message);
    // The user asked for the stop: the message is the whole story, a stack trace would be noise
    // (a notebook prints an error's stack).
    this.stack = `Interrupted: ${message}`;
  }
}

/**
 * Listens for SIGINT while a job runs (`using watch = new InterruptWatch("study x")`).
 *
 * The first signal only sets a flag, and the listener is removed: a second signal acts as if
 * the kit were not listening (on the command line it ends the process at once; the job's files
 * stay resumable either way).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Interrupted, InterruptWatch } from "./interrupt.ts";
 * using watch = new InterruptWatch("demo", { resume: "run it again" });
 * watch.check(); // nothing asked yet
 * watch.request();
 * assert.throws(() => watch.check(), Interrupted);
 * ```
 */
export class InterruptWatch implements Disposable {
  readonly #what: string;
  readonly #resume: string;
  #requested = false;
  #listening = false;
  readonly #onSignal = () => this.request();

  /**
   * @param what The job, for the message ("study main-results").
   * @param options.resume What keeps the work and how to go on, for the message.
   */
  constructor(what: string, options: { resume: string }) {
    this.#what = what;
    this.#resume = options.resume;
    try {
      Deno.addSignalListener("SIGINT", this.#onSignal);
      this.#listening = true;
    } catch {
      // No signals on this platform (Windows has only Ctrl-Break): nothing to listen for.
    }
  }

  /** Records an interrupt, as the first SIGINT does. */
  request(): void {
    this.#requested = true;
    this.#stopListening();
  }

  /** Throws {@linkcode Interrupted} when an interrupt was asked for. */
  check(): void {
    if (!this.#requested) return;
    throw new Interrupted(`${this.#what} interrupted; ${this.#resume}`);
  }

  #stopListening(): void {
    if (!this.#listening) return;
    this.#listening = false;
    Deno.removeSignalListener("SIGINT", this.#onSignal);
  }

  [Symbol.dispose](): void {
    this.#stopListening();
  }
}
