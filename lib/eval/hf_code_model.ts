/**
 * A Hugging Face model folder (lib/hf) as a {@linkcode CodeModel}, so `deno task eval --model DIR`
 * and the evaluation notebooks run on real models. It asks for code as the endpoint model does:
 * in chat mode (the default for a folder with a chat template, i.e. an instruct model) the same
 * system prompt and instruction, rendered by the model's own template; in completions mode (a
 * base model) the raw prompt with the same stop sequences.
 *
 * @module
 */
import { generateText, type HfModelFolder } from "../hf/mod.ts";
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
}

/** Completions from a loaded model folder, one prompt at a time. */
export class HfCodeModel implements CodeModel {
  readonly name: string;
  readonly mode: EndpointMode;
  readonly #folder: HfModelFolder;
  readonly #seed: number;
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
  }

  async generate(
    prompts: readonly GenerationRequest[],
    opts: GenerationOptions,
  ): Promise<string[][]> {
    const out: string[][] = [];
    const c = DEFAULT_OPENAI_CODE_MODEL_CONFIG;
    for (const req of prompts) {
      const chat = this.mode === "chat";
      const samples: string[] = [];
      for (let j = 0; j < opts.n; j++) {
        const r = await generateText(this.#folder, chat ? chatInstruction(req) : req.prompt, {
          maxNewTokens: opts.maxTokens,
          chat,
          system: chat ? c.systemPrompt : undefined,
          strategy: opts.temperature === 0 ? "greedy" : "sample",
          temperature: opts.temperature === 0 ? 1 : opts.temperature,
          topP: opts.topP,
          seed: itemSeed(this.#seed, `${req.taskId}/${j}`),
          stop: chat ? [] : c.stop[req.promptStyle ?? "complete"],
        });
        samples.push(r.text);
        this.#usage.promptTokens += r.promptIds.length;
        this.#usage.completionTokens += r.generatedIds.length;
      }
      this.#usage.requests++;
      out.push(samples);
    }
    return out;
  }

  usage(): TokenUsage {
    return { ...this.#usage, attempts: this.#usage.requests };
  }
}
