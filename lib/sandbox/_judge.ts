/**
 * The judge: one trusted Python process per sandbox that never runs candidate code (protocol in
 * `_judge.py`). It rewrites assert-style tests into probes and compares probe values, sent in
 * the plain-value format, with the expected values the parent holds.
 *
 * @module
 */
import { _judgeSource } from "./_harness_code.ts";
import type { Check } from "./types.ts";

/** Assert-style tests rewritten into probes, or the reason they stay in-process. */
export type _Plan =
  | {
    readonly setup: string;
    readonly probes: readonly string[];
    readonly sources: readonly string[];
    readonly checks: readonly Check[];
    readonly wheres: readonly string[];
  }
  | { readonly inProcess: string };

type _Answer = Record<string, unknown> & { id: number; error?: string };

/** Raised when the judge process is gone or answered nonsense; the run fails closed. */
export class _JudgeError extends Error {}

const _encoder = new TextEncoder();

/** A client of one judge process, started on first use. */
export class _Judge {
  readonly #python: string;
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #next = 0;
  readonly #pending = new Map<number, PromiseWithResolvers<_Answer>>();
  #dead?: string;
  #reading?: Promise<void>;

  constructor(pythonPath: string) {
    this.#python = pythonPath;
  }

  #start(): WritableStreamDefaultWriter<Uint8Array> {
    if (this.#writer) return this.#writer;
    const child = new Deno.Command(this.#python, {
      args: ["-I", "-S", "-c", _judgeSource()],
      clearEnv: true,
      env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#reading = this.#read(child);
    return this.#writer;
  }

  async #read(child: Deno.ChildProcess): Promise<void> {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let pending = "";
    try {
      for (;;) {
        const { value, done } = await lines.read();
        if (done) break;
        pending += value;
        let at: number;
        while ((at = pending.indexOf("\n")) >= 0) {
          this.#answer(pending.slice(0, at));
          pending = pending.slice(at + 1);
        }
      }
    } catch { /* the process went away */ }
    const err = await new Response(child.stderr).text().catch(() => "");
    this.#fail(`the judge process ended${err ? `: ${err.trim().slice(-300)}` : ""}`);
  }

  #answer(line: string): void {
    let answer: _Answer;
    try {
      answer = JSON.parse(line);
    } catch {
      this.#fail(`the judge answered a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    const waiting = this.#pending.get(answer.id);
    if (!waiting) return;
    this.#pending.delete(answer.id);
    if (answer.error) waiting.reject(new _JudgeError(`judge: ${answer.error}`));
    else waiting.resolve(answer);
  }

  #fail(reason: string): void {
    this.#dead ??= reason;
    for (const w of this.#pending.values()) w.reject(new _JudgeError(`judge: ${reason}`));
    this.#pending.clear();
  }

  async #ask(request: Record<string, unknown>): Promise<_Answer> {
    if (this.#dead) throw new _JudgeError(`judge: ${this.#dead}`);
    const writer = this.#start();
    const id = this.#next++;
    const waiting = Promise.withResolvers<_Answer>();
    this.#pending.set(id, waiting);
    await writer.write(_encoder.encode(JSON.stringify({ ...request, id }) + "\n")).catch(
      (e: Error) => this.#fail(`could not write to the judge (${e.message})`),
    );
    return await waiting.promise;
  }

  /** Rewrites assert-style `tests` (of `entry`, for `check(candidate)` tests) into probes. */
  async plan(tests: string, entry: string): Promise<_Plan> {
    return await this.#ask({ op: "plan", tests, entry }) as unknown as _Plan;
  }

  /** Per value: `null` where it satisfies its check, else what differs. */
  async judge(
    checks: readonly Check[],
    values: readonly string[],
  ): Promise<(string | null)[]> {
    const answer = await this.#ask({ op: "judge", checks, values });
    const results = answer.results as (string | null)[] | undefined;
    if (!Array.isArray(results) || results.length !== values.length) {
      throw new _JudgeError(`judge: ${values.length} values, ${results?.length} results`);
    }
    return results;
  }

  /** Ends the process. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    await this.#writer?.close().catch(() => {});
    await child.status;
    await this.#reading;
  }
}
