/**
 * Resolve a study, a preset and `--key=value` overrides into one {@linkcode ExperimentConfig}.
 *
 * @module
 */
import { canonicalJson } from "./canonical_json.ts";
import { applyOverrides, type Json } from "./overrides.ts";
import { type ExperimentConfig, type Scale, type Study, type Variant } from "./types.ts";
import { PRESET_NAMES, type PresetName } from "../core/mod.ts";

const _NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The overrides of a variant's `set` as `key=value` strings for {@linkcode applyOverrides}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { variantOverrides } from "./resolve_config.ts";
 * assert.deepEqual(variantOverrides({ id: "a", label: "A", set: { "train.loss": "dpo" } }), [
 *   'train.loss="dpo"',
 * ]);
 * ```
 */
export function variantOverrides(variant: Variant): string[] {
  return Object.entries(variant.set ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/**
 * `config.base` with the variant's `set` differences applied: the per-cell base a cell trains
 * with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { variantBase } from "./resolve_config.ts";
 * const base = { train: { beta: 0.1, loss: "dpo" } };
 * const v = { id: "b", label: "β=0.5", set: { "train.beta": 0.5 } };
 * assert.deepEqual(variantBase(base, v), { train: { beta: 0.5, loss: "dpo" } });
 * ```
 */
export function variantBase<B extends object>(base: B, variant: Variant): B {
  try {
    return applyOverrides(base, variantOverrides(variant));
  } catch (e) {
    throw new Error(`variant "${variant.id}": ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Resolve the config of a run: the preset's seeds and scale, the study's variants and base, then
 * the overrides. An override addresses `seeds`, `scale.<knob>` or a key of `base` (for example
 * `train.beta=0.2`); an unknown key fails, naming it and the known keys. The study itself is
 * checked too: names, unique variant ids, variants' `set` keys, metrics named by plots, numeric
 * sweep fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./resolve_config.ts";
 * const study = {
 *   name: "demo", description: "", metrics: [{ key: "acc" }], plots: [],
 *   variants: [{ id: "a", label: "A" }],
 *   presets: { smoke: { seeds: [0], scale: { steps: 2 } }, paper: { seeds: [0, 1], scale: { steps: 9 } } },
 *   base: { train: { beta: 0.1 } },
 * };
 * const c = resolveConfig(study, "smoke", ["train.beta=0.2", "scale.steps=3"]);
 * assert.deepEqual(c.base, { train: { beta: 0.2 } });
 * assert.deepEqual(c.scale, { steps: 3 });
 * assert.throws(() => resolveConfig(study, "smoke", ["train.bta=1"]), /unknown key "bta"/);
 * ```
 */
export function resolveConfig<V extends Variant, S extends Scale, B extends object>(
  study: Study<V, S, B>,
  preset: PresetName,
  overrides: readonly string[] = [],
): ExperimentConfig<V, S, B> {
  _checkStudy(study);
  if (!PRESET_NAMES.includes(preset)) {
    throw new Error(`unknown preset "${preset}" (known: ${PRESET_NAMES.join(", ")})`);
  }
  const p = study.presets[preset];
  const root = { seeds: [...p.seeds], scale: { ...p.scale }, ...study.base };
  const resolved = applyOverrides(root, overrides);
  const { seeds, scale, ...base } = resolved;
  _checkSeeds(seeds, `study "${study.name}" preset "${preset}"`);
  const config: ExperimentConfig<V, S, B> = {
    study: study.name,
    preset,
    scale: scale as S,
    seeds,
    variants: structuredClone(study.variants),
    base: base as unknown as B,
  };
  for (const v of config.variants) variantBase(config.base, v);
  canonicalJson(config); // throws, naming the path, on anything that is not JSON
  return config;
}

function _checkSeeds(seeds: readonly number[], where: string): void {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new Error(
      `${where}: expected a non-empty array of seeds, found ${JSON.stringify(seeds)}`,
    );
  }
  const bad = seeds.find((s) => !Number.isInteger(s) || s < 0);
  if (bad !== undefined) {
    throw new Error(`${where}: expected seeds to be non-negative integers, found ${bad}`);
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new Error(`${where}: expected distinct seeds, found ${JSON.stringify(seeds)}`);
  }
}

function _checkStudy<V extends Variant, S extends Scale, B extends object>(
  study: Study<V, S, B>,
): void {
  const s = `study "${study.name}"`;
  if (!_NAME.test(study.name)) {
    throw new Error(`${s}: expected a name of letters, digits, ".", "_" or "-"`);
  }
  for (const reserved of ["seeds", "scale"]) {
    if (reserved in study.base) {
      throw new Error(`${s}: base must not have a key "${reserved}" (it addresses the preset)`);
    }
  }
  if (study.variants.length === 0) throw new Error(`${s}: expected at least one variant`);
  const ids = new Set<string>();
  for (const v of study.variants) {
    if (!_NAME.test(v.id)) {
      throw new Error(
        `${s}: variant id ${JSON.stringify(v.id)} is not letters, digits, ".", "_" or "-"`,
      );
    }
    if (ids.has(v.id)) throw new Error(`${s}: duplicate variant id "${v.id}"`);
    ids.add(v.id);
  }
  if (study.metrics.length === 0) throw new Error(`${s}: expected at least one metric`);
  const metrics = new Set(study.metrics.map((m) => m.key));
  if (metrics.size !== study.metrics.length) throw new Error(`${s}: duplicate metric keys`);
  for (const plot of study.plots) {
    if (!metrics.has(plot.metric)) {
      throw new Error(
        `${s}: ${plot.kind} plot names metric "${plot.metric}" (metrics: ${
          [...metrics].join(", ")
        })`,
      );
    }
    switch (plot.kind) {
      case "bar":
        break;
      case "sweep":
        if (study.variants.every((v) => !(plot.field in v))) {
          throw new Error(`${s}: sweep field "${plot.field}" is in no variant`);
        }
        for (const v of study.variants) {
          const x = (v as unknown as Record<string, Json>)[plot.field];
          if (x === undefined) continue; // drawn as a horizontal reference (e.g. SFT)
          if (typeof x !== "number" || !Number.isFinite(x)) {
            throw new Error(
              `${s}: sweep field "${plot.field}" of variant "${v.id}": expected a number, found ${
                JSON.stringify(x)
              }`,
            );
          }
          if (plot.seriesField !== undefined && !(plot.seriesField in v)) {
            throw new Error(
              `${s}: sweep series field "${plot.seriesField}" missing in variant "${v.id}"`,
            );
          }
        }
        break;
      default: {
        const never: never = plot;
        throw new Error(`${s}: unknown plot kind ${JSON.stringify(never)}`);
      }
    }
  }
}
