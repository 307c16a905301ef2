/**
 * The judge: one trusted Python process per sandbox that never runs candidate code (protocol in
 * `_judge.py`, spoken through lib/core's JsonLinesProcess). It rewrites assert-style tests into
 * probes and compares probe values, sent in the plain-value format, with the expected values
 * the parent holds.
 *
 * @module
 */
import { JsonLinesProcess } from "../core/mod.ts";
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

/** Raised when the judge process is gone or answered nonsense; the run fails closed. */
export class _JudgeError extends Error {}

/** A client of one judge process, started on first use. */
export class _Judge {
  readonly #process: JsonLinesProcess;

  constructor(pythonPath: string) {
    this.#process = new JsonLinesProcess({
      name: "the judge",
      command: pythonPath,
      args: ["-I", "-S", "-c", _judgeSource()],
      env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
      timeoutMs: 120_000,
      restartAfterFailure: true, // a judge that died fails its runs closed; later runs get a new one
    });
  }

  async #ask(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await this.#process.request(request);
    } catch (e) {
      throw new _JudgeError(`judge: ${(e as Error).message}`);
    }
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
    await this.#process.close();
  }
}
