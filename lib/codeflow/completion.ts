/**
 * The completions of a pair: the code after the prompt, which is what a model is trained on, with
 * the line diff in the completions' own line numbers. Computed once here, where the pair is cut;
 * every user (the preference dataset, the exports, the mask views) reads it from the pair.
 *
 * @module
 */
import type { PairCompletions, PairDiff } from "../core/mod.ts";
import { splitLines } from "../diff/mod.ts";

/**
 * The completion of `code` after `prompt` and the number of prompt lines to shift the diff by:
 * `code` minus the prompt when it starts with a prompt that ends a line (MiniFlow's `prompt +
 * body`), else the whole code (an instruction prompt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionOf } from "./completion.ts";
 * assert.deepEqual(completionOf("def f(x):\n", "def f(x):\n    return x\n"), {
 *   completion: "    return x\n",
 *   lineOffset: 1,
 * });
 * assert.deepEqual(completionOf("Write f.", "def f(x):\n"), { completion: "def f(x):\n", lineOffset: 0 });
 * ```
 */
export function completionOf(
  prompt: string,
  code: string,
): { completion: string; lineOffset: number } {
  if (prompt.endsWith("\n") && code.startsWith(prompt)) {
    return { completion: code.slice(prompt.length), lineOffset: splitLines(prompt).length };
  }
  return { completion: code, lineOffset: 0 };
}

/**
 * A full-code diff as a diff of the completions: every line index minus `offset` (the prompt's
 * lines). A hunk inside the prompt is an error naming the task: the prompt must not change
 * between versions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shiftDiff } from "./completion.ts";
 * const diff = { method: "lcs" as const, chosenLines: [3], rejectedLines: [3],
 *   hunks: [{ rejectedStart: 3, rejectedEnd: 4, chosenStart: 3, chosenEnd: 4 }] };
 * assert.deepEqual(shiftDiff(diff, 2, "t").hunks, [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }]);
 * assert.throws(() => shiftDiff(diff, 4, "t"), /t: the diff changes prompt line 3/);
 * ```
 */
export function shiftDiff(diff: PairDiff, offset: number, taskId: string): PairDiff {
  if (offset === 0) return diff;
  for (const h of diff.hunks) {
    const inPrompt = (start: number, end: number) => end > start && start < offset;
    if (inPrompt(h.rejectedStart, h.rejectedEnd) || inPrompt(h.chosenStart, h.chosenEnd)) {
      throw new Error(
        `${taskId}: the diff changes prompt line ${
          Math.min(h.rejectedStart, h.chosenStart)
        } (the prompt has ${offset} lines); chosen and rejected must share the prompt`,
      );
    }
  }
  const s = (x: number) => Math.max(0, x - offset);
  return {
    method: diff.method,
    chosenLines: diff.chosenLines.map(s),
    rejectedLines: diff.rejectedLines.map(s),
    hunks: diff.hunks.map((h) => ({
      rejectedStart: s(h.rejectedStart),
      rejectedEnd: s(h.rejectedEnd),
      chosenStart: s(h.chosenStart),
      chosenEnd: s(h.chosenEnd),
    })),
  };
}

/**
 * The completions of a pair's full chosen and rejected code and their diff (`diff` is the
 * full-code diff). Both versions must start with the prompt, or neither (an instruction prompt):
 * otherwise, or when the diff touches the prompt, an error names the task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "../diff/mod.ts";
 * import { pairCompletions } from "./completion.ts";
 * const p = "def f(x):\n", y = p + "    return x + 1\n", n = p + "    return x - 1\n";
 * const c = pairCompletions({ taskId: "t", prompt: p, chosen: y, rejected: n, diff: lineDiff(n, y, "lcs") });
 * assert.equal(c.chosen, "    return x + 1\n");
 * assert.equal(c.promptLines, 1);
 * assert.deepEqual(c.diff.rejectedLines, [0]);
 * ```
 */
export function pairCompletions(pair: {
  readonly taskId: string;
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly diff: PairDiff;
}): PairCompletions {
  const chosen = completionOf(pair.prompt, pair.chosen);
  const rejected = completionOf(pair.prompt, pair.rejected);
  if (chosen.lineOffset !== rejected.lineOffset) {
    throw new Error(
      `${pair.taskId}: only one of chosen and rejected starts with the prompt; expected both ` +
        "or neither",
    );
  }
  return {
    promptLines: chosen.lineOffset,
    chosen: chosen.completion,
    rejected: rejected.completion,
    diff: shiftDiff(pair.diff, chosen.lineOffset, pair.taskId),
  };
}
