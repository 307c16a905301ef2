import assert from "node:assert/strict";
import { _integerTicks } from "../../lib/plot/training_curves.ts";
import { compile } from "vega-lite";
import { passRateByIteration, sweepChart, trainingCurves } from "../../lib/plot/mod.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("sweepChart: error band from ciLow to ciHigh under a mean line, log x", () => {
  const rows = [0.01, 0.1, 1].flatMap((x, i) => [
    { x, mean: 0.4 + i / 10, ciLow: 0.35 + i / 10, ciHigh: 0.45 + i / 10, series: "dpo" },
    { x, mean: 0.5 + i / 10, ciLow: 0.45 + i / 10, ciHigh: 0.55 + i / 10, series: "target" },
  ]);
  const spec: Json = sweepChart(rows, {
    title: "β sweep",
    xTitle: "β",
    yTitle: "pass@1",
    xScale: "log",
  });
  const [band, line] = spec.layer;
  assert.equal(band.mark.type, "errorband");
  assert.equal(band.encoding.y.field, "ciLow");
  assert.equal(band.encoding.y2.field, "ciHigh");
  assert.equal(line.mark.type, "line");
  assert.equal(line.mark.point, true);
  assert.equal(line.encoding.y.field, "mean");
  assert.equal(spec.encoding.x.scale.type, "log");
  assert.deepEqual(spec.encoding.x.axis.values, [0.01, 0.1, 1]);
  assert.deepEqual(spec.encoding.color.sort, ["dpo", "target"]);
  compile(spec);
  assert.throws(
    () =>
      sweepChart([{ ...rows[0], x: 0 }], { title: "t", xTitle: "k", yTitle: "y", xScale: "log" }),
    /log x axis needs x > 0, found 0 in row 0/,
  );
});

Deno.test("sweepChart: a fixed y domain clips the bands; one series has no legend, two a stroke legend", () => {
  const rows = [1, 2].map((x) => ({ x, mean: 5, ciLow: -20, ciHigh: 130, series: "only" }));
  const one: Json = sweepChart(rows, {
    title: "t",
    xTitle: "k",
    yTitle: "pass@1 (%)",
    yDomain: [0, 100],
  });
  assert.deepEqual(one.data.values.map((r: Json) => [r.ciLow, r.ciHigh, r.mean]), [[0, 100, 5], [
    0,
    100,
    5,
  ]]);
  assert.deepEqual(one.layer[1].encoding.y.scale.domain, [0, 100]);
  assert.equal(one.encoding.color.legend, null);
  const two: Json = sweepChart([...rows, { ...rows[0], series: "other" }], {
    title: "t",
    xTitle: "k",
    yTitle: "y",
    seriesTitle: "Method",
  });
  assert.equal(two.encoding.color.title, "Method");
  assert.equal(two.encoding.color.legend.symbolType, "stroke");
  assert.equal(two.data.values[0].ciLow, -20, "no domain: no clipping");
  compile(one);
});

Deno.test("trainingCurves: one panel per metric in first-seen order, independent y", () => {
  const rows = [
    { step: 0, value: 0.69, series: "dpo", metric: "loss" },
    { step: 0, value: 0, series: "dpo", metric: "rewards/margins" },
    { step: 10, value: 0.5, series: "dpo", metric: "loss" },
  ];
  const spec: Json = trainingCurves(rows, { title: "Training", columns: 2 });
  assert.deepEqual(spec.facet.sort, ["loss", "rewards/margins"]);
  assert.equal(spec.columns, 2);
  assert.equal(spec.resolve.scale.y, "independent");
  assert.equal(spec.spec.encoding.x.field, "step");
  assert.equal(spec.spec.layer[0].encoding.y.field, "value");
  assert.equal(spec.spec.width, 170);
  assert.deepEqual(spec.spec.encoding.x.axis.values, [0, 2, 4, 6, 8, 10]);
  assert.equal(spec.spec.layer.length, 1, "no band without low/high");
  compile(spec);
  const banded: Json = trainingCurves(
    rows.map((r) => ({ ...r, low: r.value - 0.1, high: r.value })),
    {
      title: "Training",
      metricTitles: { loss: "Loss" },
    },
  );
  assert.deepEqual(banded.facet.sort, ["Loss", "rewards/margins"]);
  assert.equal(banded.spec.layer[0].mark.type, "area");
  assert.equal(banded.spec.layer[0].encoding.y2.field, "high");
  compile(banded);
});

Deno.test("_integerTicks: whole steps, at most six, spaced 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual(_integerTicks(1, 3), [1, 2, 3]);
  assert.deepEqual(_integerTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(_integerTicks(1, 800), [200, 400, 600, 800]);
  assert.deepEqual(_integerTicks(5, 5), [5]);
});

Deno.test("passRateByIteration: percent axis on [0, 1], labels only for one series", () => {
  const paper = [{ iteration: 0, passRate: 0.367, series: "paper" }, {
    iteration: 5,
    passRate: 0.675,
    series: "paper",
  }];
  const one: Json = passRateByIteration(paper, { title: "Figure 6" });
  assert.deepEqual(one.encoding.y.scale.domain, [0, 1]);
  assert.equal(one.encoding.y.axis.format, ".0%");
  assert.deepEqual(one.encoding.x.axis.values, [0, 5]);
  assert.deepEqual(one.encoding.x.scale.domain, [-0.3, 5.3]);
  assert.equal(one.layer.length, 2);
  assert.equal(one.layer[1].encoding.text.format, ".1%");
  const two: Json = passRateByIteration(
    [...paper, { iteration: 0, passRate: 0.3, series: "miniflow" }],
    { title: "Figure 6" },
  );
  assert.equal(two.layer.length, 1);
  compile(one);
  assert.throws(
    () => passRateByIteration([{ iteration: 1.5, passRate: 0.5, series: "a" }], { title: "t" }),
    /non-negative integer iteration, found 1.5 in row 0/,
  );
  assert.throws(
    () => passRateByIteration([{ iteration: 1, passRate: 67.5, series: "a" }], { title: "t" }),
    /passRate in \[0, 1\], found 67.5 in row 0/,
  );
});

Deno.test("trainingCurves: smoothing draws a centred moving average over the faint raw line", () => {
  const rows = [0, 1, 2, 3, 4].map((step) => ({
    step,
    value: step % 2,
    series: "dpo",
    metric: "loss",
  }));
  const raw: Json = trainingCurves(rows, { title: "t" });
  assert.equal(raw.spec.layer.length, 1);
  const spec: Json = trainingCurves(rows, { title: "t", smoothing: 3 });
  const [faint, smooth] = spec.spec.layer;
  assert.equal(faint.mark.opacity, 0.25);
  assert.deepEqual(smooth.transform[0].frame, [-1, 1]);
  assert.deepEqual(smooth.transform[0].groupby, ["series"]);
  assert.equal(smooth.encoding.y.field, "smoothed");
  compile(spec);
  assert.throws(
    () => trainingCurves(rows, { title: "t", smoothing: 0 }),
    /smoothing must be an integer >= 1, found 0/,
  );
});
