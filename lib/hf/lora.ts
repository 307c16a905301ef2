/**
 * LoRA adapters on the linear layers of the Qwen2 and Llama models (Hu et al. 2021, as PEFT
 * computes them): module `W` of input `x` outputs `x·Wᵀ + (alpha / r) · dropout(x)·Aᵀ·Bᵀ` with
 * `A` `[r, in]` and `B` `[out, r]`. Saved and read in PEFT's format: `adapter_config.json` and
 * `adapter_model.safetensors` with PEFT's tensor names, so `peft.PeftModel.from_pretrained`
 * loads what the kit trains.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { atomicWrite } from "../core/mod.ts";
import { mixSeed, mulberry32 } from "../loss/mod.ts";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "../model/safetensors.ts";
import { type HfConfig, ModelFileError, readModelJson } from "./config.ts";
import type { LinearAdapter } from "./model.ts";

/** The linear layers LoRA can adapt (PEFT's `target_modules` names), written once. */
export const LORA_TARGETS = [
  "q_proj",
  "k_proj",
  "v_proj",
  "o_proj",
  "gate_proj",
  "up_proj",
  "down_proj",
] as const;
/** One of {@link LORA_TARGETS}. */
export type LoraTarget = typeof LORA_TARGETS[number];

/** Where each target sits inside a decoder layer. */
const _BLOCK: Readonly<Record<LoraTarget, "self_attn" | "mlp">> = {
  q_proj: "self_attn",
  k_proj: "self_attn",
  v_proj: "self_attn",
  o_proj: "self_attn",
  gate_proj: "mlp",
  up_proj: "mlp",
  down_proj: "mlp",
};

/** PEFT's adapter files. */
export const LORA_FILES = {
  config: "adapter_config.json",
  weights: "adapter_model.safetensors",
} as const;

/** Hyper-parameters of the adapters. */
export interface LoraConfig {
  /** `r`: the rank of `B·A`. */
  readonly rank: number;
  /** `lora_alpha`: the update is scaled by `alpha / rank`. */
  readonly alpha: number;
  /** `lora_dropout`: dropout on the adapter's input while training. */
  readonly dropout: number;
  /** The adapted modules of every layer. */
  readonly targets: readonly LoraTarget[];
}

/** PEFT's usual choice for causal LMs: rank 16, alpha 32, dropout 0.05, the attention projections. */
export const LORA_DEFAULTS: LoraConfig = {
  rank: 16,
  alpha: 32,
  dropout: 0.05,
  targets: ["q_proj", "k_proj", "v_proj", "o_proj"],
};

/** Fills in {@link LORA_DEFAULTS} and checks every value; errors name the field and the value. */
export function resolveLoraConfig(partial: Partial<LoraConfig> = {}): LoraConfig {
  const c = { ...LORA_DEFAULTS, ...partial };
  const bad = (field: string, want: string, value: unknown) =>
    new RangeError(`LoRA ${field} must be ${want}, found ${JSON.stringify(value)}`);
  if (!Number.isInteger(c.rank) || c.rank < 1) throw bad("rank", "an integer >= 1", c.rank);
  if (!Number.isFinite(c.alpha) || c.alpha <= 0) throw bad("alpha", "a number > 0", c.alpha);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw bad("dropout", "in [0, 1)", c.dropout);
  if (c.targets.length === 0 || new Set(c.targets).size !== c.targets.length) {
    throw bad("targets", "a non-empty list without repeats", c.targets);
  }
  for (const t of c.targets) {
    if (!(LORA_TARGETS as readonly string[]).includes(t)) {
      throw bad("targets", `among ${LORA_TARGETS.join(", ")}`, t);
    }
  }
  // In LORA_TARGETS order, so the adapters' variable order does not depend on how they were listed.
  const targets = LORA_TARGETS.filter((t) => c.targets.includes(t));
  return { rank: c.rank, alpha: c.alpha, dropout: c.dropout, targets };
}

/** One adapted module: its full name, input and output sizes. */
export interface LoraModule {
  /** For example `model.layers.0.self_attn.q_proj`. */
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
}

/** The adapted modules of a model, layer by layer in `targets` order. */
export function loraModules(c: HfConfig, lora: LoraConfig): LoraModule[] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const dims: Readonly<Record<LoraTarget, readonly [number, number]>> = {
    q_proj: [c.hiddenSize, q],
    k_proj: [c.hiddenSize, kv],
    v_proj: [c.hiddenSize, kv],
    o_proj: [q, c.hiddenSize],
    gate_proj: [c.hiddenSize, c.intermediateSize],
    up_proj: [c.hiddenSize, c.intermediateSize],
    down_proj: [c.intermediateSize, c.hiddenSize],
  };
  const out: LoraModule[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    for (const t of lora.targets) {
      const [inDim, outDim] = dims[t];
      out.push({ name: `model.layers.${l}.${_BLOCK[t]}.${t}`, inDim, outDim });
    }
  }
  return out;
}

