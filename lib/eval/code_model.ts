/**
 * What the evaluator needs from a code model: sampled completions for prompts. The kit's own tfjs
 * models and OpenAI-compatible endpoints ({@linkcode OpenAICodeModel}) both fit.
 *
 * @module
 */
import type { PromptStyle } from "./types.ts";

/** One prompt to complete. */
export interface GenerationRequest {
  readonly taskId: string;
  readonly prompt: string;
  /**
   * `complete`: continue a function stub; `instruct`: write a program for an instruction.
   * @default "complete"
   */
  readonly promptStyle?: PromptStyle;
  /** The user message for chat models, when the benchmark prescribes one (BigCodeBench). */
  readonly chatPrompt?: string;
}

/** Sampling settings of one generation call. */
export interface GenerationOptions {
  /** Completions per prompt. */
  readonly n: number;
  /** 0 means greedy decoding. */
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
}

/** Greedy pass@1 settings: one completion at temperature 0. */
export const GREEDY_GENERATION: GenerationOptions = Object.freeze({
  n: 1,
  temperature: 0,
  topP: 1,
  maxTokens: 768,
});

/** Tokens and requests spent by a model so far. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Logical requests (one per prompt and batch of samples). */
  readonly requests: number;
  /** HTTP attempts, retries included (endpoint models). */
  readonly attempts: number;
}

/** A model that writes code. */
export interface CodeModel {
  /** Name recorded with the results (`Qwen2.5-Coder-7B-Instruct`, `tiny-gpt-seed1`). */
  readonly name: string;
  /** `opts.n` completions for every prompt, in prompt order: `result[i][j]` is sample `j` of prompt `i`. */
  generate(
    prompts: readonly GenerationRequest[],
    opts: GenerationOptions,
  ): Promise<string[][]>;
  /** Usage so far, when the model counts it. */
  usage?(): TokenUsage;
}
