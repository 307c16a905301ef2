/**
 * The kit's own models as the sampling source: tasks (instruction, tests) from a task teacher
 * (MiniFlow), independent attempts at them from a code model (the kit's GPT through
 * `TfjsCodeModel`, a Hugging Face folder or GGUF file through `HfCodeModel`, or any other
 * `CodeModel`), drawn at a temperature with a seed per task and sample. It only samples: a
 * debugging run needs a teacher that refines.
 *
 * @module
 */
import type { TeacherId } from "../core/mod.ts";
import type { CodeModel } from "../eval/code_model.ts";
import { buildProgram } from "../eval/sanitize.ts";
import type {
  BatchPreparer,
  Sampler,
  TaskIdentity,
  Teacher,
  TeacherAnswer,
  TeacherTask,
} from "./types.ts";

/** Options of {@linkcode ModelSampler}. */
export interface ModelSamplerOptions {
  /** Sampling temperature (> 0: the samples must differ). @default 0.8 */
  readonly temperature?: number;
  /** Nucleus sampling. @default 0.95 */
  readonly topP?: number;
  /** Tokens per sample at most. @default 256 */
  readonly maxTokens?: number;
}

/**
 * A sampling teacher over a code model. `proposeTask` takes the task teacher's task and replaces
 * its first attempt with the model's sample 0; `sample(task, k)` is the model's sample `k`, each
 * drawn with its own seed (the request is keyed `<taskId>#sample<k>`, which the kit's code models
 * seed from), so a rerun draws the same samples.
 */
export class ModelSampler
  implements Teacher, Sampler, Partial<TaskIdentity>, Partial<BatchPreparer> {
  readonly id: TeacherId;
  readonly #tasks: Teacher & Partial<TaskIdentity> & Partial<BatchPreparer>;
  readonly #model: CodeModel;
  readonly #options: Required<ModelSamplerOptions>;
  readonly taskIdFor?: (index: number) => string;
  readonly prepare?: (indices: readonly number[]) => Promise<unknown>;

  constructor(
    tasks: Teacher & Partial<TaskIdentity> & Partial<BatchPreparer>,
    model: CodeModel,
    options: ModelSamplerOptions = {},
  ) {
    this.#tasks = tasks;
    this.#model = model;
    this.#options = { temperature: 0.8, topP: 0.95, maxTokens: 256, ...options };
    if (!(this.#options.temperature > 0)) {
      throw new RangeError(
        `ModelSampler: temperature must be > 0 (independent samples), got ${this.#options.temperature}`,
      );
    }
    this.id = { kind: "model", model: model.name };
    this.taskIdFor = tasks.taskIdFor?.bind(tasks);
    this.prepare = tasks.prepare?.bind(tasks);
  }

  /** The task teacher's task `index`, its first attempt the model's sample 0. */
  async proposeTask(index: number): Promise<TeacherAnswer<TeacherTask>> {
    const proposal = await this.#tasks.proposeTask(index);
    if (!proposal.ok) return proposal;
    const first = await this.sample(proposal.value, 0);
    return first.ok ? { ok: true, value: { ...proposal.value, code: first.value } } : first;
  }

  /** The model's independent attempt `k` at the task, as a whole program. */
  async sample(task: TeacherTask, k: number): Promise<TeacherAnswer<string>> {
    const { temperature, topP, maxTokens } = this.#options;
    const [[completion]] = await this.#model.generate(
      [{ taskId: `${task.taskId}#sample${k}`, prompt: task.prompt, promptStyle: "complete" }],
      { n: 1, temperature, topP, maxTokens },
    );
    return {
      ok: true,
      value: buildProgram({ ...task, promptStyle: "complete" }, completion),
    };
  }

  /** A model sampler does not debug. */
  refine(task: TeacherTask): Promise<TeacherAnswer<string>> {
    return Promise.resolve({
      ok: false,
      reason: `${this.id.model}: a model sampler only samples (${task.taskId}); debug with a ` +
        "teacher (miniflow or openai)",
    });
  }
}
