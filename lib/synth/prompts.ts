/**
 * The prompts of the `openai` teacher: task writing (seeded topic × twist, so that
 * `proposeTask(index)` is varied), debugging with sandbox feedback, the pair judge and the
 * test-quality judge. Pure functions: values in, chat messages out.
 *
 * @module
 */
import type { CodeVersion } from "../core/mod.ts";
import { itemSeed, mulberry32 } from "../util/rng.ts";
import type { Feedback, JudgeInput, TeacherTask } from "./types.ts";

/** One chat message in OpenAI's format. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** Subject areas a task is drawn from. */
export const TASK_TOPICS: readonly string[] = [
  "list manipulation",
  "string processing",
  "dictionary aggregation",
  "number theory",
  "prefix sums and running totals",
  "sorting with custom keys",
  "two pointers on arrays",
  "sliding windows",
  "interval merging",
  "matrix traversal",
  "set operations",
  "parsing simple formatted text",
  "date-free calendar arithmetic (days, weeks)",
  "run-length encoding",
  "stack-based bracket matching",
  "binary search",
  "greedy selection",
  "counting frequencies",
  "grid paths with dynamic programming",
  "string similarity and edit operations",
  "bit manipulation",
  "recursion on nested lists",
  "simulating a simple queue or inventory",
  "statistics of numeric lists (median, mode, range)",
];

/** Twists that make two tasks on the same topic differ. */
export const TASK_TWISTS: readonly string[] = [
  "with an edge case for empty input",
  "that must handle negative numbers",
  "returning a tuple of two results",
  "with an optional keyword argument that changes the behaviour",
  "where ties are broken by first occurrence",
  "that must not modify its input",
  "whose result is sorted",
  "that works on a list of tuples",
  "that validates its input and returns None when it is invalid",
  "with a threshold parameter",
  "that counts rather than collects",
  "that uses an off-by-one-prone boundary (inclusive end)",
];

/** Topic and twist of task `index` under `seed`: independent of the processing order. */
export function taskTheme(seed: number, index: number): { topic: string; twist: string } {
  const rand = mulberry32(itemSeed(seed, `task:${index}`));
  return {
    topic: TASK_TOPICS[Math.floor(rand() * TASK_TOPICS.length)],
    twist: TASK_TWISTS[Math.floor(rand() * TASK_TWISTS.length)],
  };
}

const FENCE = "```";

/**
 * Messages asking for task `taskId`: an instruction, a solution and assert-based tests in a
 * strict Markdown format (parsed by `parseTaskAnswer`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskMessages } from "./prompts.ts";
 * const m = taskMessages({ taskId: "t-1", seed: 0, index: 1 });
 * assert.equal(m.length, 2);
 * assert.match(m[1].content, /Task id: t-1/);
 * ```
 */
export function taskMessages(
  options: { readonly taskId: string; readonly seed: number; readonly index: number },
): ChatMessage[] {
  const { topic, twist } = taskTheme(options.seed, options.index);
  return [
    {
      role: "system",
      content: "You are an expert Python programmer who writes small, precise programming " +
        "exercises with a reference solution and unit tests.",
    },
    {
      role: "user",
      content: [
        `Task id: ${options.taskId}`,
        `Write a new self-contained Python exercise about ${topic}, ${twist}.`,
        "The solution is one top-level function of 3 to 15 lines using only the standard library.",
        "Write 5 to 8 tests, each a single-line `assert` statement calling the function.",
        "Answer in exactly this format and nothing else:",
        "",
        "### Instruction",
        "<one paragraph describing the function, its arguments and its return value>",
        "Entry point: <function name>",
        "### Solution",
        `${FENCE}python`,
        "<the function>",
        FENCE,
        "### Tests",
        `${FENCE}python`,
        "<assert statements, one per line>",
        FENCE,
      ].join("\n"),
    },
  ];
}

/** The latest version that carries code (malformed answers carry none). */
export function latestCode(task: TeacherTask, history: readonly CodeVersion[]): string {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].errorType !== "MalformedAnswer" && history[i].code !== "") {
      return history[i].code;
    }
  }
  return task.code;
}

/** Feedback as the plain-text block shown to the teacher. */
export function formatFeedback(feedback: Feedback): string {
  const lines = [`Verdict: ${feedback.verdict}`];
  if (feedback.failingTest) lines.push(`Failing test: ${feedback.failingTest}`);
  if (feedback.errorType) lines.push(`Error type: ${feedback.errorType}`);
  if (feedback.errorMessage) lines.push(`Error message: ${feedback.errorMessage}`);
  if (feedback.tracebackTail) lines.push("Traceback (last lines):", feedback.tracebackTail);
  return lines.join("\n");
}

