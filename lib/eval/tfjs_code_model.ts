/**
 * A {@linkcode CodeModel} backed by the kit's own tfjs GPT and compact BPE tokenizer: batched
 * greedy or seeded temperature/top-p decoding with the KV cache, stopping at EOS, when the
 * function body ends, or after `maxTokens`.
 *
 * Batching needs no padding: every row of a batch starts at position 0, the common prompt prefix
 * length is prefilled in one pass, and then each step feeds one token per row, the row's next
 * prompt token while its prompt lasts (teacher forcing) and its own chosen token afterwards. Rows
 * that finish are dropped from the batch (their cache rows are compacted away in place). Each step
 * is one `Gpt.forwardCached` call (the lean incremental path) and one `[B, V]` logits read-back.
 * Prompts are sorted by token length before batching so rows of a batch finish their prompts at
 * similar steps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { disposeKvCache, type Gpt, type KvCache, retainKvCacheRows } from "../model/gpt.ts";
import type { ModelTokenizer } from "../model/types.ts";
import type { CodeModel, GenerationOptions, GenerationRequest, TokenUsage } from "./code_model.ts";
import { argmax, sampleTopP } from "../model/sampling.ts";
import { itemSeed, mulberry32 } from "../util/rng.ts";

/** Configuration of a {@linkcode TfjsCodeModel}. */
export interface TfjsCodeModelConfig {
  /**
   * Name recorded with the results.
   * @default "tiny-gpt"
   */
  readonly name?: string;
  /**
   * Rows (prompt × sample) decoded together in one forward pass.
   * @default 32
   */
  readonly batchSize?: number;
  /**
   * Stop a completion at the first non-blank line that starts at column 0 (the function body has
   * ended) and cut that line off. Only applies to prompts that end with a newline.
   * @default true
   */
  readonly stopAtDedent?: boolean;
  /**
   * Prepend the tokenizer's BOS token to every prompt (the pretraining stream has one before each
   * document).
   * @default true
   */
  readonly addBos?: boolean;
  /**
   * Seed of the sampling streams. Row `(taskId, j)` draws from its own stream derived from this
   * seed, the task id and `j`, so samples do not depend on batching or prompt order.
   * @default 0
   */
  readonly seed?: number;
}

/**
 * Index where the function body of a completion ends: the start of the first non-blank line at
 * column 0, or `-1` when there is none. `atLineStart` says whether the completion starts at the
 * beginning of a line (the prompt ended with a newline); otherwise its first line continues the
 * prompt's last line and is never a candidate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { functionBodyEnd } from "./tfjs_code_model.ts";
 * assert.equal(functionBodyEnd("    return 1\n\ndef g():\n", true), 14);
 * assert.equal(functionBodyEnd("    x = 1\n    \n    return x\n", true), -1);
 * assert.equal(functionBodyEnd("print(1)\n", true), 0);
 * assert.equal(functionBodyEnd("x)\n    return x\n", false), -1);
 * ```
 */
export function functionBodyEnd(completion: string, atLineStart: boolean): number {
  let start = atLineStart ? 0 : completion.indexOf("\n") + 1;
  if (!atLineStart && start === 0) return -1;
  while (start < completion.length) {
    const c = completion[start];
    if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") return start;
    const nl = completion.indexOf("\n", start);
    if (nl < 0) return -1;
    start = nl + 1;
  }
  return -1;
}

/** One decoded row: a (prompt, sample) pair. */
interface _Row {
  readonly prompt: number;
  readonly sample: number;
  /** Prompt ids (BOS included, left-truncated to the context). */
  readonly ids: readonly number[];
  readonly atLineStart: boolean;
  readonly rng: () => number;
  readonly gen: number[];
  text: string;
  done: boolean;
}

