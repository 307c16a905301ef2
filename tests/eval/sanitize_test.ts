import assert from "node:assert/strict";
import { buildProgram, extractCode } from "../../lib/eval/sanitize.ts";

const F = "`".repeat(3);
const STUB =
  'from typing import List\n\n\ndef helper(x):\n    return x\n\n\ndef f(xs: List[int]) -> int:\n    """Sum."""\n';

Deno.test("extractCode prefers the fenced block defining the entry point", () => {
  const text =
    `Sure!\n${F}\npip install x\n${F}\n${F}python\ndef g():\n    pass\n${F}\n${F}py\ndef f(xs):\n    return 1\n${F}\n`;
  assert.equal(extractCode(text, "f"), "def f(xs):\n    return 1\n");
  assert.equal(extractCode(text), "pip install x\n"); // untagged block counts as Python
  assert.equal(extractCode(`${F}python\ndef f():\n    return 2\n`), "def f():\n    return 2\n"); // unterminated
  assert.equal(extractCode("    return 3\n"), "    return 3\n"); // no fence: the text itself
});

Deno.test("HumanEval: a body continues the prompt; a full definition follows the stub", () => {
  const task = { promptStyle: "complete", prompt: STUB, entryPoint: "f" } as const;
  assert.equal(buildProgram(task, "    return sum(xs)\n"), STUB + "    return sum(xs)\n");
  const full = `${F}python\ndef f(xs):\n    return helper(sum(xs))\n${F}`;
  assert.equal(buildProgram(task, full), `${STUB}\n\ndef f(xs):\n    return helper(sum(xs))\n`);
});

Deno.test("MBPP: the code is the program; a __main__ block is cut", () => {
  const task = { promptStyle: "instruct", prompt: '"""\nAdd.\n"""\n', entryPoint: "add" } as const;
  const reply =
    `${F}python\ndef add(a, b):\n    return a + b\n\nif __name__ == "__main__":\n    print(add(input(), 1))\n${F}`;
  assert.equal(buildProgram(task, reply), "def add(a, b):\n    return a + b\n\n");
});