/** PEFT's tensor names of a module's `A` and `B`. */
export function peftTensorNames(module: string): { a: string; b: string } {
  const base = `base_model.model.${module}`;
  return { a: `${base}.lora_A.weight`, b: `${base}.lora_B.weight` };
}

/** A module's adapter weights. */
interface _Pair {
  readonly module: LoraModule;
  readonly a: tf.Variable; // [r, in]
  readonly b: tf.Variable; // [out, r]
}

/**
 * The LoRA weights of one model: trainable `A` and `B` per adapted module. Fresh adapters start
 * as PEFT's do: `A` Kaiming-uniform with `a = √5` (uniform in `±1/√in`, drawn from `seed`) and
 * `B = 0`, so the adapted model starts equal to the base.
 */
export class LoraAdapters {
  readonly config: LoraConfig;
  readonly #pairs: ReadonlyMap<string, _Pair>;

  private constructor(config: LoraConfig, pairs: Map<string, _Pair>) {
    this.config = config;
    this.#pairs = pairs;
  }

  /** Fresh adapters for `model` (see the class doc). */
  static create(model: HfConfig, lora: LoraConfig, seed: number): LoraAdapters {
    const values = new Map<string, F32Tensor>();
    for (const [i, m] of loraModules(model, lora).entries()) {
      const rand = mulberry32(mixSeed(seed, i));
      const bound = 1 / Math.sqrt(m.inDim);
      const a = new Float32Array(lora.rank * m.inDim).map(() => (2 * rand() - 1) * bound);
      const names = peftTensorNames(m.name);
      values.set(names.a, { shape: [lora.rank, m.inDim], data: a });
      values.set(names.b, {
        shape: [m.outDim, lora.rank],
        data: new Float32Array(m.outDim * lora.rank),
      });
    }
    return LoraAdapters.fromTensors(model, lora, values, "<fresh adapters>");
  }