/**
 * The kit's tfjs GPT as a {@linkcode CodeModel}. `temperature: 0` is greedy decoding (arg-max,
 * lowest id on ties); otherwise tokens are drawn from the tempered distribution truncated to the
 * top-`topP` nucleus, from a per-(task, sample) seeded stream.
 *
 * A prompt longer than the context keeps its last `contextLength - 1` tokens (so at least one
 * token can be generated); a completion also stops when prompt and completion fill the context
 * (as lib/model's `generate` does), so the pair always fits the model for later scoring.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../backend/mod.ts";
 * import { createGpt, trainTokenizer } from "../model/mod.ts";
 * import { TfjsCodeModel } from "./tfjs_code_model.ts";
 * await initBackend("cpu");
 * const tok = await trainTokenizer(["def f(x):\n    return x\n"]);
 * const gpt = createGpt({
 *   vocabSize: tok.vocabSize, contextLength: 32, dModel: 8, nLayer: 1, nHead: 2, mlpRatio: 2,
 *   dropout: 0, seed: 0,
 * });
 * const model = new TfjsCodeModel(gpt, tok, { name: "untrained" });
 * const out = await model.generate([{ taskId: "t", prompt: "def f(x):\n" }], {
 *   n: 2, temperature: 0, topP: 1, maxTokens: 3,
 * });
 * assert.equal(out.length, 1);
 * assert.equal(out[0].length, 2);
 * assert.equal(out[0][0], out[0][1]); // greedy: both samples agree
 * assert.equal(model.usage().completionTokens <= 6, true);
 * gpt.dispose();
 * ```
 */
export class TfjsCodeModel implements CodeModel {
  readonly name: string;
  readonly model: Gpt;
  readonly tokenizer: ModelTokenizer;
  readonly config: Required<TfjsCodeModelConfig>;
  #promptTokens = 0;
  #completionTokens = 0;
  #requests = 0;

