import assert from "node:assert/strict";
import { curveRows, studyPlotSpecs, summarizeResults } from "../../lib/experiment/mod.ts";

const variants = [{ id: "a", label: "A" }, { id: "b", label: "B" }];

Deno.test("summarizeResults: per-variant mean and Student-t CI, empty until a seed finishes", () => {
  const r = (variant: string, seed: number, acc: number) => ({ variant, seed, metrics: { acc } });
  const rows = summarizeResults(variants, [{ key: "acc" }], [r("a", 0, 0.5), r("a", 1, 0.7)]);
  assert.equal(rows[0].n, 2);
  assert.equal(rows[0].metrics.acc.mean.toFixed(10), "0.6000000000");
  // std = 0.1414, t(0.975, 1) = 12.706 -> 12.706 * 0.1414 / sqrt(2) = 1.2706
  assert.equal(rows[0].metrics.acc.halfWidth.toFixed(4), "1.2706");
  assert.deepEqual(rows[1], { variant: "b", label: "B", n: 0, metrics: {} });
});

Deno.test("curveRows averages a step's metrics over seeds, with their range, per variant label", () => {
  const rec = (variant: string, seed: number, step: number, loss: number) => ({
    taskId: `${variant}/${seed}`,
    variant,
    seed,
    step,
    loss,
    note: "x",
  });
  assert.deepEqual(
    curveRows(variants, [
      rec("a", 0, 0, 1),
      rec("a", 1, 0, 3),
      rec("b", 0, 0, 5),
      rec("a", 0, 1, 0.5),
    ]),
    [
      { series: "A", metric: "loss", step: 0, value: 2, low: 1, high: 3 },
      { series: "B", metric: "loss", step: 0, value: 5, low: 5, high: 5 },
      { series: "A", metric: "loss", step: 1, value: 0.5, low: 0.5, high: 0.5 },
    ],
  );
  assert.deepEqual(curveRows(variants, [{ taskId: "a/0", variant: "a", seed: 0, acc: 1 }]), []);
});

Deno.test("studyPlotSpecs scales metrics like the table and skips variants without results", () => {
  const s = { n: 2, mean: 0.25, std: 0.1, halfWidth: 0.5, ciLow: -0.25, ciHigh: 0.75 };
  const specs = studyPlotSpecs({
    study: "s",
    variants,
    metrics: [{ key: "rewards/margins", title: "margin (%)", scale: 100 }],
    plots: [{ kind: "bar", metric: "rewards/margins" }],
    summary: [
      { variant: "a", label: "A", n: 2, metrics: { "rewards/margins": s } },
      { variant: "b", label: "B", n: 0, metrics: {} },
    ],
  });
  assert.equal(specs[0].name, "bar_rewards_margins");
  const data = (specs[0].spec as { data: { values: unknown[] } }).data.values;
  assert.deepEqual(data, [{ variant: "A", mean: 25, ciLow: -25, ciHigh: 75, seeds: [] }]);
});

Deno.test("studyPlotSpecs: each bar's seeds as dots (scaled), curve panels with readable titles", () => {
  const s = { n: 2, mean: 0.25, std: 0.1, halfWidth: 0.5, ciLow: 0, ciHigh: 0.75 };
  const result = (seed: number, acc: number) => ({
    schema: "experiment.result/v1" as const,
    taskId: `a/${seed}`,
    study: "s",
    variant: "a",
    seed,
    metrics: { acc },
    configHash: "h",
    gitCommit: "c",
    gitDirty: false,
    wallMs: 1,
    finishedAt: "",
  });
  const [bar, curves] = studyPlotSpecs({
    study: "s",
    variants,
    metrics: [{ key: "acc", scale: 100 }],
    plots: [{ kind: "bar", metric: "acc" }],
    summary: [{ variant: "a", label: "A", n: 2, metrics: { acc: s } }],
    results: [result(0, 0.2), result(1, 0.3)],
    curves: [{ taskId: "a/0", variant: "a", seed: 0, step: 1, "rewards/margins": 0.1 }],
    curveTitles: { "rewards/margins": "Reward margin" },
  }) as unknown as [
    { spec: { layer: { data?: { values: unknown[] }; mark: { type: string } }[] } },
    { spec: { facet: { sort: string[] }; data: { values: { panel: string }[] } } },
  ];
  const dots = bar.spec.layer.find((l) => l.mark.type === "point");
  assert.deepEqual(dots?.data?.values, [
    { variant: "A", group: undefined, value: 20 },
    { variant: "A", group: undefined, value: 30 },
  ]);
  assert.deepEqual(curves.spec.facet.sort, ["Reward margin"]);
  assert.equal(curves.spec.data.values[0].panel, "Reward margin");
});

Deno.test("studyPlotSpecs: a bounded metric's bars get its axis, whiskers clipped to the range", () => {
  const s = { n: 2, mean: 0.25, std: 0.1, halfWidth: 0.5, ciLow: -0.25, ciHigh: 0.75 };
  const specs = studyPlotSpecs({
    study: "s",
    variants,
    metrics: [{ key: "pass@1", title: "pass@1 (%)", scale: 100, range: [0, 100] }],
    plots: [{ kind: "bar", metric: "pass@1" }],
    summary: [{ variant: "a", label: "A", n: 2, metrics: { "pass@1": s } }],
  });
  const spec = specs[0].spec as {
    data: { values: unknown[] };
    layer: { encoding: { y: { scale?: { domain?: number[] } } } }[];
  };
  assert.deepEqual(spec.data.values, [{ variant: "A", mean: 25, ciLow: 0, ciHigh: 75, seeds: [] }]);
  assert.deepEqual(spec.layer[0].encoding.y.scale?.domain, [0, 100]);
});
