import assert from "node:assert/strict";
import { parseProgram, renderBody, renderLines, substitute } from "../../lib/miniflow/program.ts";

Deno.test("substitute fills names and +/- offsets and names a missing parameter", () => {
  assert.equal(substitute("if x > {t}: y = {t+2} - {t-1}", { t: 5 }), "if x > 5: y = 7 - 4");
  assert.equal(substitute("{out} = {}", { out: "acc" }), "acc = {}");
  assert.throws(() => substitute("x {k}", { t: 1 }), /placeholder \{k\} has no parameter/);
  assert.throws(() => substitute("x {s+1}", { s: "'a'" }), /parameter s='a' is not a number/);
});

const _TEMPLATE = [
  "total = ⟦init:0|1⟧",
  "for x in nums:",
  "    if x ⟦op:>|>=⟧ ⟦obo:3|4⟧:",
  "        total += x",
  "⟦del⟧return ⟦ret:total|nums⟧",
];

Deno.test("parseProgram records every site with its class, line and alternatives", () => {
  const p = parseProgram(_TEMPLATE, ["total"]);
  assert.deepEqual(
    p.sites.map((s) => [s.id, s.bugClass, s.line, s.original, s.alternatives, s.deletesLine]),
    [
      [0, "wrong-init", 0, "0", ["1"], false],
      [1, "wrong-operator", 2, ">", [">="], false],
      [2, "off-by-one", 2, "3", ["4"], false],
      [3, "missing-return", 4, "", [""], true],
      [4, "wrong-return", 4, "total", ["nums"], false],
    ],
  );
  assert.deepEqual(p.lines.map((l) => l.indent), [0, 0, 1, 2, 0]);
  assert.throws(() => parseProgram(["  x = 1"], []), /indent must be 4\*n/);
  assert.throws(() => parseProgram(["x = ⟦zap:1|2⟧"], []), /unknown site class "zap"/);
  assert.throws(() => parseProgram(["x = ⟦op:+⟧"], []), /has no alternative/);
});

Deno.test("renderBody injects the chosen alternatives and deletes missing-return lines", () => {
  const p = parseProgram(_TEMPLATE, ["total"]);
  assert.deepEqual(renderBody(p, []), [
    "    total = 0",
    "    for x in nums:",
    "        if x > 3:",
    "            total += x",
    "    return total",
  ]);
  assert.deepEqual(renderBody(p, [{ site: 1, alternative: 0 }, { site: 4, alternative: 0 }]), [
    "    total = 0",
    "    for x in nums:",
    "        if x >= 3:",
    "            total += x",
    "    return nums",
  ]);
  assert.deepEqual(renderLines(p, [{ site: 3, alternative: 0 }]).slice(3), [
    "            total += x",
    null,
  ]);
  assert.throws(() => renderBody(p, [{ site: 9, alternative: 0 }]), /does not name a site/);
  assert.throws(
    () => renderBody(p, [{ site: 0, alternative: 0 }, { site: 0, alternative: 0 }]),
    /site 0 given twice/,
  );
});