  constructor(model: Gpt, tokenizer: ModelTokenizer, config: TfjsCodeModelConfig = {}) {
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      throw new Error(
        `TfjsCodeModel: tokenizer vocabSize ${tokenizer.vocabSize} != model vocabSize ` +
          `${model.config.vocabSize}`,
      );
    }
    this.config = {
      name: config.name ?? "tiny-gpt",
      batchSize: config.batchSize ?? 32,
      stopAtDedent: config.stopAtDedent ?? true,
      addBos: config.addBos ?? true,
      seed: config.seed ?? 0,
    };
    if (!Number.isInteger(this.config.batchSize) || this.config.batchSize < 1) {
      throw new Error(
        `TfjsCodeModel: batchSize must be a positive integer, found ${this.config.batchSize}`,
      );
    }
    this.name = this.config.name;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** `opts.n` completions per prompt, `result[i][j]` being sample `j` of prompt `i`. */
  async generate(
    prompts: readonly GenerationRequest[],
    opts: GenerationOptions,
  ): Promise<string[][]> {
    const { n, temperature, topP, maxTokens } = opts;
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`TfjsCodeModel: n must be a positive integer, found ${n}`);
    }
    if (!(temperature >= 0)) {
      throw new Error(`TfjsCodeModel: temperature must be >= 0, found ${temperature}`);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new Error(`TfjsCodeModel: topP must be in (0, 1], found ${topP}`);
    }
    if (!Number.isInteger(maxTokens) || maxTokens < 0) {
      throw new Error(
        `TfjsCodeModel: maxTokens must be a non-negative integer, found ${maxTokens}`,
      );
    }
    const ctx = this.model.config.contextLength;
    const rows: _Row[] = [];
    prompts.forEach((request, p) => {
      if (request.promptStyle === "instruct") {
        throw new Error(
          `TfjsCodeModel: task ${request.taskId} has promptStyle "instruct"; the tiny GPT only ` +
            'continues function stubs ("complete")',
        );
      }
      let ids = this.tokenizer.encode(request.prompt);
      if (this.config.addBos) ids = [this.tokenizer.bosId, ...ids];
      if (ids.length === 0) ids = [this.tokenizer.bosId];
      if (ids.length > ctx - 1) ids = ids.slice(ids.length - (ctx - 1));
      this.#promptTokens += ids.length * n;
      this.#requests++;
      for (let j = 0; j < n; j++) {
        rows.push({
          prompt: p,
          sample: j,
          ids,
          atLineStart: request.prompt.length === 0 || request.prompt.endsWith("\n"),
          rng: mulberry32(itemSeed(this.config.seed, `${request.taskId}#${j}`)),
          gen: [],
          text: "",
          done: maxTokens === 0,
        });
      }
    });
    const order = rows.map((_, i) => i).sort((a, b) =>
      rows[a].ids.length - rows[b].ids.length || a - b
    );
    for (let s = 0; s < order.length; s += this.config.batchSize) {
      const batch = order.slice(s, s + this.config.batchSize).map((i) => rows[i]);
      await this.#decode(batch.filter((r) => !r.done), { temperature, topP, maxTokens });
    }
    const out: string[][] = prompts.map(() => new Array<string>(n).fill(""));
    for (const row of rows) {
      out[row.prompt][row.sample] = row.text;
      this.#completionTokens += row.gen.length;
    }
    return out;
  }

  /** Tokens and requests spent so far (`attempts` equals `requests`: nothing is retried). */
  usage(): TokenUsage {
    return {
      promptTokens: this.#promptTokens,
      completionTokens: this.#completionTokens,
      requests: this.#requests,
      attempts: this.#requests,
    };
  }

  /** Decode one batch of rows in place. */
  async #decode(
    rows: _Row[],
    o: { temperature: number; topP: number; maxTokens: number },
  ): Promise<void> {
    if (rows.length === 0) return;
    const { contextLength: ctx, vocabSize: V } = this.model.config;
    const eos = this.tokenizer.eosId;
    let active = rows;
    let cache: KvCache | null = null;
    try {
      const minLen = Math.min(...active.map((r) => r.ids.length));
      let logits = this.#forward(active.map((r) => r.ids.slice(0, minLen)), null, V);
      cache = logits.cache;
      let pos = minLen; // positions already in the cache
      for (;;) {
        const rowLogits = await logits.last.data() as Float32Array; // [B * V]
        logits.last.dispose();
        const next: number[] = [];
        const keep: number[] = [];
        active.forEach((row, b) => {
          if (pos < row.ids.length) {
            next.push(row.ids[pos]); // still reading the prompt
            keep.push(b);
            return;
          }
          const x = rowLogits.subarray(b * V, (b + 1) * V);
          const token = o.temperature === 0
            ? argmax(x)
            : sampleTopP(x, o.temperature, o.topP, row.rng);
          if (token === eos) {
            row.done = true;
            return;
          }
          row.gen.push(token);
          row.text = this.tokenizer.decode(row.gen);
          if (this.config.stopAtDedent) {
            const end = functionBodyEnd(row.text, row.atLineStart);
            if (end >= 0) {
              row.text = row.text.slice(0, end);
              row.done = true;
              return;
            }
          }
          if (row.gen.length >= o.maxTokens || pos + 1 >= ctx) {
            row.done = true;
            return;
          }
          next.push(token);
          keep.push(b);
        });
        if (keep.length === 0) break;
        if (keep.length < active.length) {
          retainKvCacheRows(cache, keep); // in place
          active = keep.map((b) => active[b]);
        }
        logits = this.#forward(next.map((t) => [t]), cache, V); // extends the cache in place
        cache = logits.cache;
        pos++;
      }
    } finally {
      disposeKvCache(cache);
    }
  }

  /** Forward `ids [B, T]` after `cache`; returns the last position's logits `[B, V]` and the cache. */
  #forward(
    ids: readonly (readonly number[])[],
    cache: KvCache | null,
    V: number,
  ): { last: tf.Tensor2D; cache: KvCache } {
    const B = ids.length;
    const T = ids[0].length;
    const input = tf.tensor2d(ids.flat(), [B, T], "int32"); // [B, T]
    const out = this.model.forwardCached(input, cache);
    input.dispose();
    const last = tf.tidy(() =>
      tf.reshape(tf.slice(out.logits, [0, T - 1, 0], [B, 1, V]), [B, V]) as tf.Tensor2D
    ); // [B, V]
    out.logits.dispose();
    return { last, cache: out.cache };
  }
}
