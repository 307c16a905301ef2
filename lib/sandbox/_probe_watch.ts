/**
 * Judging probe values while the program still runs: each value record goes to the judge in
 * batches, and with fast check the run is stopped at the first value that fails its check or
 * the first probe that raised (EvalPlus stops at its first failing input too).
 *
 * @module
 */
import type { Check } from "./types.ts";
import { _parseRecord } from "./_records.ts";
import { type _Judge, _JudgeError } from "./_judge.ts";

/** Watches one run's records. */
export class _ProbeWatch {
  readonly #judge: _Judge;
  readonly #checks: readonly Check[] | undefined;
  readonly #stop: () => void;
  readonly #fastCheck: boolean;
  readonly results: (string | null | undefined)[];
  #queue: { index: number; value: string }[] = [];
  #busy: Promise<void> = Promise.resolve();
  #failed = false;
  /** Set when the judge could not answer; the run then fails closed. */
  judgeError?: string;

  constructor(
    judge: _Judge,
    count: number,
    checks: readonly Check[] | undefined,
    opts: { readonly fastCheck: boolean; readonly stop: () => void },
  ) {
    this.#judge = judge;
    this.#checks = checks;
    this.#stop = opts.stop;
    this.#fastCheck = opts.fastCheck;
    this.results = new Array(count).fill(undefined);
  }

  /** Takes one record body (any kind; only V and X matter here). */
  onRecord(body: string): void {
    const kind = body[0];
    if (kind !== "V" && kind !== "X") return;
    let record;
    try {
      record = _parseRecord(body);
    } catch {
      return; // the verdict reports the malformed record
    }
    if (record.kind === "X") return this.#fail();
    if (record.kind !== "V" || record.index >= this.results.length) return;
    if (this.#checks === undefined) {
      this.results[record.index] = null;
      return;
    }
    this.#queue.push({ index: record.index, value: record.value });
    if (this.#queue.length === 1) this.#busy = this.#busy.then(() => this.#drain());
  }

  #fail(): void {
    if (this.#failed || !this.#fastCheck) return;
    this.#failed = true;
    this.#stop();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && this.judgeError === undefined) {
      const batch = this.#queue;
      this.#queue = [];
      const checks = batch.map((b) => this.#checks![b.index]);
      try {
        const results = await this.#judge.judge(checks, batch.map((b) => b.value));
        batch.forEach((b, i) => (this.results[b.index] = results[i]));
        if (results.some((r) => r !== null)) this.#fail();
      } catch (e) {
        if (!(e instanceof _JudgeError)) throw e;
        this.judgeError = e.message;
        this.#stop();
      }
    }
  }

  /** Waits until every received value is judged. */
  async finish(): Promise<void> {
    await this.#busy;
    if (this.#queue.length > 0) await this.#drain();
  }
}