  /** Adapters from PEFT-named tensors; a missing or misshapen tensor fails naming `source`. */
  static fromTensors(
    model: HfConfig,
    lora: LoraConfig,
    tensors: ReadonlyMap<
      string,
      { readonly shape: readonly number[]; readonly data: Float32Array }
    >,
    source: string,
  ): LoraAdapters {
    const pairs = new Map<string, _Pair>();
    for (const m of loraModules(model, lora)) {
      const names = peftTensorNames(m.name);
      const take = (name: string, shape: readonly number[]) => {
        const t = tensors.get(name);
        if (t === undefined) throw new ModelFileError(source, name, "missing");
        if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
          throw new ModelFileError(source, name, `shape [${t.shape}], expected [${shape}]`);
        }
        return tf.tidy(() => tf.variable(tf.tensor(t.data, [...shape]), true, _uniqueName(name)));
      };
      pairs.set(m.name, {
        module: m,
        a: take(names.a, [lora.rank, m.inDim]),
        b: take(names.b, [m.outDim, lora.rank]),
      });
    }
    return new LoraAdapters(lora, pairs);
  }

  /** Every `A` and `B`, module by module (the checkpoint order). */
  get variables(): tf.Variable[] {
    return [...this.#pairs.values()].flatMap((p) => [p.a, p.b]);
  }

  /** `[PEFT tensor name, variable]` of every `A` and `B`, in {@linkcode LoraAdapters.variables} order. */
  get named(): [string, tf.Variable][] {
    return [...this.#pairs.values()].flatMap((p) => {
      const names = peftTensorNames(p.module.name);
      return [[names.a, p.a], [names.b, p.b]] as [string, tf.Variable][];
    });
  }

  /** The `A` and `B` of layer `l`'s modules. */
  layerVariables(l: number): tf.Variable[] {
    const prefix = `model.layers.${l}.`;
    return [...this.#pairs.values()].filter((p) => p.module.name.startsWith(prefix))
      .flatMap((p) => [p.a, p.b]);
  }

  /** `alpha / rank`. */
  get scale(): number {
    return this.config.alpha / this.config.rank;
  }

  /**
   * The adapters as a {@link LinearAdapter}. While `training` with dropout, module `i`'s input
   * mask for part `p` of the batch is drawn from `mixSeed(seed, i, p)`, so a step's masks are a
   * pure function of its seed.
   */
  adapter(training = false, seed = 0): LinearAdapter {
    const index = new Map([...this.#pairs.keys()].map((k, i) => [k, i]));
    const rate = training ? this.config.dropout : 0;
    return {
      delta: (name, x, part = 0) => {
        const p = this.#pairs.get(name);
        if (p === undefined) return undefined;
        const mask = mixSeed(seed, index.get(name)!, part);
        const input = rate > 0 ? tf.dropout(x, rate, undefined, mask) : x;
        // Scaled at rank width: `[N, r]`, not `[N, out]` (up to 4,864 wide) twice per pass.
        const down = tf.mul(tf.matMul(input, p.a, false, true), this.scale) as tf.Tensor2D;
        return tf.matMul(down, p.b, false, true); // [N, out]
      },
    };
  }

  /** `scale · B·A` of each module, `[out, in]` (what merging adds to `W`). */
  async deltas(): Promise<Map<string, F32Tensor>> {
    const out = new Map<string, F32Tensor>();
    for (const [name, p] of this.#pairs) {
      const d = tf.tidy(() => tf.mul(tf.matMul(p.b, p.a), this.scale));
      out.set(name, { shape: d.shape, data: (await d.data()) as Float32Array });
      d.dispose();
    }
    return out;
  }

  /**
   * Writes PEFT's two files into `dir` (each atomically). `baseModel` is recorded as
   * `base_model_name_or_path`.
   */
  async save(dir: string, baseModel: string): Promise<void> {
    const tensors = new Map<string, F32Tensor>();
    for (const [name, v] of this.named) {
      tensors.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
    }
    await atomicWrite(
      join(dir, LORA_FILES.weights),
      encodeSafetensors(tensors, { format: "pt" }),
    );
    await atomicWrite(
      join(dir, LORA_FILES.config),
      JSON.stringify(peftAdapterConfig(this.config, baseModel), null, 2) + "\n",
    );
  }

  /** Reads adapters that PEFT (or {@linkcode LoraAdapters.save}) wrote into `dir`. */
  static async load(dir: string, model: HfConfig): Promise<LoraAdapters> {
    const configFile = join(dir, LORA_FILES.config);
    const lora = parsePeftAdapterConfig(await readModelJson(configFile), configFile);
    const weightsFile = join(dir, LORA_FILES.weights);
    const file = decodeSafetensors(await readFile(weightsFile), weightsFile);
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const [name, e] of file.tensors) {
      if (e.data === null) {
        throw new ModelFileError(weightsFile, name, `dtype ${e.dtype} is not a float type`);
      }
      tensors.set(name.replace(".default.weight", ".weight"), { shape: e.shape, data: e.data });
    }
    return LoraAdapters.fromTensors(model, lora, tensors, weightsFile);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

let _variables = 0;
/** A tfjs variable name (unique in the process, as tfjs requires) that still says what it is. */
function _uniqueName(name: string): string {
  return `lora/${name}#${++_variables}`;
}

/** The `adapter_config.json` PEFT writes for these adapters. */
export function peftAdapterConfig(lora: LoraConfig, baseModel: string): Record<string, unknown> {
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModel,
    r: lora.rank,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: [...lora.targets],
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: false,
    use_dora: false,
    init_lora_weights: true,
    inference_mode: true,
    modules_to_save: null,
    layers_to_transform: null,
  };
}

/**
 * Reads an `adapter_config.json`: a plain LoRA (no rsLoRA, DoRA, trained biases, saved modules
 * or per-layer ranks); anything else fails naming the file and the field.
 */
export function parsePeftAdapterConfig(raw: Record<string, unknown>, file: string): LoraConfig {
  const expect = (field: string, ok: (v: unknown) => boolean, want: string) => {
    if (!ok(raw[field])) {
      throw new ModelFileError(file, field, `${want}, found ${JSON.stringify(raw[field])}`);
    }
  };
  const absentOr = (value: unknown) => (v: unknown) => v === undefined || v === null || v === value;
  const absent = absentOr(undefined);
  const noneOrEmpty = (v: unknown) => absent(v) || Object.keys(v as object).length === 0;
  // The kit reads plain LoRA only; each other PEFT option is refused by name.
  const plain = "the kit reads plain LoRA adapters only";
  expect("peft_type", (v) => v === "LORA", 'the kit reads "LORA" adapters');
  expect("bias", absentOr("none"), 'the kit reads adapters with bias "none"');
  expect("use_rslora", absentOr(false), `${plain} (no rsLoRA scaling)`);
  expect("use_dora", absentOr(false), `${plain} (no DoRA)`);
  expect("fan_in_fan_out", absentOr(false), `${plain} (weights stored [out, in])`);
  expect("lora_bias", absentOr(false), `${plain} (no LoRA biases)`);
  expect("trainable_token_indices", absent, `${plain} (no trained token rows)`);
  expect("layer_replication", absent, `${plain} (no layer replication)`);
  expect("modules_to_save", absent, `${plain} (no saved full modules)`);
  expect("layers_to_transform", absent, `${plain} (every layer adapted)`);
  for (const field of ["rank_pattern", "alpha_pattern"]) {
    expect(field, noneOrEmpty, `${plain} (one rank and alpha for every module)`);
  }
  expect("target_modules", (v) => Array.isArray(v), `a list among ${LORA_TARGETS.join(", ")}`);
  try {
    return resolveLoraConfig({
      rank: raw.r as number,
      alpha: raw.lora_alpha as number,
      dropout: (raw.lora_dropout ?? 0) as number,
      targets: raw.target_modules as LoraTarget[],
    });
  } catch (e) {
    throw new ModelFileError(
      file,
      "r/lora_alpha/lora_dropout/target_modules",
      (e as Error).message,
    );
  }
}
