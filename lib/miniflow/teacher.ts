/**
 * The offline MiniFlow teacher (DESIGN §5 "Teachers", `miniflow`): tasks come from the
 * procedural grammar with planned bugs, and each refinement removes one bug, guided by the
 * sandbox feedback, optionally adding a distractor edit (comment-only or rename-only).
 *
 * @module
 */
import type { CodeVersion, TeacherId } from "../core/mod.ts";
import type {
  BatchPreparer,
  Feedback,
  Sampler,
  TaskIdentity,
  Teacher,
  TeacherAnswer,
  TeacherTask,
} from "../synth/types.ts";
import { hashString } from "../util/rng.ts";
import { Random } from "./_random.ts";
import type { SplitFractions } from "./compositions.ts";
import { generateTasks } from "./generate_tasks.ts";
import {
  DEFAULT_PLAN_CONFIG,
  drawBugs,
  type PlanConfig,
  planTrajectories,
  type TrajectoryCategory,
  type TrajectoryPlan,
} from "./plan.ts";
import { renderLines } from "./program.ts";
import { miniflowTaskId } from "./task_spec.ts";
import type { MiniflowSplit, MiniflowTask, SandboxRunner, VerifiedBug } from "./types.ts";

/** Identity of the MiniFlow teacher, stored in every record it produces. */
export const MINIFLOW_TEACHER_ID: TeacherId = Object.freeze({
  kind: "miniflow",
  model: "miniflow-v1",
});

/** Configuration of {@link MiniFlowTeacher}. */
export interface MiniflowTeacherConfig extends PlanConfig {
  /** Split the tasks are drawn from. @default "train" */
  readonly split: MiniflowSplit;
  /** Probability that a refinement also carries a distractor edit. @default 0.15 */
  readonly distractorProbability: number;
  /** Held-out fractions of compositions. @default DEFAULT_SPLIT_FRACTIONS */
  readonly fractions?: SplitFractions;
  /** Generated inputs per task (5–10). @default 8 */
  readonly cases?: number;
  /**
   * Probability that an independent sample (`sample`, k >= 1) is correct, by the task's plan
   * category; a wrong sample carries a fresh draw of 1–3 verified bugs. The defaults are a
   * calibration, not a finding: with them, 5 samples solve about 52% of the tasks (the paper's
   * Table 5: 51.9%) while debugging within 5 rounds solves the correct and fixable 67.5%.
   * @default { correct: 0.9, fixable: 0.12, hard: 0.02 }
   */
  readonly sampleCorrect: Readonly<Record<TrajectoryCategory, number>>;
}

/** Defaults of {@link MiniflowTeacherConfig}. */
export const DEFAULT_MINIFLOW_TEACHER_CONFIG: MiniflowTeacherConfig = {
  ...DEFAULT_PLAN_CONFIG,
  split: "train",
  distractorProbability: 0.15,
  sampleCorrect: { correct: 0.9, fixable: 0.12, hard: 0.02 },
};

/** Kinds of distractor edit: they never change behaviour. */
export type DistractorKind = "add-comment" | "remove-comment" | "rename";

/** A prepared task: the generated task and its trajectory plan. */
export interface PreparedTask {
  readonly task: MiniflowTask;
  readonly plan: TrajectoryPlan;
}

interface _Comment {
  /** Program line the comment is inserted before. */
  readonly before: number;
  readonly text: string;
}

interface _State {
  readonly prepared: PreparedTask;
  /** Bugs still in the code, in line order. */
  readonly remaining: readonly VerifiedBug[];
  readonly comments: readonly _Comment[];
  readonly renames: readonly (readonly [string, string])[];
}

const _COMMENTS = [
  "# walk through the input",
  "# build the result step by step",
  "# keep the running value here",
  "# handle each element in order",
  "# the edge cases are covered below",
];

const _RENAMES = ["result", "acc_out", "values_out", "res", "collected", "current"];

/**
 * Render a state's code: the task prompt followed by the body with the remaining bugs, the
 * inserted comments and the renames.
 */
function _render(state: _State): { code: string; lines: (string | null)[] } {
  const { task } = state.prepared;
  let lines = renderLines(task.program, state.remaining);
  for (const [from, to] of state.renames) {
    const re = _nameRe(from, "g");
    lines = lines.map((l) => l?.replace(re, to) ?? null);
  }
  const body: string[] = [];
  lines.forEach((line, i) => {
    for (const c of state.comments) {
      if (c.before === i) body.push("    ".repeat(task.program.lines[i].indent + 1) + c.text);
    }
    if (line !== null) body.push(line);
  });
  return { code: `${task.prompt}${body.join("\n")}\n`, lines };
}

