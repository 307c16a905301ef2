import assert from "node:assert/strict";
import { compile } from "vega-lite";
import { barWithCi, PAPER_CONFIG, VEGA_LITE_SCHEMA } from "../../lib/plot/mod.ts";

const ROWS = [
  { variant: "dpo", mean: 0.5, ciLow: 0.45, ciHigh: 0.55 },
  { variant: "target-dpo", mean: 0.6, ciLow: 0.52, ciHigh: 0.68 },
];

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("barWithCi: a bar layer on mean and an errorbar layer from ciLow to ciHigh", () => {
  const spec: Json = barWithCi(ROWS, { title: "Pass@1", yTitle: "pass@1" });
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  assert.equal(spec.title, "Pass@1");
  assert.equal(spec.config, PAPER_CONFIG);
  assert.equal(spec.config.font, "DejaVu Sans");
  assert.deepEqual(spec.data.values, ROWS);
  const [bar, err] = spec.layer;
  assert.equal(bar.mark.type, "bar");
  assert.equal(bar.encoding.y.field, "mean");
  assert.equal(bar.encoding.y.title, "pass@1");
  assert.equal(bar.encoding.color.legend, null); // x already names the variant
  assert.equal(err.mark.type, "errorbar");
  assert.equal(err.encoding.y.field, "ciLow");
  assert.equal(err.encoding.y2.field, "ciHigh");
  assert.equal(spec.encoding.x.field, "variant");
  assert.equal(spec.encoding.xOffset, undefined);
  // It compiles to Vega with one rule mark per whisker group (errorbar = rule + ticks).
  const vg = JSON.stringify(compile(spec).spec);
  assert.ok(vg.includes('"type":"rule"'));
  assert.ok(vg.includes('datum[\\"ciLow\\"]') && vg.includes('datum[\\"ciHigh\\"]'));
});

Deno.test("barWithCi: groups go on x, variants side by side with a legend", () => {
  const rows = [
    { ...ROWS[0], group: "HumanEval" },
    { ...ROWS[1], group: "HumanEval" },
    { ...ROWS[0], group: "MBPP" },
  ];
  const spec: Json = barWithCi(rows, {
    title: "t",
    yTitle: "pass@1",
    yDomain: [0, 1],
    yFormat: ".0%",
  });
  assert.equal(spec.encoding.x.field, "group");
  assert.equal(spec.encoding.x.title, "Group");
  assert.deepEqual(spec.encoding.xOffset, {
    field: "variant",
    type: "nominal",
    sort: ["dpo", "target-dpo"],
  });
  assert.deepEqual(spec.layer[0].encoding.color.legend, {});
  assert.deepEqual(spec.layer[0].encoding.y.scale, { domain: [0, 1], zero: true });
  assert.deepEqual(spec.layer[0].encoding.y.axis, { format: ".0%" });
});

Deno.test("barWithCi: rejects a missing group and a non-finite mean, naming the row", () => {
  assert.throws(
    () => barWithCi([{ ...ROWS[0], group: "a" }, ROWS[1]], { title: "t", yTitle: "y" }),
    /row 1 \(variant "target-dpo"\) has none/,
  );
  assert.throws(
    () => barWithCi([ROWS[0], { ...ROWS[1], mean: NaN }], { title: "t", yTitle: "y" }),
    /finite number in field "mean" of row 1, found NaN/,
  );
});
