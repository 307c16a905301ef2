import assert from "node:assert/strict";
import {
  fencedBlocks,
  parseCodeAnswer,
  parseTaskAnswer,
  parseTestQuality,
  parseYesNo,
} from "../../lib/synth/mod.ts";

const F = "```";

Deno.test("parseTaskAnswer: the requested Markdown format", () => {
  const text = [
    "### Instruction",
    "Return the sum of the even numbers of xs.",
    "Entry point: sum_even",
    "### Solution",
    `${F}python`,
    "def sum_even(xs):",
    "    return sum(x for x in xs if x % 2 == 0)",
    F,
    "### Tests",
    `${F}python`,
    "assert sum_even([1, 2, 4]) == 6",
    "assert sum_even([]) == 0",
    F,
  ].join("\n");
  assert.deepEqual(parseTaskAnswer(text), {
    ok: true,
    value: {
      prompt: "Return the sum of the even numbers of xs.",
      entryPoint: "sum_even",
      code: "def sum_even(xs):\n    return sum(x for x in xs if x % 2 == 0)\n",
      tests: "assert sum_even([1, 2, 4]) == 6\nassert sum_even([]) == 0\n",
    },
  });
});

Deno.test("parseTaskAnswer: JSON (bare or fenced), CRLF, and fenced fields inside JSON", () => {
  const json = {
    instruction: "Double.",
    entry_point: "dbl",
    solution: `${F}python\ndef dbl(x):\n    return 2 * x\n${F}`,
    tests: "assert dbl(2) == 4",
  };
  const expected = {
    ok: true,
    value: {
      prompt: "Double.",
      entryPoint: "dbl",
      code: "def dbl(x):\n    return 2 * x\n",
      tests: "assert dbl(2) == 4\n",
    },
  };
  assert.deepEqual(parseTaskAnswer(`Here you go:\n${JSON.stringify(json)}`), expected);
  assert.deepEqual(
    parseTaskAnswer(`${F}json\r\n${JSON.stringify(json, null, 2).replace(/\n/g, "\r\n")}\r\n${F}`),
    expected,
  );
});

Deno.test("parseTaskAnswer: unlabelled blocks and the entry point taken from the solution", () => {
  const text =
    `**Task:** Count vowels in s.\n\n${F}python\ndef count_vowels(s):\n    return sum(c in "aeiou" for c in s)\n${F}\n\n${F}python\nassert count_vowels("abc") == 1\n${F}\n`;
  const r = parseTaskAnswer(text);
  assert.ok(r.ok);
  assert.equal(r.value.prompt, "Count vowels in s.");
  assert.equal(r.value.entryPoint, "count_vowels");
  assert.equal(r.value.tests, 'assert count_vowels("abc") == 1\n');
});

Deno.test("parseTaskAnswer: malformed answers give the exact reason", () => {
  const sol = `${F}python\ndef f(x):\n    return x\n${F}`;
  const cases: [string, string][] = [
    ["I can't do that.", "answer has no instruction section"],
    [
      `### Instruction\nDo it.\n### Tests\n${F}python\nassert f(1) == 1\n${F}`,
      "answer has no solution code block",
    ],
    [
      `### Instruction\nDo it.\n### Solution\n${sol}\n`,
      "answer has no test block with an assert statement",
    ],
    [
      `### Instruction\nDo it.\nEntry point: g\n### Solution\n${sol}\n### Tests\n${F}python\nassert g(1) == 1\n${F}`,
      "solution does not define the entry point g()",
    ],
    [
      `### Instruction\nDo it.\n### Solution\n${sol}\n### Tests\n${F}python\nassert h(1) == 1\n${F}`,
      "tests never call the entry point f()",
    ],
  ];
  for (const [text, reason] of cases) {
    assert.deepEqual(parseTaskAnswer(text), { ok: false, reason });
  }
});

Deno.test("parseCodeAnswer picks the last block defining the entry point", () => {
  const text =
    `The bug:\n${F}python\nreturn x - 1\n${F}\nFixed:\n${F}py\ndef f(x):\n    return x + 1\n${F}\nUsage:\n${F}python\nprint(f(1))\n${F}`;
  assert.deepEqual(parseCodeAnswer(text, "f"), {
    ok: true,
    value: "def f(x):\n    return x + 1\n",
  });
  assert.deepEqual(parseCodeAnswer("def f(x):\n    return x\n", "f"), {
    ok: true,
    value: "def f(x):\n    return x\n",
  });
  assert.deepEqual(parseCodeAnswer(`${F}python\ndef g(x):\n    return x\n${F}`, "f"), {
    ok: false,
    reason: "answer has no Python code block defining f()",
  });
  assert.deepEqual(fencedBlocks(`~~~python\na\n~~~`).map((b) => b.body), ["a"]);
});

Deno.test("parseYesNo and parseTestQuality", () => {
  assert.deepEqual(parseYesNo("No, only a variable was renamed."), { ok: true, value: false });
  assert.deepEqual(parseYesNo("`yes`"), { ok: true, value: true });
  assert.deepEqual(parseYesNo("The answer is yes"), {
    ok: false,
    reason: 'expected a yes/no answer, got "The answer is yes"',
  });
  assert.deepEqual(parseTestQuality('{"accuracy": 4, "effectiveness": 2, "reasonableness": 5}'), {
    ok: true,
    value: { accuracy: 4, effectiveness: 2, reasonableness: 5 },
  });
  assert.deepEqual(parseTestQuality("**Accuracy**: 4\nEffectiveness: 0\nReasonableness: 5"), {
    ok: false,
    reason: "test-quality answer has no integer 1-5 for effectiveness",
  });
});
