import assert from "node:assert/strict";
import { buildPairs } from "../../lib/codeflow/build_pair.ts";
import { readPairs } from "../../lib/codeflow/jsonl.ts";
import { appendJsonl } from "../../lib/core/mod.ts";
import { PyAstService } from "../../lib/codeflow/py_ast_service.ts";
import { passesFilters } from "../../lib/codeflow/rule_filters.ts";
import type { Pair } from "../../lib/core/mod.ts";
import { trajectory, version, wsTokenizer } from "./_fixtures.ts";

const FIXED = "def f(x):\n    y = x + 1\n    return y\n";
const BUGGY = "def f(x):\n    y = x - 1\n    return y\n";
const SHORT = "def f(x):\n    return y\n"; // fixed by inserting "    y = x + 1"

Deno.test("buildPairs: selection, lcs diff, masks and filter verdicts end to end", async () => {
  const py = new PyAstService();
  await py.start();
  try {
    const results = await buildPairs([
      trajectory("t-logic", [version(0, BUGGY, "fail"), version(1, FIXED, "pass")]),
      trajectory("t-never", [version(0, BUGGY, "fail")]),
      trajectory("t-comment", [
        version(0, FIXED.replace("    return", "    # return it\n    return"), "fail"),
        version(1, FIXED, "pass"),
      ]),
    ], {
      rule: "first",
      seed: 3,
      tokenizer: wsTokenizer,
      pyAst: py,
      filters: { countTokens: (t) => t.length },
    });
    assert.equal(results.length, 3);
    const [logic, never, comment] = results;
    assert.deepEqual(never, { kind: "skipped", taskId: "t-never", reason: "never-passed" });
    assert.ok(logic.kind === "pair" && comment.kind === "pair");
    assert.equal(logic.emptyRejected, "non-empty");
    const p = logic.pair;
    assert.equal(p.chosenIteration, 1);
    assert.equal(p.rejectedIteration, 0);
    assert.deepEqual(p.selection, { rule: "first", seed: 3 });
    assert.deepEqual(p.diff.rejectedLines, [1]);
    assert.deepEqual(p.diff.chosenLines, [1]);
    // Rejected tokens: "def"[0,3] " f(x):"[3,9] "\n    y"[9,15] " ="[15,17] " x"[17,19]
    // " -"[19,21] " 1"[21,23] "\n    return"[23,34] " y"[34,36] "\n"[36,37]; line 1 = [10,24).
    assert.deepEqual(p.masks, {
      tokenizer: "test-ws",
      chosen: [[2, 8]],
      rejected: [[2, 8]],
      emptyRejected: "non-empty",
      contextLines: 0,
    });
    // The code does not start with the prompt (it has no docstring): the completions are the
    // whole code, the diff unshifted.
    assert.equal(p.completion.promptLines, 0);
    assert.equal(p.completion.rejected, p.rejected);
    assert.deepEqual(p.completion.diff, p.diff);
    assert.deepEqual(p.filters, {
      "comment-only": true,
      "too-many-lines": true,
      "too-long": true,
      "same-ast": true,
    });
    assert.equal(passesFilters(p), true);
    assert.equal(comment.pair.filters["comment-only"], false);
    assert.equal(comment.pair.filters["same-ast"], false);
    assert.equal(passesFilters(comment.pair), false);

    // Records written with appendJsonl pass the reader's validation unchanged.
    const path = await Deno.makeTempFile({ suffix: ".jsonl" });
    try {
      await appendJsonl(path, [p, comment.pair]);
      const back: Pair[] = [];
      for await (const r of readPairs(path)) back.push(r);
      assert.deepEqual(back, [p, comment.pair]);
    } finally {
      await Deno.remove(path);
    }
  } finally {
    await py.close();
  }
});

Deno.test("buildPairs: the empty-D- policies on a pure insertion", async () => {
  const t = [trajectory("t-insert", [version(0, SHORT, "fail"), version(1, FIXED, "pass")])];
  const keep = await buildPairs(t, { tokenizer: wsTokenizer });
  assert.ok(keep[0].kind === "pair");
  assert.equal(keep[0].emptyRejected, "keep");
  assert.deepEqual(keep[0].pair.masks?.rejected, []);
  assert.deepEqual(keep[0].pair.filters, {});
  const drop = await buildPairs(t, { emptyRejected: "drop" });
  assert.deepEqual(drop, [{ kind: "skipped", taskId: "t-insert", reason: "empty-rejected" }]);
  // SHORT tokens: "def"[0,3] " f(x):"[3,9] "\n    return"[9,20] " y"[20,22] "\n"[22,23].
  // The insertion is before rejected line 1 ([10,23)); its first token is token 2.
  const anchor = await buildPairs(t, { emptyRejected: "anchor", tokenizer: wsTokenizer });
  assert.ok(anchor[0].kind === "pair");
  assert.equal(anchor[0].emptyRejected, "anchor-insertion");
  assert.deepEqual(anchor[0].pair.masks?.rejected, [[2, 3]]);
  assert.equal(anchor[0].pair.masks?.emptyRejected, "anchor-insertion");
  // Without a tokenizer the case is still reported.
  const noTok = await buildPairs(t, { emptyRejected: "anchor" });
  assert.ok(noTok[0].kind === "pair");
  assert.equal(noTok[0].emptyRejected, "anchor-insertion");
  assert.equal(noTok[0].pair.masks, undefined);
});
