/**
 * A faithful port of Python's `difflib.SequenceMatcher` with `isjunk=None` (Ratcliff/Obershelp
 * "gestalt" matching), including the autojunk heuristic. Checked against CPython 3.11's difflib.
 *
 * @module
 */
import type { MatchingBlock } from "./matching_blocks.ts";

/** One difflib opcode: `[tag, i1, i2, j1, j2]` turns `a[i1:i2]` into `b[j1:j2]`. */
export type Opcode = readonly [
  tag: "replace" | "delete" | "insert" | "equal",
  i1: number,
  i2: number,
  j1: number,
  j2: number,
];

/** Options of {@linkcode SequenceMatcher}. */
export interface SequenceMatcherOptions {
  /**
   * difflib's `autojunk`: when `b` has at least 200 items, an item occurring more than
   * `1 + floor(len(b) / 100)` times in `b` is "popular" and cannot start a match.
   * @default true
   */
  readonly autojunk?: boolean;
}

/**
 * `difflib.SequenceMatcher(None, a, b, autojunk)`: items compare with `===` (Python `==` on
 * strings). Not always a longest common subsequence: it greedily takes the longest contiguous
 * match, then recurses on both sides.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SequenceMatcher } from "./sequence_matcher.ts";
 * const sm = new SequenceMatcher(["if a:", "pass", "if a:"], ["pass", "", "if a:"]);
 * assert.deepEqual(sm.getOpcodes(), [
 *   ["insert", 0, 0, 0, 2],
 *   ["equal", 0, 1, 2, 3],
 *   ["delete", 1, 3, 3, 3],
 * ]);
 * ```
 */
export class SequenceMatcher<T> {
  readonly a: readonly T[];
  readonly b: readonly T[];
  readonly #b2j: Map<T, number[]>;
  /** difflib's `bpopular`: items of `b` dropped from the index by autojunk. */
  readonly popular: ReadonlySet<T>;
  #blocks: MatchingBlock[] | undefined;

  /** Index `b` (difflib's `__chain_b`). */
  constructor(a: readonly T[], b: readonly T[], options: SequenceMatcherOptions = {}) {
    this.a = a;
    this.b = b;
    const b2j = new Map<T, number[]>();
    for (let i = 0; i < b.length; i++) {
      const list = b2j.get(b[i]);
      if (list === undefined) b2j.set(b[i], [i]);
      else list.push(i);
    }
    const popular = new Set<T>();
    const n = b.length;
    if ((options.autojunk ?? true) && n >= 200) {
      const ntest = Math.floor(n / 100) + 1;
      for (const [elt, idxs] of b2j) {
        if (idxs.length > ntest) popular.add(elt);
      }
      for (const elt of popular) b2j.delete(elt);
    }
    this.#b2j = b2j;
    this.popular = popular;
  }

  /**
   * Longest matching block in `a[alo:ahi]` and `b[blo:bhi]`; among maximal ones, the one starting
   * earliest in `a`, then earliest in `b` (difflib's `find_longest_match`). With `isjunk=None`
   * the junk set is empty, so the block is then extended over equal neighbours, popular or not,
   * exactly as difflib does.
   */
  findLongestMatch(alo: number, ahi: number, blo: number, bhi: number): MatchingBlock {
    const { a, b } = this;
    const b2j = this.#b2j;
    let besti = alo;
    let bestj = blo;
    let bestsize = 0;
    let j2len = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const newj2len = new Map<number, number>();
      const js = b2j.get(a[i]);
      if (js !== undefined) {
        for (const j of js) {
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j2len.get(j - 1) ?? 0) + 1;
          newj2len.set(j, k);
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
      }
      j2len = newj2len;
    }
    // isjunk=None: bjunk is empty, so `not isbjunk(...)` always holds and the two junk-only
    // extension loops of difflib never run.
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (
      besti + bestsize < ahi && bestj + bestsize < bhi &&
      a[besti + bestsize] === b[bestj + bestsize]
    ) {
      bestsize++;
    }
    return { a: besti, b: bestj, size: bestsize };
  }

  /**
   * Non-adjacent matching blocks in increasing order, WITHOUT difflib's final `(len(a), len(b), 0)`
   * sentinel (difflib's `get_matching_blocks()[:-1]`).
   */
  getMatchingBlocks(): readonly MatchingBlock[] {
    if (this.#blocks !== undefined) return this.#blocks;
    const la = this.a.length;
    const lb = this.b.length;
    const queue: [number, number, number, number][] = [[0, la, 0, lb]];
    const found: MatchingBlock[] = [];
    while (queue.length > 0) {
      const [alo, ahi, blo, bhi] = queue.pop()!;
      const x = this.findLongestMatch(alo, ahi, blo, bhi);
      const { a: i, b: j, size: k } = x;
      if (k > 0) {
        found.push(x);
        if (alo < i && blo < j) queue.push([alo, i, blo, j]);
        if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
      }
    }
    found.sort((x, y) => x.a - y.a || x.b - y.b || x.size - y.size);
    const blocks: MatchingBlock[] = [];
    let i1 = 0;
    let j1 = 0;
    let k1 = 0;
    for (const { a: i2, b: j2, size: k2 } of found) {
      if (i1 + k1 === i2 && j1 + k1 === j2) {
        k1 += k2;
      } else {
        if (k1 > 0) blocks.push({ a: i1, b: j1, size: k1 });
        i1 = i2;
        j1 = j2;
        k1 = k2;
      }
    }
    if (k1 > 0) blocks.push({ a: i1, b: j1, size: k1 });
    this.#blocks = blocks;
    return blocks;
  }

  /** difflib's `get_opcodes()`. */
  getOpcodes(): Opcode[] {
    const out: Opcode[] = [];
    let i = 0;
    let j = 0;
    const blocks = [...this.getMatchingBlocks(), { a: this.a.length, b: this.b.length, size: 0 }];
    for (const { a: ai, b: bj, size } of blocks) {
      if (i < ai && j < bj) out.push(["replace", i, ai, j, bj]);
      else if (i < ai) out.push(["delete", i, ai, j, bj]);
      else if (j < bj) out.push(["insert", i, ai, j, bj]);
      i = ai + size;
      j = bj + size;
      if (size > 0) out.push(["equal", ai, i, bj, j]);
    }
    return out;
  }
}