/**
 * Messages asking to fix the latest code given the sandbox feedback on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refineMessages } from "./prompts.ts";
 * const task = { taskId: "t", prompt: "Add.", entryPoint: "add", tests: "assert add(1, 2) == 3\n",
 *   code: "def add(a, b):\n    return a - b\n" };
 * const m = refineMessages(task, [], { verdict: "fail", errorType: "AssertionError" });
 * assert.match(m[1].content, /return a - b/);
 * assert.match(m[1].content, /Error type: AssertionError/);
 * ```
 */
export function refineMessages(
  task: TeacherTask,
  history: readonly CodeVersion[],
  feedback: Feedback,
): ChatMessage[] {
  const attempt = history.length;
  return [
    {
      role: "system",
      content: "You are an expert Python debugger. You fix code so that it passes its tests, " +
        "changing only what is needed.",
    },
    {
      role: "user",
      content: [
        `Task id: ${task.taskId}`,
        "### Instruction",
        task.prompt,
        "### Tests",
        `${FENCE}python`,
        task.tests.trimEnd(),
        FENCE,
        `### Current code (attempt ${attempt})`,
        `${FENCE}python`,
        latestCode(task, history).trimEnd(),
        FENCE,
        "### Sandbox feedback",
        formatFeedback(feedback),
        "",
        `Return the complete corrected function \`${task.entryPoint}\` in one ${FENCE}python ` +
        "block. Do not change the tests.",
      ].join("\n"),
    },
  ];
}

/**
 * Messages asking for an independent attempt at a task: the instruction alone (no tests, no other
 * attempt, no feedback), as the sampling baselines draw their candidates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleMessages } from "./prompts.ts";
 * const task = { taskId: "t", prompt: "Add a and b.", entryPoint: "add",
 *   tests: "assert add(1, 2) == 3\n", code: "" };
 * const m = sampleMessages(task);
 * assert.match(m[1].content, /Add a and b\./);
 * assert.doesNotMatch(m[1].content, /assert add/);
 * ```
 */
export function sampleMessages(task: TeacherTask): ChatMessage[] {
  return [
    { role: "system", content: "You are an expert Python programmer." },
    {
      role: "user",
      content: [
        `Task id: ${task.taskId}`,
        "### Instruction",
        task.prompt,
        "",
        `Write the function \`${task.entryPoint}\` in one ${FENCE}python block, using only the ` +
        "standard library.",
      ].join("\n"),
    },
  ];
}

/** Messages of the pair judge (DESIGN §1.3): answer yes when the difference is logical. */
export function judgePairMessages(input: JudgeInput): ChatMessage[] {
  return [
    {
      role: "system",
      content: "You review code changes. You answer with a single word: yes or no.",
    },
    {
      role: "user",
      content: [
        ...(input.taskId ? [`Task id: ${input.taskId}`] : []),
        "### Task",
        input.prompt,
        "### Version A (incorrect)",
        `${FENCE}python`,
        input.rejected.trimEnd(),
        FENCE,
        "### Version B (correct)",
        `${FENCE}python`,
        input.chosen.trimEnd(),
        FENCE,
        "Is the difference between A and B a logical one (it changes what the code computes), " +
        "not only formatting, comments or names? Answer yes or no.",
      ].join("\n"),
    },
  ];
}

/**
 * Messages of the test-quality judge (the paper's Appendix A.2.4, Figure 8): accuracy,
 * effectiveness and reasonableness of a task's tests, each on 1–5, with what the ends of each
 * scale mean.
 */
export function testQualityMessages(task: TeacherTask): ChatMessage[] {
  return [
    {
      role: "system",
      content: "You review unit tests for programming exercises. You answer in JSON only.",
    },
    {
      role: "user",
      content: [
        `Task id: ${task.taskId}`,
        "### Instruction",
        task.prompt,
        "### Tests",
        `${FENCE}python`,
        task.tests.trimEnd(),
        FENCE,
        "Rate the tests from 1 (poor) to 5 (excellent) on three dimensions:",
        "- accuracy: every expected value is what a correct solution of the instruction " +
        "returns (5: all right; 1: several wrong);",
        "- effectiveness: the tests would catch wrong solutions, with typical inputs and the " +
        "edge cases the instruction implies (5: any plausible bug fails a test; 1: almost any " +
        "code passes);",
        "- reasonableness: the tests check only what the instruction asks, with valid inputs, " +
        "no redundancy and nothing that depends on unspecified behaviour (5: all reasonable; " +
        "1: mostly unreasonable).",
        'Answer as {"accuracy": n, "effectiveness": n, "reasonableness": n}.',
      ].join("\n"),
    },
  ];
}
