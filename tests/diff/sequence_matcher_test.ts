import assert from "node:assert/strict";
import { SequenceMatcher } from "../../lib/diff/sequence_matcher.ts";
import { lcsMatchingBlocks } from "../../lib/diff/lcs.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const ORACLE = `
import sys, json, difflib
cases = json.load(sys.stdin)
out = [[list(op) for op in difflib.SequenceMatcher(None, a, b).get_opcodes()] for a, b in cases]
json.dump(out, sys.stdout)
`;

/** Seeded random line lists: independent draws or a mutation of a common base. */
function makeCases(seed: number): [string[], string[]][] {
  const rng = mulberry32(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const cases: [string[], string[]][] = [];
  const draw = (len: number, alphabet: number) =>
    Array.from({ length: len }, () => `line ${int(alphabet)}`);
  const mutate = (base: string[], alphabet: number) => {
    const out = [...base];
    const edits = 1 + int(Math.max(1, Math.floor(base.length / 5)));
    for (let e = 0; e < edits; e++) {
      const op = int(3);
      const at = int(out.length + 1);
      if (op === 0) out.splice(at, 0, `line ${int(alphabet)}`);
      else if (op === 1 && out.length > 0) out.splice(Math.min(at, out.length - 1), 1);
      else if (out.length > 0) out[Math.min(at, out.length - 1)] = `line ${int(alphabet)}`;
    }
    return out;
  };
  for (let c = 0; c < 2000; c++) {
    const len = int(30);
    const alphabet = 1 + int(8);
    const a = draw(len, alphabet);
    cases.push([a, c % 2 === 0 ? draw(int(30), alphabet) : mutate(a, alphabet)]);
  }
  // Long lists (>= 200 items) so autojunk's popular elements (> 1 + n//100 copies in b) exist.
  for (let c = 0; c < 60; c++) {
    const len = 200 + int(200);
    const alphabet = c % 3 === 0 ? 5 : 60 + int(200);
    const a = draw(len, alphabet);
    cases.push([a, c % 2 === 0 ? mutate(a, alphabet) : draw(200 + int(200), alphabet)]);
  }
  return cases;
}

Deno.test("ratcliff equals CPython difflib get_opcodes on 2060 seeded pairs, autojunk included", async () => {
  const cases = makeCases(20260101);
  const popularCases = cases.filter(([a, b]) => new SequenceMatcher(a, b).popular.size > 0).length;
  assert.ok(popularCases >= 20, `only ${popularCases} cases exercise autojunk`);
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-I", "-c", ORACLE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(cases)));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const expected: unknown[] = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(expected.length, cases.length);
  for (let c = 0; c < cases.length; c++) {
    const [a, b] = cases[c];
    assert.deepEqual(new SequenceMatcher(a, b).getOpcodes(), expected[c], `case ${c}`);
  }
});

Deno.test("autojunk: a popular line cannot start a match, but extends one, as in difflib", () => {
  // b holds 200 copies of "x" after "z": "x" occurs more than 1 + 201//100 = 3 times: popular.
  const b = ["z", ...Array.from({ length: 200 }, () => "x")];
  const a = ["y", "x"];
  assert.deepEqual([...new SequenceMatcher(a, b).popular], ["x"]);
  // difflib: [Match(a=2, b=201, size=0)] (sentinel only).
  assert.deepEqual(new SequenceMatcher(a, b).getMatchingBlocks(), []);
  assert.deepEqual(new SequenceMatcher(a, b, { autojunk: false }).getMatchingBlocks(), [
    { a: 1, b: 1, size: 1 },
  ]);
  // difflib: SequenceMatcher(None, ["x"], ["x"] * 200) matches (0, 0, 1): the empty best match at
  // (alo, blo) is extended forward over equal items, popular or not.
  const allX = Array.from({ length: 200 }, () => "x");
  assert.deepEqual(new SequenceMatcher(["x"], allX).getMatchingBlocks(), [{ a: 0, b: 0, size: 1 }]);
  // 199 items: below the 200-item threshold, nothing is popular.
  assert.equal(new SequenceMatcher(a, b.slice(2)).popular.size, 0);
});

/** Length of a longest common subsequence by dynamic programming. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  return prev[b.length];
}

Deno.test("lcs blocks are a common subsequence of maximal length and never shorter than ratcliff", () => {
  const cases = makeCases(7).slice(0, 2000);
  let strictlyLonger = 0;
  for (const [a, b] of cases) {
    const blocks = lcsMatchingBlocks(a, b);
    let matched = 0;
    let lastA = 0;
    let lastB = 0;
    for (const { a: i, b: j, size } of blocks) {
      assert.ok(i >= lastA && j >= lastB);
      for (let x = 0; x < size; x++) assert.equal(a[i + x], b[j + x]);
      lastA = i + size;
      lastB = j + size;
      matched += size;
    }
    assert.equal(matched, lcsLength(a, b));
    const ratcliff = new SequenceMatcher(a, b).getMatchingBlocks().reduce((s, m) => s + m.size, 0);
    assert.ok(ratcliff <= matched);
    if (ratcliff < matched) strictlyLonger++;
  }
  // Ratcliff/Obershelp is not an LCS: on random small lists it misses a match now and then.
  assert.ok(strictlyLonger > 0);
});
