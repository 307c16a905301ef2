/**
 * Text generation with a loaded Hugging Face model folder: the prompt encoded by the model's own
 * tokenizer (chat-formatted by its template for instruct models), then greedy or seeded sampled
 * decoding with the key/value cache, ended by an EOS token, a stop string or the token budget.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { argmax, sampleTopP } from "../model/mod.ts";
import { mulberry32 } from "../util/rng.ts";
import { type ChatTemplate, readChatTemplate, readSpecialTokens } from "./chat_template.ts";
import { loadGgufFile } from "./gguf_model.ts";
import { eosTokenIds, readModelJson } from "./config.ts";
import { loadHfModel } from "./load_model.ts";
import type { HfCausalLM, HfCausalLMOptions } from "./model.ts";
import { HfTokenizer } from "./tokenizer.ts";

/**
 * A model folder or GGUF file loaded whole: weights, tokenizer and chat template (`null` for base
 * models).
 */
export interface HfModelFolder {
  /** The folder, or the `.gguf` file. */
  readonly path: string;
  readonly model: HfCausalLM;
  readonly tokenizer: HfTokenizer;
  readonly chatTemplate: ChatTemplate | null;
  /**
   * Ids that end generation: `config.json`'s and `generation_config.json`'s `eos_token_id` (an
   * instruct model lists its end-of-turn token there).
   */
  readonly eosIds: ReadonlySet<number>;
  /**
   * The id a training completion ends with: the tokenizer's `eos_token` (what TRL appends), else
   * the first of `eosIds`; `null` when neither names one.
   */
  readonly completionEosId: number | null;
}

/** `eos_token_id` of `generation_config.json`, or none when the folder has no such file. */
async function _generationEos(dir: string): Promise<number[]> {
  const path = join(dir, "generation_config.json");
  return existsSync(path) ? eosTokenIds(await readModelJson(path), path) : [];
}

/**
 * Loads a model folder's model, `tokenizer.json` and chat template, or the same from the
 * metadata and tensors of a `.gguf` file.
 */
export async function loadHfFolder(
  path: string,
  options: HfCausalLMOptions = {},
): Promise<HfModelFolder> {
  if (path.endsWith(".gguf")) return loadGgufFile(path, options);
  const dir = path;
  const model = await loadHfModel(dir, options);
  try {
    const tokenizer = await HfTokenizer.fromFile(join(dir, "tokenizer.json"));
    const eosIds = new Set([...model.config.eosTokenIds, ...await _generationEos(dir)]);
    const eosToken = (await readSpecialTokens(dir)).eos_token;
    return {
      path: dir,
      model,
      tokenizer,
      chatTemplate: await readChatTemplate(dir),
      eosIds,
      completionEosId: (eosToken === undefined ? null : tokenizer.tokenToId(eosToken)) ??
        [...eosIds][0] ?? null,
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Why generation ended. */
export type HfStopReason = "eos" | "stop" | "length";

/** Options of {@linkcode generateText}. */
export interface GenerateTextOptions {
  readonly maxNewTokens: number;
  /** Format the prompt as one user turn with the folder's chat template. @default false */
  readonly chat?: boolean;
  /** With `chat`: a system turn before the user's. @default {none} */
  readonly system?: string;
  /** @default {"greedy"} */
  readonly strategy?: "greedy" | "sample";
  /** @default 1 */
  readonly temperature?: number;
  /** @default 1 */
  readonly topP?: number;
  /** Seed of the sampled draws. @default 0 */
  readonly seed?: number;
  /** Generation ends before the first of these strings; the text is cut there. @default [] */
  readonly stop?: readonly string[];
}

/** The prompt's ids, the new ids and their text. */
export interface GenerateTextResult {
  readonly prompt: string;
  readonly promptIds: number[];
  readonly generatedIds: number[];
  readonly text: string;
  readonly stopReason: HfStopReason;
}

/** The prompt string and its ids: chat-formatted (the template writes any BOS) or plain. */
export async function encodePrompt(
  f: HfModelFolder,
  prompt: string,
  chat: boolean,
  system?: string,
): Promise<{ text: string; ids: number[] }> {
  if (!chat) return { text: prompt, ids: (await f.tokenizer.encode(prompt)).ids };
  if (f.chatTemplate === null) {
    throw new Error(
      `${f.path}: --chat needs a chat template, and the folder has none (a base model?)`,
    );
  }
  const text = f.chatTemplate.render([
    ...(system === undefined ? [] : [{ role: "system" as const, content: system }]),
    { role: "user", content: prompt },
  ], { addGenerationPrompt: true });
  return { text, ids: (await f.tokenizer.encode(text, { addSpecialTokens: false })).ids };
}

/**
 * Generates after `prompt`, until one of the folder's `eosIds` (it stays in `generatedIds`, not
 * in `text`), a stop string or `maxNewTokens`.
 */
export async function generateText(
  f: HfModelFolder,
  prompt: string,
  o: GenerateTextOptions,
): Promise<GenerateTextResult> {
  return (await generateTexts(f, [{ ...o, prompt }], o))[0];
}

/** One row of {@linkcode generateTexts}: its prompt, and what it sets for itself. */
export interface GenerateRow
  extends Pick<GenerateTextOptions, "chat" | "system" | "seed" | "stop"> {
  readonly prompt: string;
}

/**
 * Generates after every row's prompt in one batch (one forward pass per step for all rows;
 * shorter prompts are left-padded, which changes no row's result). Each row ends on its own, as
 * {@linkcode generateText} does; a row's `chat`, `system`, `seed` and `stop` override `o`'s.
 */
export async function generateTexts(
  f: HfModelFolder,
  rows: readonly GenerateRow[],
  o: GenerateTextOptions,
): Promise<GenerateTextResult[]> {
  const encoded = await Promise.all(
    rows.map((r) => encodePrompt(f, r.prompt, r.chat ?? o.chat ?? false, r.system ?? o.system)),
  );
  const eos = f.eosIds;
  const stops = rows.map((r) => r.stop ?? o.stop ?? []);
  const rngs = rows.map((r) => mulberry32(r.seed ?? o.seed ?? 0));
  const choose = (o.strategy ?? "greedy") === "greedy"
    ? argmax
    : (x: Float32Array, row: number) => sampleTopP(x, o.temperature ?? 1, o.topP ?? 1, rngs[row]);
  const decodeText = (ids: readonly number[]) =>
    f.tokenizer.decode(ids, { skipSpecialTokens: true });
  const stopAt = (text: string, stop: readonly string[]) => {
    const hits = stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);
    return hits.length === 0 ? -1 : Math.min(...hits);
  };
  const generated = await f.model.decode(
    encoded.map((e) => e.ids),
    o.maxNewTokens,
    choose,
    async (row, ids) =>
      eos.has(ids.at(-1)!) ||
      (stops[row].length > 0 && stopAt(await decodeText(ids), stops[row]) >= 0),
  );
  return Promise.all(generated.map(async (ids, row) => {
    const ended = ids.length > 0 && eos.has(ids.at(-1)!);
    const text = await decodeText(ended ? ids.slice(0, -1) : ids);
    const cut = ended ? -1 : stopAt(text, stops[row]);
    const stopReason: HfStopReason = ended ? "eos" : cut >= 0 ? "stop" : "length";
    return {
      prompt: encoded[row].text,
      promptIds: encoded[row].ids,
      generatedIds: ids,
      text: cut >= 0 ? text.slice(0, cut) : text,
      stopReason,
    };
  }));
}
