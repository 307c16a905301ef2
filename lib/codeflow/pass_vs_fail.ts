/**
 * The `pass-vs-fail` rule of the sampling baselines (PLUM, CodeDPO, Code-Optimise's DPO-PvF):
 * pair a version that passes every test with one that fails, whatever their order. For a task's
 * independent samples (a `sampling` trajectory); on a debugging trajectory it pairs the passing
 * version with any failing one.
 *
 * @module
 */
import { itemSeed, mulberry32 } from "../util/rng.ts";
import type { CodeVersion, PassFailRanking } from "../core/mod.ts";

/** Options of the `pass-vs-fail` rule. */
export interface PassFailOptions {
  /** Seed of the draws (combined with the task id, so the order of tasks does not matter). @default 0 */
  readonly seed?: number;
  /** Which failing versions come first. @default "random" */
  readonly ranking?: PassFailRanking;
  /**
   * Least gap in pass rate (tests passed / tests) between chosen (1) and rejected: 0 takes any
   * failing version, 1 only those passing no test.
   * @default 0
   */
  readonly minGap?: number;
  /**
   * Most pairs per task: each failing version is used once, the passing ones in turn (PLUM and
   * Code-Optimise build several pairs per problem).
   * @default 1
   */
  readonly pairsPerTask?: number;
}

/** One pair of versions. */
export interface VersionPair {
  readonly chosen: CodeVersion;
  readonly rejected: CodeVersion;
}

/** `true` for a version with code whose verdict is not `pass` (a malformed answer has no code). */
function _failing(v: CodeVersion): boolean {
  return v.verdict !== "pass" && v.code !== "";
}

function _passRate(v: CodeVersion): number {
  return v.totalTests === 0 ? 0 : v.passedTests / v.totalTests;
}

/** The versions with distinct code, first occurrence kept. */
function _distinct(versions: readonly CodeVersion[]): CodeVersion[] {
  const seen = new Set<string>();
  return versions.filter((v) => {
    if (seen.has(v.code)) return false;
    seen.add(v.code);
    return true;
  });
}

function _shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The pairs of one task under the `pass-vs-fail` rule. Versions with the same code count once
 * (and failing code equal to passing code is never a rejected candidate). The passing versions
 * are drawn in a seeded order; the failing ones within `minGap` are ordered by `ranking` (ties in
 * version order); pair `k` is (`passing[k mod P]`, `failing[k]`) for `k < min(pairsPerTask, F)`.
 * No pair when nothing passes or nothing fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passVsFailPairs } from "./pass_vs_fail.ts";
 * const v = (iteration: number, passed: number) => ({
 *   iteration, code: `v${iteration}`, verdict: passed === 4 ? "pass" as const : "fail" as const,
 *   passedTests: passed, totalTests: 4,
 * });
 * const samples = [v(0, 3), v(1, 4), v(2, 0), v(3, 1)];
 * const pairs = passVsFailPairs("t", samples, { ranking: "fewest-passed", pairsPerTask: 2 });
 * assert.deepEqual(pairs.map((p) => [p.chosen.iteration, p.rejected.iteration]), [[1, 2], [1, 3]]);
 * // A gap of at least 0.5 in pass rate leaves out the sample passing 3 of 4 tests.
 * const gap = passVsFailPairs("t", samples, { ranking: "most-passed", minGap: 0.5 });
 * assert.deepEqual(gap.map((p) => p.rejected.iteration), [3]);
 * ```
 */
export function passVsFailPairs(
  taskId: string,
  versions: readonly CodeVersion[],
  options: PassFailOptions = {},
): VersionPair[] {
  const ranking = options.ranking ?? "random";
  const minGap = options.minGap ?? 0;
  const limit = options.pairsPerTask ?? 1;
  if (!(minGap >= 0 && minGap <= 1)) {
    throw new RangeError(`pass-vs-fail: minGap must be in [0, 1], found ${minGap}`);
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`pass-vs-fail: pairsPerTask must be an integer >= 1, found ${limit}`);
  }
  const rng = mulberry32(itemSeed(options.seed ?? 0, `${taskId}#pass-vs-fail`));
  const passing = _shuffled(_distinct(versions.filter((v) => v.verdict === "pass")), rng);
  const passCode = new Set(passing.map((v) => v.code));
  const candidates = _distinct(versions.filter(_failing))
    .filter((v) => !passCode.has(v.code) && 1 - _passRate(v) >= minGap - 1e-12);
  const failing = _ranked(candidates, ranking, rng);
  if (passing.length === 0) return [];
  return failing.slice(0, limit).map((rejected, k) => ({
    chosen: passing[k % passing.length],
    rejected,
  }));
}

function _ranked(
  candidates: readonly CodeVersion[],
  ranking: PassFailRanking,
  rng: () => number,
): CodeVersion[] {
  switch (ranking) {
    case "random":
      return _shuffled(candidates, rng);
    case "fewest-passed":
      return [...candidates].sort((a, b) => _passRate(a) - _passRate(b));
    case "most-passed":
      return [...candidates].sort((a, b) => _passRate(b) - _passRate(a));
    default: {
      const never: never = ranking;
      throw new TypeError(`unknown pass-vs-fail ranking ${JSON.stringify(never)}`);
    }
  }
}
