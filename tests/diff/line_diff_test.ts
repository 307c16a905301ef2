import assert from "node:assert/strict";
import { diffLineLists, lineDiff } from "../../lib/diff/line_diff.ts";
import { lineTexts, splitLines } from "../../lib/diff/lines.ts";

Deno.test("DESIGN §3 example: ratcliff matches 1 line, lcs matches 2", () => {
  const a = ["if a:", "pass", "if a:"];
  const b = ["pass", "", "if a:"];
  const ratcliff = diffLineLists(a, b, "ratcliff");
  // difflib: insert b[0:2], equal a[0:1]=b[2:3], delete a[1:3].
  assert.deepEqual(ratcliff.rejectedLines, [1, 2]);
  assert.deepEqual(ratcliff.chosenLines, [0, 1]);
  assert.deepEqual(ratcliff.hunks, [
    { rejectedStart: 0, rejectedEnd: 0, chosenStart: 0, chosenEnd: 2 },
    { rejectedStart: 1, rejectedEnd: 3, chosenStart: 3, chosenEnd: 3 },
  ]);
  const lcs = diffLineLists(a, b, "lcs");
  // LCS = ["pass", "if a:"]: a[1]~b[0], a[2]~b[2].
  assert.deepEqual(lcs.rejectedLines, [0]);
  assert.deepEqual(lcs.chosenLines, [1]);
  assert.deepEqual(lcs.hunks, [
    { rejectedStart: 0, rejectedEnd: 1, chosenStart: 0, chosenEnd: 0 },
    { rejectedStart: 2, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 },
  ]);
  assert.equal(lcs.method, "lcs");
  assert.equal(ratcliff.method, "ratcliff");
});

const C7_REJECTED = [
  "def f():",
  '    print("Hello")',
  "    x = 1",
  "    y = 2",
  "    return x + y",
  "",
].join("\n");
const C7_CHOSEN = [
  "def f():",
  '    print("Hi")',
  "    x = 1",
  "    y = 2",
  "    return x * y",
  "",
].join("\n");

Deno.test("C.7 example: lcs marks the two changed lines, prefix-suffix also marks x = 1 and y = 2", () => {
  const lcs = lineDiff(C7_REJECTED, C7_CHOSEN, "lcs");
  assert.deepEqual(lcs.rejectedLines, [1, 4]);
  assert.deepEqual(lcs.chosenLines, [1, 4]);
  assert.deepEqual(lcs.hunks, [
    { rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 },
    { rejectedStart: 4, rejectedEnd: 5, chosenStart: 4, chosenEnd: 5 },
  ]);
  const ps = lineDiff(C7_REJECTED, C7_CHOSEN, "prefix-suffix");
  assert.deepEqual(ps.rejectedLines, [1, 2, 3, 4]);
  assert.deepEqual(ps.chosenLines, [1, 2, 3, 4]);
  assert.deepEqual(ps.hunks, [{ rejectedStart: 1, rejectedEnd: 5, chosenStart: 1, chosenEnd: 5 }]);
  // ratcliff agrees with lcs here.
  assert.deepEqual(lineDiff(C7_REJECTED, C7_CHOSEN, "ratcliff").rejectedLines, [1, 4]);
});

Deno.test("prefix-suffix never lets the suffix overlap the prefix", () => {
  // ["a","a"] vs ["a"]: prefix 1, suffix limited to min(2,1) - 1 = 0.
  const d = diffLineLists(["a", "a"], ["a"], "prefix-suffix");
  assert.deepEqual(d.rejectedLines, [1]);
  assert.deepEqual(d.chosenLines, []);
  assert.deepEqual(d.hunks, [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 1 }]);
  assert.deepEqual(diffLineLists([], [], "prefix-suffix").hunks, []);
});

Deno.test("pure insertion leaves D- empty; identical code has no hunk", () => {
  const rejected = "def f(x):\n    return x\n";
  const chosen = "def f(x):\n    x = abs(x)\n    return x\n";
  for (const method of ["lcs", "ratcliff", "prefix-suffix"] as const) {
    const d = lineDiff(rejected, chosen, method);
    assert.deepEqual(d.rejectedLines, [], method);
    assert.deepEqual(d.chosenLines, [1], method);
    assert.deepEqual(d.hunks, [{ rejectedStart: 1, rejectedEnd: 1, chosenStart: 1, chosenEnd: 2 }]);
    assert.deepEqual(lineDiff(rejected, rejected, method).hunks, []);
  }
});

Deno.test("CRLF and LF lines compare equal; a missing final newline does not add a line", () => {
  assert.deepEqual(lineTexts("a\r\nb\r\n"), ["a", "b"]);
  assert.deepEqual(lineTexts("a\nb"), ["a", "b"]);
  assert.deepEqual(lineTexts("a\n\n"), ["a", ""]);
  assert.deepEqual(lineTexts("\r\n"), [""]);
  assert.deepEqual(lineTexts("a\rb\n"), ["a\rb"]);
  assert.deepEqual(lineDiff("a\r\nb\r\n", "a\nc", "lcs").rejectedLines, [1]);
  assert.deepEqual(splitLines("x\n\r\ny"), [
    { text: "x", start: 0, end: 2 },
    { text: "", start: 2, end: 4 },
    { text: "y", start: 4, end: 5 },
  ]);
});