/** Key of a version: task id, hash and length of the code (keeps the state map small). */
function _stateKey(taskId: string, code: string): string {
  return `${taskId}#${hashString(code)}:${code.length}`;
}

/** A variable name as a whole identifier, not an attribute (`.values()` is not `values`). */
function _nameRe(name: string, flags = ""): RegExp {
  return new RegExp(`(?<![.\\w])${name}(?!\\w)`, flags);
}

function _implicatedLines(feedback: Feedback): Set<string> {
  const out = new Set<string>();
  for (const line of (feedback.tracebackTail ?? "").split("\n")) {
    const t = line.trim();
    if (t !== "" && !t.startsWith("File ") && !t.startsWith("Traceback")) out.add(t);
  }
  return out;
}

/**
 * The offline, deterministic teacher. Tasks are generated (and their bugs verified) in the
 * sandbox on first use; call {@link MiniFlowTeacher.prepare} to batch that for many indexes.
 *
 * The debugger reverts one remaining bug per `refine` call: the bug on a line quoted in the
 * traceback when there is one, else the first remaining bug in line order. A `stubborn` bug is
 * never found: once it is the only one left, each refinement swaps it for another verified bug
 * on the same site (or leaves it), so the trajectory stays failing.
 *
 * @example
 * ```ts ignore
 * const teacher = new MiniFlowTeacher(new Sandbox(), { seed: 1 });
 * const task = await teacher.proposeTask(0);
 * ```
 */
export class MiniFlowTeacher implements Teacher, TaskIdentity, BatchPreparer, Sampler {
  /** Always `{ kind: "miniflow", model: "miniflow-v1" }`. */
  readonly id: TeacherId = MINIFLOW_TEACHER_ID;
  /** Resolved configuration. */
  readonly config: MiniflowTeacherConfig;
  readonly #sandbox: SandboxRunner;
  readonly #prepared = new Map<number, Promise<PreparedTask>>();
  readonly #states = new Map<string, _State>();

