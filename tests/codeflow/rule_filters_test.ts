import assert from "node:assert/strict";
import { PyAstService } from "../../lib/codeflow/py_ast_service.ts";
import {
  type FilterInput,
  o200kTokenCounter,
  runRuleFilters,
} from "../../lib/codeflow/rule_filters.ts";
import { lineDiff } from "../../lib/diff/line_diff.ts";

const input = (rejected: string, chosen: string): FilterInput => ({
  rejected,
  chosen,
  diff: lineDiff(rejected, chosen, "lcs"),
});

const BASE = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n";
const LOGIC = input(BASE.replace("total = 0", "total = 1"), BASE);

Deno.test("rule filters: a keep case and a drop case for each filter", async () => {
  const py = new PyAstService();
  await py.start();
  try {
    const commentOnly = input(
      BASE.replace("    total = 0\n", "    total = 0\n    # start at zero\n\n"),
      BASE,
    );
    // Pure insertion of a comment: D- empty, D+ holds only a comment line.
    const addsComment = input(BASE, BASE.replace("    return", "    # done\n    return"));
    // Pure insertion of code: D- empty, D+ holds code.
    const addsCode = input(BASE, BASE.replace("    return", "    total *= 2\n    return"));
    // A changed line inside a docstring is code (a multi-line string token), not a comment.
    const doc = 'def f():\n    """Sum.\n    # not a comment\n    """\n    return 0\n';
    const docstring = input(doc, doc.replace("# not a comment", "# still not"));
    const longRejected = "def f(x):\n" + Array.from({ length: 21 }, (_, i) => `    y${i} = x\n`)
      .join("") +
      "    return x\n";
    const longChosen = "def f(x):\n    return x\n";
    const twenty = longRejected.replace("    y20 = x\n", "");
    const sameAst = input("def f(x):\n    return x+1  # one\n", "def f(x):\n    return (x + 1)\n");
    const verdicts = await runRuleFilters(
      [
        LOGIC,
        commentOnly,
        addsComment,
        addsCode,
        docstring,
        input(longRejected, longChosen),
        input(twenty, longChosen),
        sameAst,
      ],
      py,
      { countTokens: (t) => t.length, maxTokens: 1000 },
    );
    assert.deepEqual(verdicts.map((v) => v["comment-only"]), [
      true,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    // |D-| = 21 > 20 drops; |D-| = 20 keeps.
    assert.equal(verdicts[5]["too-many-lines"], false);
    assert.equal(verdicts[6]["too-many-lines"], true);
    assert.equal(verdicts[0]["too-many-lines"], true);
    assert.equal(verdicts[7]["same-ast"], false);
    assert.equal(verdicts[1]["same-ast"], false);
    assert.equal(verdicts[0]["same-ast"], true);
    assert.equal(verdicts[4]["same-ast"], true);
    // too-long with a character counter: 265 characters in longRejected: 10 + 10 * 11 + 11 * 12 + 13.
    assert.equal(longRejected.length, 265);
    const [atLimit] = await runRuleFilters([input(longRejected, longChosen)], py, {
      countTokens: (t) => t.length,
      maxTokens: 265,
    });
    const [over] = await runRuleFilters([input(longRejected, longChosen)], py, {
      countTokens: (t) => t.length,
      maxTokens: 264,
    });
    assert.equal(atLimit["too-long"], true);
    assert.equal(over["too-long"], false);
  } finally {
    await py.close();
  }
});

Deno.test("too-long with the default o200k counter: 2048 tokens kept, 2049 dropped", async () => {
  const count = await o200kTokenCounter();
  // " a" is one o200k token; "x" starts the text.
  const text = (n: number) => "x" + " a".repeat(n - 1);
  assert.equal(count(text(2048)), 2048);
  assert.equal(count("<|endoftext|>"), 7);
  const py = new PyAstService();
  await py.start();
  try {
    const [kept, dropped] = await runRuleFilters(
      [input(text(2048), text(2047)), input(text(2049), text(2047))],
      py,
    );
    assert.equal(kept["too-long"], true);
    assert.equal(dropped["too-long"], false);
  } finally {
    await py.close();
  }
});
