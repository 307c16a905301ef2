/**
 * Preference training of a Hugging Face model (a safetensors folder or a GGUF file) on a pairs
 * file, with LoRA adapters or, for small models, every weight: the pairs are tokenised with the
 * model's own tokenizer (its chat template in chat mode) and masked from their line diffs, the
 * reference log-probs come from the base model with the adapters off (cached in the run folder),
 * and the kit's trainer runs any loss variant with accumulation, the NaN guard, atomic
 * checkpoints and exact resume. The adapters are saved in PEFT's format (`adapter/`), a full
 * fine-tuning run as a model folder (`model/`); `run.json` records the config, seed, commit,
 * model and backend.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type BackendInfo, describeBackend } from "../backend/mod.ts";
import { type MaskedPairOptions, readMaskedPairs } from "../codeflow/mod.ts";
import { atomicWrite, gitInfo } from "../core/mod.ts";
import {
  encodePrompt,
  type HfModelFolder,
  HfPolicy,
  hfPreferenceExample,
  loadHfFolder,
  LoraAdapters,
  type LoraConfig,
  writeModelFolder,
} from "../hf/mod.ts";
import { type LossVariant, needsReference } from "../loss/mod.ts";
import {
  cachedReferenceLogps,
  datasetHash,
  preferenceBatches,
  preferenceLoss,
  type PreparedPair,
  preparePair,
  train,
  trainerOptions,
  type TrainEvent,
  type TrainHyperparams,
  validateTrainHyperparams,
} from "../train/mod.ts";

/** Everything a run depends on (its JSON, with the model's and data's hashes, is the run's fingerprint). */
export interface HfTrainConfig {
  /** A model folder or `.gguf` file. */
  readonly model: string;
  /** A pairs file: `deno task synth`'s `pairs.jsonl` or a cell's stored pairs. */
  readonly pairs: string;
  readonly variant: LossVariant;
  /** The adapters; `null` trains every weight (small models only). */
  readonly lora: LoraConfig | null;
  /** Optimizer updates; `null`: one pass over the pairs. */
  readonly steps: number | null;
  readonly train: TrainHyperparams;
  readonly beta: number;
  readonly lambda: number;
  readonly seed: number;
  /** Tokens per side (prompt + completion + EOS). */
  readonly contextLength: number;
  /** Prompt as one user turn of the model's chat template (instruct models). */
  readonly chat: boolean;
  /** Masks of pairs that carry none (synthesised pairs): context lines and empty-`D-` policy. */
  readonly mask: Required<Pick<MaskedPairOptions, "contextLines" | "emptyRejected">>;
  /** Rows per chunk of the vocabulary log-softmax. */
  readonly logpChunkRows: number;
}

/** What a finished run returns. */
export interface HfTrainResult {
  readonly steps: number;
  readonly resumedFrom: number;
  readonly pairs: number;
  /** Where the adapters (LoRA) or the model folder (full fine-tuning) were written. */
  readonly saved: string;
  readonly tokensPerSecond: number;
  readonly lastMetrics: Readonly<Record<string, number>>;
}

/** Options of {@linkcode trainHfModel}. */
export interface TrainHfModelOptions {
  /** Run folder: `run.json`, `metrics.jsonl`, `checkpoints/`, `reference/`, `adapter/` or `model/`. */
  readonly out: string;
  readonly backend: BackendInfo;
  readonly onEvent?: (e: TrainEvent) => void;
  /** Reference progress and other notes. */
  readonly log?: (line: string) => void;
  /** Progress bar on stderr. @default {true} */
  readonly progress?: boolean;
}

/** The run's file names. */
export const HF_TRAIN_FILES = { run: "run.json", adapter: "adapter", model: "model" } as const;

/** Checks a config; the message names the field and the value. */
export function validateHfTrainConfig(c: HfTrainConfig): void {
  validateTrainHyperparams("train", c.train);
  const bad = (field: string, want: string, v: unknown) =>
    new RangeError(`${field}: expected ${want}, found ${JSON.stringify(v)}`);
  if (c.steps !== null && (!Number.isInteger(c.steps) || c.steps < 1)) {
    throw bad("steps", "an integer >= 1", c.steps);
  }
  if (!Number.isInteger(c.contextLength) || c.contextLength < 2) {
    throw bad("contextLength", "an integer >= 2", c.contextLength);
  }
  if (!(c.beta > 0)) throw bad("beta", "a number > 0", c.beta);
  if (!(c.lambda >= 0)) throw bad("lambda", "a number >= 0", c.lambda);
  if (c.lora === null && c.model.endsWith(".gguf")) {
    throw new Error(
      `${c.model}: full fine-tuning writes a model folder and needs the base's config.json; ` +
        "give a safetensors folder, or train LoRA adapters (--lora-rank)",
    );
  }
}

