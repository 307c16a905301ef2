/**
 * Deterministic debugging trajectories built by injecting bugs into small correct Python
 * functions, then fixing them one per iteration: the input of the diff-method study. No sandbox
 * runs: the verdicts are known by construction (every buggy version fails, the last passes).
 *
 * @module
 */
import type { Trajectory } from "../lib/core/mod.ts";
import { itemSeed, mulberry32 } from "../lib/util/rng.ts";

/** Correct functions the bugs are injected into. */
export const FUNCTIONS: readonly string[] = [
  `def sum_positive(xs):
    total = 0
    for x in xs:
        if x > 0:
            total = total + x
    return total
`,
  `def count_vowels(s):
    count = 0
    for ch in s.lower():
        if ch in "aeiou":
            count += 1
    return count
`,
  `def running_max(xs):
    out = []
    best = None
    for x in xs:
        if best is None or x > best:
            best = x
        out.append(best)
    return out
`,
  `def pairwise_diffs(xs):
    diffs = []
    for i in range(len(xs) - 1):
        diffs.append(xs[i + 1] - xs[i])
    return diffs
`,
  `def word_lengths(text):
    words = text.strip().split()
    lengths = {}
    for w in words:
        lengths[w] = len(w)
    return lengths
`,
  `def clamp_all(xs, lo, hi):
    result = []
    for x in xs:
        if x < lo:
            x = lo
        elif x > hi:
            x = hi
        result.append(x)
    return result
`,
  `def mean_of_evens(xs):
    evens = [x for x in xs if x % 2 == 0]
    if len(evens) == 0:
        return 0.0
    return sum(evens) / len(evens)
`,
  `def factorial(n):
    result = 1
    for k in range(2, n + 1):
        result *= k
    return result
`,
];

const _OPERATORS: readonly (readonly [string, string])[] = [
  [" + ", " - "],
  [" - ", " + "],
  [" <= ", " < "],
  [" < ", " <= "],
  [" >= ", " > "],
  [" > ", " >= "],
  [" == ", " != "],
  [" / ", " // "],
  [" *= ", " += "],
  [" += ", " -= "],
];

const _METHODS: readonly (readonly [string, string])[] = [
  [".lower()", ".upper()"],
  [".strip()", ".lstrip()"],
  [".append(", ".insert(0, "],
  ["sum(", "max("],
  ["len(w)", "len(words)"],
];

/** A line-level bug: the buggy replacement lines of one line, or `null` when it does not apply. */
type _Bug = (line: string, prev: string | undefined, next: string | undefined) => string[] | null;

const _indent = (line: string) => line.length - line.trimStart().length;

const _EDITS: readonly _Bug[] = [
  // wrong comparison or arithmetic operator
  (line) => {
    const op = _OPERATORS.find(([from]) => line.includes(from));
    return op ? [line.replace(op[0], op[1])] : null;
  },
  // wrong constant / off-by-one
  (line) => {
    const m = /(?<![\w.])(\d+)(?![\w.])/.exec(line);
    if (m === null || line.trimStart().startsWith("def ")) return null;
    return [line.slice(0, m.index) + String(Number(m[1]) + 1) + line.slice(m.index + m[1].length)];
  },
  // wrong method or aggregate
  (line) => {
    const m = _METHODS.find(([from]) => line.includes(from));
    return m ? [line.replace(m[0], m[1])] : null;
  },
];

/** A missing statement (the fix only adds a line, so `D-` may be empty). */
const _deleteStatement: _Bug = (line, prev, next) => {
  if (line.trimEnd().endsWith(":")) return null;
  const onlyInBlock = prev !== undefined && prev.trimEnd().endsWith(":") &&
    (next === undefined || _indent(next) < _indent(line));
  return onlyInBlock ? null : [];
};

/** Options of {@linkcode mutatedTrajectories}. */
export interface MutatedTrajectoryOptions {
  /** Number of trajectories. */
  readonly count: number;
  /** Seed of the choice of function, bug sites, bug kinds and fix order. */
  readonly seed: number;
  /**
   * Most bugs injected into one function (each trajectory draws 1..maxBugs).
   * @default {3}
   */
  readonly maxBugs?: number;
}

/**
 * `count` trajectories, each a function from {@linkcode FUNCTIONS} with 1..`maxBugs` bugs on
 * distinct lines (a wrong operator, constant or method on three
 * sites in four, a deleted statement on the others), fixed one bug per iteration in
 * a random order; every version but the last fails. Same options, same trajectories.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mutatedTrajectories } from "./_mutated_trajectories.ts";
 * const [t] = mutatedTrajectories({ count: 1, seed: 0 });
 * assert.equal(t.versions.at(-1)!.verdict, "pass");
 * assert.ok(t.versions.slice(0, -1).every((v) => v.verdict === "fail"));
 * assert.deepEqual(mutatedTrajectories({ count: 1, seed: 0 }), [t]);
 * ```
 */
export function mutatedTrajectories(options: MutatedTrajectoryOptions): Trajectory[] {
  const maxBugs = options.maxBugs ?? 3;
  if (!Number.isInteger(maxBugs) || maxBugs < 1) {
    throw new RangeError(`mutatedTrajectories: expected maxBugs >= 1, found ${maxBugs}`);
  }
  const out: Trajectory[] = [];
  for (let i = 0; i < options.count; i++) {
    const rand = mulberry32(itemSeed(options.seed, `mutated-${i}`));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const source = pick(FUNCTIONS);
    const lines = source.slice(0, -1).split("\n");
    // candidate (line, buggy replacement) sites, one bug kind drawn per line
    const sites: { line: number; buggy: string[] }[] = [];
    for (let l = 1; l < lines.length; l++) {
      const edits = _EDITS.map((bug) => bug(lines[l], lines[l - 1], lines[l + 1]))
        .filter((b): b is string[] => b !== null);
      const deletion = _deleteStatement(lines[l], lines[l - 1], lines[l + 1]);
      // a missing statement on a quarter of the sites where an edit is possible too
      const useDeletion = deletion !== null && (edits.length === 0 || rand() < 0.25);
      if (useDeletion) sites.push({ line: l, buggy: deletion });
      else if (edits.length > 0) sites.push({ line: l, buggy: pick(edits) });
    }
    const k = Math.min(sites.length, 1 + Math.floor(rand() * maxBugs));
    const shuffled = sites.map((s) => ({ s, r: rand() })).sort((a, b) => a.r - b.r).map((x) => x.s);
    const bugs = shuffled.slice(0, k); // also the fix order
    const render = (active: ReadonlySet<number>) =>
      lines.flatMap((text, l) => {
        const bug = bugs.find((b) => b.line === l);
        return bug !== undefined && active.has(l) ? bug.buggy : [text];
      }).join("\n") + "\n";
    const versions = [];
    for (let fixed = 0; fixed <= k; fixed++) {
      const active = new Set(bugs.slice(fixed).map((b) => b.line));
      const pass = fixed === k;
      versions.push({
        iteration: fixed,
        code: render(active),
        verdict: pass ? "pass" as const : "fail" as const,
        ...(pass ? {} : { errorType: "AssertionError" }),
        passedTests: pass ? 5 : 5 - (k - fixed),
        totalTests: 5,
      });
    }
    const name = /def (\w+)/.exec(source)![1];
    out.push({
      schema: "codeflow.trajectory/v1",
      taskId: `mutated-${options.seed}-${i}`,
      teacher: { kind: "miniflow", model: "mutated-functions-v1" },
      prompt: lines[0],
      entryPoint: name,
      tests: "",
      versions,
    });
  }
  return out;
}
