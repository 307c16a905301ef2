/**
 * Turn a model's raw completion into the program that is tested.
 *
 * @module
 */
import type { BenchmarkTask } from "./types.ts";

const _FENCE = /^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*```[ \t]*$|(?![\s\S]))/gm;

/**
 * The code of a completion: the fenced block that defines `entryPoint` (else the first Python or
 * untagged block, else the first block); the whole text when it has no fence. An unterminated last
 * fence runs to the end of the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractCode } from "./sanitize.ts";
 * const F = "`".repeat(3);
 * const text = `Here:\n${F}text\nnote\n${F}\n${F}python\ndef f():\n    return 1\n${F}\nDone.`;
 * assert.equal(extractCode(text, "f"), "def f():\n    return 1\n");
 * assert.equal(extractCode("    return 1\n"), "    return 1\n");
 * ```
 */
export function extractCode(text: string, entryPoint?: string): string {
  const blocks = [...text.matchAll(_FENCE)].map((m) => ({ lang: m[1].toLowerCase(), code: m[2] }));
  if (blocks.length === 0) return text;
  if (entryPoint !== undefined) {
    const def = _defRegex(entryPoint);
    const defining = blocks.find((b) => def.test(b.code));
    if (defining) return defining.code;
  }
  const python = blocks.find((b) => ["python", "py", "python3", ""].includes(b.lang));
  return (python ?? blocks[0]).code;
}

function _defRegex(entryPoint: string): RegExp {
  return new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${entryPoint}[ \\t]*\\(`, "m");
}

/** Cut a top-level `if __name__ == "__main__":` block (it would run inside the harness). */
function _dropMainBlock(code: string): string {
  const m = /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.exec(code);
  return m === null ? code : code.slice(0, m.index);
}

/**
 * The program tested for a completion. For `complete` tasks (HumanEval) the code continues the
 * prompt, unless it defines the entry point at top level itself: then it is appended after the
 * prompt, whose docstring-only stub it redefines, so the prompt's imports and helper functions
 * stay available. For `instruct` tasks (MBPP) the code is the program.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildProgram } from "./sanitize.ts";
 * const task = { promptStyle: "complete", prompt: "def f(x):\n    \"\"\"Add one.\"\"\"\n", entryPoint: "f" } as const;
 * assert.equal(buildProgram(task, "    return x + 1\n"), task.prompt + "    return x + 1\n");
 * assert.equal(
 *   buildProgram(task, "`".repeat(3) + "python\ndef f(x):\n    return x + 1\n" + "`".repeat(3)),
 *   task.prompt + "\n\ndef f(x):\n    return x + 1\n",
 * );
 * ```
 */
export function buildProgram(
  task: Pick<BenchmarkTask, "promptStyle" | "prompt" | "entryPoint">,
  completion: string,
): string {
  const code = _dropMainBlock(extractCode(completion, task.entryPoint));
  switch (task.promptStyle) {
    case "complete":
      return _defRegex(task.entryPoint).test(code)
        ? `${task.prompt}\n\n${code}`
        : task.prompt + code;
    case "instruct":
      return code;
    default: {
      const never: never = task.promptStyle;
      throw new Error(`unknown prompt style ${String(never)}`);
    }
  }
}
