/**
 * A Hugging Face model folder (lib/hf) as a {@linkcode CodeModel}, so `deno task eval --model DIR`
 * and the evaluation notebooks run on real models. It asks for code as the endpoint model does:
 * in chat mode (the default for a folder with a chat template, i.e. an instruct model) the same
 * system prompt and instruction, rendered by the model's own template; in completions mode (a
 * base model) the raw prompt with the same stop sequences.
 *
 * @module
 */
import { type GenerateRow, generateTexts, type HfModelFolder } from "../hf/mod.ts";
import { itemSeed } from "../util/rng.ts";
import type { CodeModel, GenerationOptions, GenerationRequest, TokenUsage } from "./code_model.ts";
import {
  chatInstruction,
  DEFAULT_OPENAI_CODE_MODEL_CONFIG,
  type EndpointMode,
} from "./openai_code_model.ts";

/** Options of {@linkcode HfCodeModel}. */
export interface HfCodeModelOptions {
  /** Name recorded with the results. @default {the folder's name} */
  readonly name?: string;
  /** @default {"chat" when the folder has a chat template, else "completions"} */
  readonly mode?: EndpointMode;
  /** Seed of sampled completions (each prompt and sample gets its own stream). @default 0 */
  readonly seed?: number;
  /**
   * Completions decoded together in one batch (prompts of different lengths are left-padded;
   * each completion is what it would be alone). @default 8
   */
  readonly batchSize?: number;
}

/** Completions from a loaded model folder, `batchSize` at a time. */
export class HfCodeModel implements CodeModel {
  readonly name: string;
  readonly mode: EndpointMode;
  readonly #folder: HfModelFolder;
  readonly #seed: number;
  readonly #batchSize: number;
  #usage = { promptTokens: 0, completionTokens: 0, requests: 0 };

  constructor(folder: HfModelFolder, options: HfCodeModelOptions = {}) {
    this.#folder = folder;
    this.name = options.name ??
      folder.path.replace(/\/+$/, "").split("/").at(-1)!.replace(/\.gguf$/, "");
    this.mode = options.mode ?? (folder.chatTemplate === null ? "completions" : "chat");
    if (this.mode === "chat" && folder.chatTemplate === null) {
      throw new Error(`${folder.path}: chat mode needs a chat template, and the folder has none`);
    }
    this.#seed = options.seed ?? 0;
    this.#batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new RangeError(
        `HfCodeModel: batchSize must be an integer >= 1, got ${this.#batchSize}`,
      );
    }
  }

  async generate(
    prompts: readonly GenerationRequest[],
    opts: GenerationOptions,
  ): Promise<string[][]> {
    const c = DEFAULT_OPENAI_CODE_MODEL_CONFIG;
    const chat = this.mode === "chat";
    const rows: GenerateRow[] = prompts.flatMap((req) =>
      Array.from({ length: opts.n }, (_, j) => ({
        prompt: chat ? chatInstruction(req) : req.prompt,
        seed: itemSeed(this.#seed, `${req.taskId}/${j}`),
        stop: chat ? [] : c.stop[req.promptStyle ?? "complete"],
      }))
    );
    const texts: string[] = [];
    for (let i = 0; i < rows.length; i += this.#batchSize) {
      const results = await generateTexts(this.#folder, rows.slice(i, i + this.#batchSize), {
        maxNewTokens: opts.maxTokens,
        chat,
        system: chat ? c.systemPrompt : undefined,
        strategy: opts.temperature === 0 ? "greedy" : "sample",
        temperature: opts.temperature === 0 ? 1 : opts.temperature,
        topP: opts.topP,
      });
      for (const r of results) {
        texts.push(r.text);
        this.#usage.promptTokens += r.promptIds.length;
        this.#usage.completionTokens += r.generatedIds.length;
      }
    }
    this.#usage.requests += prompts.length;
    return prompts.map((_, p) => texts.slice(p * opts.n, (p + 1) * opts.n));
  }

  usage(): TokenUsage {
    return { ...this.#usage, attempts: this.#usage.requests };
  }
}
