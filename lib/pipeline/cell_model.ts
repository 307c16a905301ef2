/**
 * The model of a preference cell, whichever kind it is: the kit's own checkpoint (`model.kind`
 * `"kit"`, `deno task pretrain`) or a Hugging Face folder or GGUF file (`"hf"`: Qwen2 and Llama
 * families, trained through LoRA adapters or, for small models, every weight). Each kind gives the
 * cell what its stages need: the pairs tokenised and masked with the model's own tokenizer (and,
 * for an instruct model, its chat template), the policy that trains, the reference model (the kit's
 * base before training; the HF base with the adapters off), an identity for the caches, and the
 * code model the evaluation generates with.
 *
 * @module
 */
import { join } from "node:path";
import { buildPairs, type PyAstService } from "../codeflow/mod.ts";
import type { OffsetTokenizer, Trajectory } from "../core/mod.ts";
import type { CodeModel } from "../eval/code_model.ts";
import { HfCodeModel } from "../eval/hf_code_model.ts";
import { TfjsCodeModel } from "../eval/tfjs_code_model.ts";
import {
  encodePrompt,
  type HfModelFolder,
  hfOffsetTokenizer,
  HfPolicy,
  loadHfFolder,
  LoraAdapters,
  mergedModel,
} from "../hf/mod.ts";
import { type CausalLM, loadCheckpoint } from "../model/mod.ts";
import { type PreparedPair, preparePair, weightsHash } from "../train/mod.ts";
import { completionEos, modelIdentity } from "./hf_train.ts";
import { contextSpecOf, type PreferenceBase } from "./preference_config.ts";
import {
  buildPreferenceDataset,
  kitTokenization,
  type PreferenceDataset,
} from "./preference_dataset.ts";

/** What the data stage needs besides the trajectories. */
export interface CellDataOptions {
  readonly pyAst: PyAstService;
  /** The cell's seed (selection draws, `"random1to2"`). */
  readonly seed: number;
}

/** A cell's model and what its stages ask of it; `dispose()` it. */
export interface CellModel {
  /** The weights' identity (keys the reference cache and the fingerprint). */
  readonly hash: string;
  /** What trains. */
  readonly policy: CausalLM;
  /** What the reference log-probs come from (read before the first update). */
  readonly reference: CausalLM;
  readonly padId: number;
  /** The pairs of `trajectories`, tokenised and masked with the model's tokenizer. */
  dataset(trajectories: readonly Trajectory[], o: CellDataOptions): Promise<PreferenceDataset>;
  /** The dataset's examples as the trainer takes them (EOS added, cut to the context). */
  prepare(dataset: PreferenceDataset): PreparedPair[];
  /** The trained policy as a code model (call after training). */
  codeModel(name: string): Promise<CodeModel>;
  dispose(): void;
}

/** Open the model of `base.model` (paths relative to `root`); `seed` seeds the adapters. */
export async function openCellModel(
  base: PreferenceBase,
  root: string,
  seed: number,
): Promise<CellModel> {
  const m = base.model;
  const path = m.checkpoint.startsWith("/") ? m.checkpoint : join(root, m.checkpoint);
  return m.kind === "hf" ? await _hfModel(base, path, seed) : await _kitModel(base, path);
}

/** The data settings every kind cuts its pairs with. */
function _cutOptions(base: PreferenceBase, o: CellDataOptions) {
  const { data, mask } = base;
  return {
    pyAst: o.pyAst,
    seed: o.seed,
    rule: data.rule,
    method: data.method,
    contextLines: contextSpecOf(mask),
    emptyRejected: mask.emptyRejected,
    maxRejectedLines: data.maxRejectedLines,
    maxTokens: data.maxTokens,
    passFail: {
      ranking: data.sampling.ranking,
      minGap: data.sampling.minGap,
      pairsPerTask: data.sampling.pairsPerTask,
    },
  };
}

async function _kitModel(base: PreferenceBase, path: string): Promise<CellModel> {
  const { model, tokenizer } = await loadCheckpoint(path);
  return {
    hash: await weightsHash(model),
    policy: model,
    reference: model,
    padId: tokenizer.padId,
    dataset: (trajectories, o) =>
      buildPreferenceDataset({
        trajectories,
        ...kitTokenization(tokenizer),
        ..._cutOptions(base, o),
      }),
    prepare: (dataset) =>
      dataset.examples.map((e) =>
        preparePair(e, {
          eosId: tokenizer.eosId,
          contextLength: model.config.contextLength,
          maxPromptLength: base.train.maxPromptLength,
        })
      ),
    codeModel: (name) =>
      Promise.resolve(
        new TfjsCodeModel(model, tokenizer, { name, batchSize: base.eval.batchSize }),
      ),
    dispose: () => model.dispose(),
  };
}

async function _hfModel(base: PreferenceBase, path: string, seed: number): Promise<CellModel> {
  const m = base.model;
  const folder = await loadHfFolder(path, { trainable: m.lora === null });
  let eosId: number;
  try {
    eosId = completionEos(folder);
  } catch (e) {
    folder.model.dispose();
    throw e;
  }
  const adapters = m.lora === null ? null : LoraAdapters.create(folder.model.config, m.lora, seed);
  const policy = new HfPolicy(folder.model, adapters, { seed, contextLength: m.contextLength });
  const chat = m.prompt === "chat";
  let merged: HfModelFolder["model"] | null = null;
  return {
    hash: await modelIdentity(path),
    policy,
    reference: policy.reference(),
    padId: eosId,
    dataset: async (trajectories, o) => {
      const cut = _cutOptions(base, o);
      const tokenizer = await _hfTexts(folder, trajectories, cut);
      const prompts = new Map<string, number[]>();
      for (const t of trajectories) {
        if (!prompts.has(t.prompt)) {
          prompts.set(t.prompt, (await encodePrompt(folder, t.prompt, chat)).ids);
        }
      }
      return await buildPreferenceDataset({
        trajectories,
        tokenizer,
        promptIds: (prompt) => prompts.get(prompt)!,
        ...cut,
      });
    },
    prepare: (dataset) =>
      dataset.examples.map((e) =>
        preparePair(e, {
          eosId,
          contextLength: m.contextLength,
          maxPromptLength: base.train.maxPromptLength,
        })
      ),
    codeModel: async (name) => {
      merged ??= adapters === null ? folder.model : await mergedModel(folder.model, adapters);
      return new HfCodeModel({ ...folder, model: merged }, {
        name,
        mode: chat ? "chat" : "completions",
        batchSize: base.eval.batchSize,
      });
    },
    dispose: () => {
      if (merged !== null && merged !== folder.model) merged.dispose();
      policy.dispose();
      adapters?.dispose();
      folder.model.dispose();
    },
  };
}

/**
 * A synchronous offset tokenizer over every text the pairs of `trajectories` can ask for (their
 * full codes for the `too-long` filter, their completions for the masks), encoded beforehand by
 * the model's tokenizer (npm `tokenizers` encodes asynchronously).
 */
async function _hfTexts(
  folder: HfModelFolder,
  trajectories: readonly Trajectory[],
  cut: ReturnType<typeof _cutOptions>,
): Promise<OffsetTokenizer> {
  const { pyAst: _, ...options } = cut;
  const texts: string[] = [];
  for (const r of await buildPairs(trajectories, options)) {
    if (r.kind !== "pair") continue;
    const { pair } = r;
    texts.push(pair.chosen, pair.rejected, pair.completion.chosen, pair.completion.rejected);
  }
  return await hfOffsetTokenizer(folder.tokenizer, texts);
}
