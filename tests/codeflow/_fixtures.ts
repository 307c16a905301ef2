import type { CodeVersion, Pair, Trajectory, Verdict } from "../../lib/core/mod.ts";
import type { OffsetTokenizer } from "../../lib/core/mod.ts";

/** A code version with the given verdict. */
export function version(iteration: number, code: string, verdict: Verdict): CodeVersion {
  return {
    iteration,
    code,
    verdict,
    passedTests: verdict === "pass" ? 3 : 1,
    totalTests: 3,
  };
}

/** A MiniFlow-teacher trajectory. */
export function trajectory(taskId: string, versions: CodeVersion[]): Trajectory {
  return {
    schema: "codeflow.trajectory/v1",
    taskId,
    teacher: { kind: "miniflow", model: "miniflow-v1" },
    prompt: 'def f(x):\n    """Add one."""\n',
    entryPoint: "f",
    tests: "assert f(1) == 2\n",
    versions,
  };
}

/** A small valid pair. */
export function pair(taskId: string): Pair {
  return {
    schema: "codeflow.pair/v1",
    taskId,
    teacher: { kind: "miniflow", model: "miniflow-v1" },
    prompt: "p",
    chosen: "def f(x):\n    return x + 1\n",
    rejected: "def f(x):\n    return x - 1\n",
    chosenIteration: 1,
    rejectedIteration: 0,
    selection: { rule: "random", seed: 0 },
    diff: {
      method: "lcs",
      chosenLines: [1],
      rejectedLines: [1],
      hunks: [{ rejectedStart: 1, rejectedEnd: 2, chosenStart: 1, chosenEnd: 2 }],
    },
    filters: { "comment-only": true },
  };
}

/** Hand-made tokenizer: each token is a run of whitespace plus the next run of non-space. */
export const wsTokenizer: OffsetTokenizer = {
  id: "test-ws",
  encodeWithOffsets(text) {
    const offsets: [number, number][] = [];
    for (const m of text.matchAll(/\s*\S+|\s+/g)) offsets.push([m.index, m.index + m[0].length]);
    return { ids: offsets.map((_, i) => i), offsets };
  },
};