/** Trains (or resumes) the run of `config` in `options.out`. */
export async function trainHfModel(
  config: HfTrainConfig,
  options: TrainHfModelOptions,
): Promise<HfTrainResult> {
  validateHfTrainConfig(config);
  const log = options.log ?? (() => {});
  const folder = await loadHfFolder(config.model, { trainable: config.lora === null });
  const adapters = config.lora === null
    ? null
    : LoraAdapters.create(folder.model.config, config.lora, config.seed);
  const policy = new HfPolicy(folder.model, adapters, {
    seed: config.seed,
    contextLength: config.contextLength,
    logpChunkRows: config.logpChunkRows,
  });
  try {
    const { pairs, dropped } = await readMaskedPairs(config.pairs, {
      ...config.mask,
      seed: config.seed,
    });
    if (pairs.length === 0) throw new Error(`${config.pairs}: no pairs to train on`);
    log(`${config.pairs}: ${pairs.length} pairs (${dropped} dropped by the empty-D- policy)`);
    const prepared = await _preparePairs(folder, pairs, config);
    const modelId = await modelIdentity(config.model);
    const data = datasetHash(prepared);
    const reference = needsReference(config.variant)
      ? (await cachedReferenceLogps(policy.reference(), prepared, {
        cacheDir: join(options.out, "reference"),
        checkpointHash: modelId,
        batchSize: config.train.batchSize,
        padId: _padId(folder),
        // About ten lines per run, not one per batch.
        onProgress: (done, total) => {
          const every = Math.max(1, Math.ceil(total / 10));
          if (done === total || done % every === 0) {
            log(`reference log-probs: ${done}/${total} pairs`);
          }
        },
      })).logps
      : undefined;
    const fingerprint = createHash("sha256")
      .update(JSON.stringify({ ...config, modelId, data })).digest("hex");
    const t = config.train;
    const steps = config.steps ?? Math.ceil(prepared.length / (t.batchSize * t.accumulation));
    await atomicWrite(
      join(options.out, HF_TRAIN_FILES.run),
      JSON.stringify(
        {
          schema: "hf-train.run/v1",
          config,
          steps,
          pairs: prepared.length,
          droppedPairs: dropped,
          modelId,
          datasetHash: data,
          fingerprint,
          git: gitInfo(Deno.cwd()),
          backend: describeBackend(options.backend),
          model: folder.model.config,
        },
        null,
        2,
      ) + "\n",
    );
    const saveAdapter = (dir: string) => adapters!.save(dir, resolve(config.model));
    const result = await train({
      model: policy,
      steps,
      batches: preferenceBatches({
        pairs: prepared,
        reference,
        batchSize: t.batchSize,
        seed: config.seed,
        padId: _padId(folder),
      }),
      lossFn: preferenceLoss({ variant: config.variant, beta: config.beta, lambda: config.lambda }),
      runDir: options.out,
      fingerprint,
      ...trainerOptions(t),
      onCheckpoint: adapters === null
        ? undefined
        : (dir) => saveAdapter(join(dir, HF_TRAIN_FILES.adapter)),
      onEvent: options.onEvent,
      progress: options.progress,
    });
    const saved = join(
      options.out,
      adapters === null ? HF_TRAIN_FILES.model : HF_TRAIN_FILES.adapter,
    );
    if (adapters !== null) await saveAdapter(saved);
    else await writeModelFolder(config.model, await folder.model.weightsData(), saved);
    return {
      steps: result.step,
      resumedFrom: result.resumedFrom,
      pairs: prepared.length,
      saved,
      tokensPerSecond: result.tokensPerSecond,
      lastMetrics: result.lastMetrics as Record<string, number>,
    };
  } finally {
    policy.dispose();
    folder.model.dispose();
  }
}

/** Tokenised, masked and truncated pairs, the prompt encoded as generation encodes it. */
async function _preparePairs(
  folder: HfModelFolder,
  pairs: Awaited<ReturnType<typeof readMaskedPairs>>["pairs"],
  config: HfTrainConfig,
): Promise<PreparedPair[]> {
  const eosId = completionEos(folder);
  const out: PreparedPair[] = [];
  for (const p of pairs) {
    const prompt = await encodePrompt(folder, p.prompt, config.chat);
    const example = await hfPreferenceExample(folder.tokenizer, p, { promptIds: prompt.ids });
    out.push(preparePair(example, { eosId, contextLength: config.contextLength }));
  }
  return out;
}

/** The id training completions end with; throws naming the folder when it has none. */
export function completionEos(folder: HfModelFolder): number {
  if (folder.completionEosId === null) {
    throw new Error(
      `${folder.path}: no EOS token to end the completions with (tokenizer_config.json ` +
        "eos_token, or eos_token_id in config.json / generation_config.json)",
    );
  }
  return folder.completionEosId;
}

/** Any id the model knows (padding is masked out): its EOS. */
function _padId(folder: HfModelFolder): number {
  return folder.completionEosId ?? 0;
}

/**
 * A model's identity for the reference cache: the sha256 of its files' names, sizes and
 * modification times (a changed file gives a new one; the weights are not read twice).
 */
export async function modelIdentity(path: string): Promise<string> {
  const h = createHash("sha256").update(resolve(path));
  const s = await stat(path);
  const files = s.isDirectory() ? (await readdir(path)).sort() : [""];
  for (const f of files) {
    const fs = await stat(f === "" ? path : join(path, f));
    h.update(`\n${f}\t${fs.size}\t${fs.mtimeMs}`);
  }
  return h.digest("hex");
}
