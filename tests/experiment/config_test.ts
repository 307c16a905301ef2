import assert from "node:assert/strict";
import {
  canonicalJson,
  configDiff,
  configHash,
  resolveConfig,
  type Study,
  variantBase,
} from "../../lib/experiment/mod.ts";
import { _etaMs, _formatDuration } from "../../lib/experiment/_progress.ts";
import { TOY, type ToyBase, type ToyScale, type ToyVariant } from "./_toy_study.ts";

Deno.test("canonicalJson sorts keys at every depth and rejects non-JSON values by path", () => {
  assert.equal(
    canonicalJson({ z: { b: [1, { d: 2, c: 3 }], a: "x" }, y: null }),
    '{"y":null,"z":{"a":"x","b":[1,{"c":3,"d":2}]}}',
  );
  assert.throws(() => canonicalJson({ v: [0, { f: undefined }] }), {
    message: 'canonicalJson: at "v.1.f": expected a JSON value, found undefined',
  });
  assert.throws(() => canonicalJson({ d: new Date(0) }), {
    message: 'canonicalJson: at "d": expected a JSON value, found Date',
  });
  assert.throws(() => canonicalJson(Infinity), /at "<root>".*found Infinity/);
});

Deno.test("configHash: key order does not matter, any value does", () => {
  const a = resolveConfig(TOY, "smoke");
  const reordered = JSON.parse(canonicalJson(a));
  assert.equal(configHash(reordered), configHash(a));
  assert.notEqual(configHash(resolveConfig(TOY, "smoke", ["train.beta=0.1000001"])), configHash(a));
  assert.notEqual(configHash(resolveConfig(TOY, "paper")), configHash(a));
  assert.match(configHash(a), /^[0-9a-f]{8}$/);
});

Deno.test("configDiff lists differing leaves with both values", () => {
  assert.deepEqual(configDiff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: true }), [
    { key: "b.c.1", stored: 2, resolved: 3 },
    { key: "d", stored: undefined, resolved: true },
  ]);
  assert.deepEqual(configDiff({ a: { b: 1 } }, { a: { b: 1 } }), []);
  assert.deepEqual(configDiff({ a: [1] }, { a: { 0: 1 } }), [{
    key: "a",
    stored: [1],
    resolved: { 0: 1 },
  }]);
});

Deno.test("resolveConfig: preset seeds and scale, overrides of seeds, scale and base", () => {
  assert.deepEqual(
    resolveConfig(TOY, "paper", ["seeds=[7,8]", "scale.steps=4", "--train.loss=rpo"]),
    {
      study: "toy",
      preset: "paper",
      scale: { steps: 4 },
      seeds: [7, 8],
      variants: TOY.variants,
      base: { train: { beta: 0.1, loss: "rpo" } },
    },
  );
  assert.throws(() => resolveConfig(TOY, "paper", ["scale.step=4"]), {
    message: 'override "scale.step": unknown key "step" in scale (known: steps)',
  });
  assert.throws(
    () => resolveConfig(TOY, "paper", ["seeds=[1.5]"]),
    /non-negative integers, found 1.5/,
  );
  assert.throws(() => resolveConfig(TOY, "huge" as "paper"), {
    message: 'unknown preset "huge" (known: smoke, paper)',
  });
});

Deno.test("resolveConfig checks the study: ids, metrics named by plots, sweep fields", () => {
  const bad = (patch: Partial<Study<ToyVariant, ToyScale, ToyBase>>) => ({ ...TOY, ...patch });
  assert.throws(
    () => resolveConfig(bad({ variants: [TOY.variants[0], TOY.variants[0]] }), "smoke"),
    {
      message: 'study "toy": duplicate variant id "a"',
    },
  );
  assert.throws(
    () => resolveConfig(bad({ variants: [{ id: "a/b", label: "", gain: 1 }] }), "smoke"),
    {
      message: 'study "toy": variant id "a/b" is not letters, digits, ".", "_" or "-"',
    },
  );
  assert.throws(() => resolveConfig(bad({ plots: [{ kind: "bar", metric: "loss" }] }), "smoke"), {
    message: 'study "toy": bar plot names metric "loss" (metrics: acc)',
  });
  assert.throws(
    () =>
      resolveConfig(
        bad({ plots: [{ kind: "sweep", metric: "acc", field: "label", xTitle: "x" }] }),
        "smoke",
      ),
    {
      message: 'study "toy": sweep field "label" of variant "a": expected a number, found "Alpha"',
    },
  );
  assert.throws(
    () =>
      resolveConfig(
        bad({ plots: [{ kind: "sweep", metric: "acc", field: "lambda", xTitle: "λ" }] }),
        "smoke",
      ),
    { message: 'study "toy": sweep field "lambda" is in no variant' },
  );
  assert.throws(
    () => resolveConfig({ ...TOY, base: { seeds: 1 } } as unknown as typeof TOY, "smoke"),
    {
      message: 'study "toy": base must not have a key "seeds" (it addresses the preset)',
    },
  );
});

Deno.test("variantBase applies the variant's set to the base only", () => {
  const config = resolveConfig(TOY, "smoke", ["train.beta=0.3"]);
  assert.deepEqual(variantBase(config.base, config.variants[1]), {
    train: { beta: 0.3, loss: "target-dpo" },
  });
  assert.deepEqual(variantBase(config.base, config.variants[0]), {
    train: { beta: 0.3, loss: "dpo" },
  });
  assert.throws(
    () => variantBase(config.base, { id: "v", label: "", set: { "train.beta": "high" } }),
    {
      message:
        'variant "v": override "train.beta": expected number (like 0.3), found string "high"',
    },
  );
});

Deno.test("progress: durations and ETA from finished cells or the cell's fraction", () => {
  assert.equal(_formatDuration(12_345), "12.3s");
  assert.equal(_formatDuration(245_000), "4m05s");
  assert.equal(_formatDuration(3_720_000), "1h02m");
  assert.equal(_formatDuration(NaN), "?");
  // mean of finished cells 200 ms: half of the current cell (100) + 2 cells (400)
  assert.equal(
    _etaMs({
      finishedWallMs: [100, 300],
      cellsAfterCurrent: 2,
      currentElapsedMs: 0,
      currentFraction: 0.5,
    }),
    500,
  );
  // no finished cell: 50 ms for a quarter -> 200 ms per cell: 150 left + 1 cell
  assert.equal(
    _etaMs({
      finishedWallMs: [],
      cellsAfterCurrent: 1,
      currentElapsedMs: 50,
      currentFraction: 0.25,
    }),
    350,
  );
  assert.ok(
    Number.isNaN(
      _etaMs({
        finishedWallMs: [],
        cellsAfterCurrent: 3,
        currentElapsedMs: 9,
        currentFraction: null,
      }),
    ),
  );
});
