/**
 * The base-model corpus: training-split tasks rendered as `prompt + solution`, a fraction of
 * them with one verified bug, so a base model pretrained on it has a measurable bug propensity
 * that preference tuning can reduce (DESIGN §5 "Base-model corpus").
 *
 * @module
 */
import { Random } from "./_random.ts";
import type { SplitFractions } from "./compositions.ts";
import { generateTasks } from "./generate_tasks.ts";
import { renderBody } from "./program.ts";
import type { MiniflowSplit, SandboxRunner, VerifiedBug } from "./types.ts";

/** Options of {@link buildBaseCorpus}. */
export interface BaseCorpusOptions {
  /** Benchmark seed (the same tasks as the teacher with this seed). */
  readonly seed: number;
  /** Task indexes of the split. */
  readonly indices: readonly number[];
  readonly sandbox: SandboxRunner;
  /** Fraction `p` of documents whose solution carries one injected bug. @default 0.3 */
  readonly buggyFraction?: number;
  /** Split the tasks come from. @default "train" */
  readonly split?: MiniflowSplit;
  /** Held-out fractions of compositions. @default DEFAULT_SPLIT_FRACTIONS */
  readonly fractions?: SplitFractions;
  /** Tasks packed into one sandbox run. @default 50 */
  readonly tasksPerRun?: number;
}

/** One corpus document. */
export interface CorpusDocument {
  readonly taskId: string;
  /** True when the solution carries `bug`. */
  readonly buggy: boolean;
  readonly bug?: VerifiedBug;
  /** `prompt + solution` (the solution possibly buggy). */
  readonly text: string;
}

const _GOLDEN = 0.6180339887498949;

/**
 * Build the corpus. Whether a document is buggy follows a low-discrepancy sequence over the
 * indexes (so the realised fraction is close to `buggyFraction`); which verified bug it gets is
 * drawn from the task's own seeded stream. A task without any verified bug stays correct.
 */
export async function buildBaseCorpus(options: BaseCorpusOptions): Promise<CorpusDocument[]> {
  const p = options.buggyFraction ?? 0.3;
  if (!(p >= 0 && p <= 1)) throw new Error(`buggyFraction must be in [0, 1], found ${p}`);
  const tasks = await generateTasks({
    seed: options.seed,
    split: options.split ?? "train",
    indices: options.indices,
    sandbox: options.sandbox,
    fractions: options.fractions,
    tasksPerRun: options.tasksPerRun,
  });
  const offset = Random.forItem(options.seed, "miniflow-corpus-offset").float();
  return tasks.map((task) => {
    const wantBug = (offset + (task.index + 1) * _GOLDEN) % 1 < p && task.bugs.length > 0;
    if (!wantBug) return { taskId: task.taskId, buggy: false, text: task.prompt + task.solution };
    const bug = Random.forItem(options.seed, `${task.taskId}#corpus`).pick(task.bugs);
    const body = renderBody(task.program, [bug]).join("\n");
    return { taskId: task.taskId, buggy: true, bug, text: `${task.prompt}${body}\n` };
  });
}

/**
 * Concatenate documents into one training text, separated by `separator`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusText } from "./corpus.ts";
 * const docs = [{ taskId: "a", buggy: false, text: "x\n" }, { taskId: "b", buggy: false, text: "y\n" }];
 * assert.equal(corpusText(docs), "x\n\ny\n");
 * ```
 */
export function corpusText(docs: readonly CorpusDocument[], separator = "\n"): string {
  return docs.map((d) => d.text).join(separator);
}