  constructor(sandbox: SandboxRunner, config: Partial<MiniflowTeacherConfig> = {}) {
    this.#sandbox = sandbox;
    this.config = { ...DEFAULT_MINIFLOW_TEACHER_CONFIG, ...config };
    const { correctFraction: c, hardFraction: h, distractorProbability: d } = this.config;
    if (!(c >= 0 && h >= 0 && c + h <= 1)) {
      throw new Error(
        `MiniFlow fractions need correct, hard >= 0 and correct + hard <= 1, found ${c}, ${h}`,
      );
    }
    if (!(d >= 0 && d <= 1)) throw new Error(`distractorProbability must be in [0, 1], found ${d}`);
    for (const [category, p] of Object.entries(this.config.sampleCorrect)) {
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`sampleCorrect.${category} must be in [0, 1], found ${p}`);
      }
    }
  }

  /** Id of task `index`: `miniflow/<split>/<index>`. */
  taskIdFor(index: number): string {
    return miniflowTaskId(this.config.split, index);
  }

  /** Generate and plan tasks `indices` in few sandbox runs (already prepared ones are reused). */
  async prepare(indices: readonly number[]): Promise<PreparedTask[]> {
    const missing = [...new Set(indices)].filter((i) => !this.#prepared.has(i));
    if (missing.length > 0) {
      const batch = (async () => {
        const tasks = await generateTasks({
          seed: this.config.seed,
          split: this.config.split,
          indices: missing,
          sandbox: this.#sandbox,
          fractions: this.config.fractions,
          cases: this.config.cases,
          tasksPerRun: this.config.tasksPerRun,
        });
        const plans = await planTrajectories(tasks, this.#sandbox, this.config);
        return tasks.map((task, i) => ({ task, plan: plans[i] }));
      })();
      missing.forEach((index, i) => {
        const one = batch.then((all) => all[i]);
        this.#prepared.set(index, one);
        one.catch(() => this.#prepared.delete(index));
      });
    }
    return await Promise.all(indices.map((i) => this.#prepared.get(i)!));
  }

  /**
   * Task `index` of the configured split with its iteration-0 (possibly buggy) code. A failed
   * generation (for example a sandbox that cannot start) is `ok: false` with the reason.
   */
  async proposeTask(index: number): Promise<TeacherAnswer<TeacherTask>> {
    let prepared: PreparedTask;
    try {
      [prepared] = await this.prepare([index]);
    } catch (e) {
      return {
        ok: false,
        reason: `MiniFlow task ${this.taskIdFor(index)}: ${(e as Error).message}`,
      };
    }
    const state: _State = { prepared, remaining: prepared.plan.bugs, comments: [], renames: [] };
    const { code } = this.#remember(state);
    const { task } = prepared;
    return {
      ok: true,
      value: {
        taskId: task.taskId,
        prompt: task.prompt,
        entryPoint: task.entryPoint,
        tests: task.tests,
        code,
      },
    };
  }

  /**
   * Independent attempt `k` (>= 1) at a proposed task: correct with the probability
   * `sampleCorrect` gives its category, else with a fresh draw of bugs; seeded by the teacher
   * seed, the task and `k`, so the same for every run.
   */
  async sample(task: TeacherTask, k: number): Promise<TeacherAnswer<string>> {
    const index = this.#indexOf(task.taskId);
    if (index === undefined) {
      return { ok: false, reason: `MiniFlow teacher: ${task.taskId} is not one of its tasks` };
    }
    const [prepared] = await this.prepare([index]);
    const rng = Random.forItem(this.config.seed, `${task.taskId}#sample#${k}`);
    const correct = rng.chance(this.config.sampleCorrect[prepared.plan.category]);
    const remaining = correct ? [] : drawBugs(rng, prepared.task, this.config);
    const state: _State = { prepared, remaining, comments: [], renames: [] };
    return { ok: true, value: this.#remember(state).code };
  }

  #indexOf(taskId: string): number | undefined {
    const index = Number(taskId.slice(taskId.lastIndexOf("/") + 1));
    return Number.isInteger(index) && this.taskIdFor(index) === taskId ? index : undefined;
  }

  /** Remove one bug from the latest version (`history`'s last code, else `task.code`). */
  refine(
    task: TeacherTask,
    history: readonly CodeVersion[],
    feedback: Feedback,
  ): Promise<TeacherAnswer<string>> {
    const latest = history.length > 0 ? history[history.length - 1].code : task.code;
    const state = this.#states.get(_stateKey(task.taskId, latest));
    if (state === undefined) {
      return Promise.resolve({
        ok: false,
        reason: `MiniFlow teacher: ${task.taskId} has no version equal to the latest code; ` +
          `it only refines code it produced itself (propose the task first)`,
      });
    }
    if (state.remaining.length === 0) {
      return Promise.resolve({
        ok: false,
        reason: `MiniFlow teacher: ${task.taskId} has no bug left to fix`,
      });
    }
    const next = this.#fix(state, feedback);
    const rng = Random.forItem(this.config.seed, `${task.taskId}#distractor#${history.length}`);
    const edited = rng.chance(this.config.distractorProbability) ? this.#distract(next, rng) : next;
    return Promise.resolve({ ok: true, value: this.#remember(edited).code });
  }

  #remember(state: _State): { code: string; lines: (string | null)[] } {
    const rendered = _render(state);
    this.#states.set(_stateKey(state.prepared.task.taskId, rendered.code), state);
    return rendered;
  }

  #fix(state: _State, feedback: Feedback): _State {
    const { plan, task } = state.prepared;
    const findable = state.remaining.filter((b) => b.site !== plan.stubbornSite);
    if (findable.length === 0) {
      const current = state.remaining[0];
      const options = task.bugs.filter((b) => b.site === current.site);
      const at = options.findIndex((b) => b.alternative === current.alternative);
      const swapped = options[(at + 1) % options.length] ?? current;
      return { ...state, remaining: [swapped] };
    }
    const { lines } = _render(state);
    const implicated = _implicatedLines(feedback);
    const target = findable.find((b) => {
      const text = lines[b.line];
      return text !== null && implicated.has(text.trim());
    }) ?? findable[0];
    return { ...state, remaining: state.remaining.filter((b) => b !== target) };
  }

  #distract(state: _State, rng: Random): _State {
    const { task } = state.prepared;
    const kinds: DistractorKind[] = ["add-comment", "rename"];
    if (state.comments.length > 0) kinds.push("remove-comment");
    const kind = rng.pick(kinds);
    switch (kind) {
      case "add-comment": {
        const comment = {
          before: rng.int(0, task.program.lines.length - 1),
          text: rng.pick(_COMMENTS),
        };
        return { ...state, comments: [...state.comments, comment] };
      }
      case "remove-comment": {
        const drop = rng.int(0, state.comments.length - 1);
        return { ...state, comments: state.comments.filter((_, i) => i !== drop) };
      }
      case "rename": {
        const body = _render(state).lines.join("\n");
        const present = (name: string) => _nameRe(name).test(body);
        const from = rng.shuffle(task.program.locals.map((l) => this.#currentName(state, l)))
          .find(present);
        const to = rng.shuffle(_RENAMES).find((n) => !present(n) && n !== task.argName);
        if (from === undefined || to === undefined) return state;
        return { ...state, renames: [...state.renames, [from, to]] };
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown distractor kind ${never}`);
      }
    }
  }

  #currentName(state: _State, local: string): string {
    let name = local;
    for (const [from, to] of state.renames) if (from === name) name = to;
    return name;
  }
}
