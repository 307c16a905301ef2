import assert from "node:assert/strict";
import { titledSpec } from "../../lib/plot/titled_spec.ts";

Deno.test("titledSpec: string, object and missing titles get the label; input untouched", () => {
  const spec = { title: "pass@1 test (%)", mark: "bar" as const, data: { values: [] } };
  const out = titledSpec(spec, "MiniFlow (offline teacher)");
  assert.equal(out.title, "pass@1 test (%) — MiniFlow (offline teacher)");
  assert.equal((out as { mark?: string }).mark, "bar");
  assert.equal(spec.title, "pass@1 test (%)");
  assert.deepEqual(
    titledSpec(
      { title: { text: ["a", "b"], anchor: "start" }, mark: "bar", data: { values: [] } },
      "c",
    ).title,
    {
      text: "a b — c",
      anchor: "start",
    },
  );
  assert.equal(titledSpec({ mark: "point", data: { values: [] } }, "only").title, "only");
});

Deno.test("titledSpec: a title of another shape is rejected, naming it", () => {
  assert.throws(
    () => titledSpec({ title: 3 } as never, "x"),
    /titledSpec: expected the spec's title to be a string or \{ text \}, found 3/,
  );
});
