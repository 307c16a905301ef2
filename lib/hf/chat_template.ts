/**
 * Chat templates of Hugging Face tokenizer folders, rendered with npm `@huggingface/jinja` as
 * transformers' `apply_chat_template(..., tokenize=False)` renders them: the template from
 * `chat_template.jinja` (transformers 5) or `tokenizer_config.json`'s `chat_template`, with the
 * special tokens of `tokenizer_config.json` (`bos_token`, `eos_token`, …) in its context
 * (`raise_exception` is a built-in of the renderer).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { ModelFileError, readModelJson } from "./config.ts";

/** One chat turn. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** The special-token names transformers passes to a template. */
const _SPECIAL_TOKENS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "pad_token",
  "sep_token",
  "cls_token",
  "mask_token",
] as const;

/** A token entry of `tokenizer_config.json`: a string or an AddedToken object. */
function _tokenText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (
    v !== null && typeof v === "object" && typeof (v as { content?: unknown }).content === "string"
  ) {
    return (v as { content: string }).content;
  }
  return undefined;
}

/** The special tokens' texts of a `tokenizer_config.json` (a token may be an object with `content`). */
function _specialTokens(config: Readonly<Record<string, unknown>>): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const name of _SPECIAL_TOKENS) {
    const text = _tokenText(config[name]);
    if (text !== undefined) tokens[name] = text;
  }
  return tokens;
}

/** The special tokens (`bos_token`, `eos_token`, …) of the tokenizer folder `dir`; none without a `tokenizer_config.json`. */
export async function readSpecialTokens(dir: string): Promise<Record<string, string>> {
  const configPath = join(dir, "tokenizer_config.json");
  return existsSync(configPath) ? _specialTokens(await readModelJson(configPath)) : {};
}

/** A compiled chat template with the special tokens of its folder. */
export class ChatTemplate {
  readonly #template: Template;
  readonly #tokens: Readonly<Record<string, string>>;
  /** Where the template came from (for errors). */
  readonly source: string;

  constructor(text: string, tokens: Readonly<Record<string, string>>, source: string) {
    try {
      this.#template = new Template(text);
    } catch (e) {
      throw new ModelFileError(source, "chat_template", `does not parse (${(e as Error).message})`);
    }
    this.#tokens = tokens;
    this.source = source;
  }

  /** The prompt string of `messages`; `addGenerationPrompt` opens the assistant's turn. */
  render(
    messages: readonly ChatMessage[],
    options: { addGenerationPrompt?: boolean } = {},
  ): string {
    try {
      return this.#template.render({
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: options.addGenerationPrompt ?? false,
        ...this.#tokens,
      }); // @huggingface/jinja defines raise_exception itself
    } catch (e) {
      throw new Error(`${this.source}: the chat template failed: ${(e as Error).message}`);
    }
  }
}

/**
 * The chat template of the tokenizer folder `dir`, or `null` when it has none (a base model).
 * A `chat_template` given as a list of named templates uses the one named `default`.
 */
export async function readChatTemplate(dir: string): Promise<ChatTemplate | null> {
  const configPath = join(dir, "tokenizer_config.json");
  const config = existsSync(configPath) ? await readModelJson(configPath) : {};
  const tokens = _specialTokens(config);
  const jinjaPath = join(dir, "chat_template.jinja");
  if (existsSync(jinjaPath)) {
    return new ChatTemplate(await readFile(jinjaPath, "utf8"), tokens, jinjaPath);
  }
  const raw = config.chat_template;
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "string") return new ChatTemplate(raw, tokens, configPath);
  if (Array.isArray(raw)) {
    const named = raw.find((t) => t?.name === "default");
    if (typeof named?.template === "string") {
      return new ChatTemplate(named.template, tokens, configPath);
    }
  }
  throw new ModelFileError(
    configPath,
    "chat_template",
    `expected a string or a list with a "default" template, found ${
      JSON.stringify(raw).slice(0, 60)
    }`,
  );
}
