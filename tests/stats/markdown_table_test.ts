import assert from "node:assert/strict";
import { formatMeanCi, markdownTable, summarize } from "../../lib/stats/mod.ts";

Deno.test("markdownTable: headers, default alignment and number formatting", () => {
  const md = markdownTable(
    [{ variant: "dpo", pass: 0.5, n: 3 }, { variant: "target-dpo", pass: 0.625, n: 3 }],
    ["variant", { key: "pass", header: "pass@1" }, "n"],
  );
  assert.equal(
    md,
    [
      "| variant | pass@1 | n |",
      "| :--- | ---: | ---: |",
      "| dpo | 0.500 | 3 |",
      "| target-dpo | 0.625 | 3 |",
    ].join("\n"),
  );
});

Deno.test("markdownTable: escapes pipes and newlines, custom format and align", () => {
  const rows = [{ name: "a|b\nc", s: summarize([1, 2, 3]), missing: undefined }];
  const md = markdownTable(rows, [
    { key: "name", align: "center" },
    {
      key: "s",
      header: "mean ± CI",
      format: (s) => formatMeanCi(s as ReturnType<typeof summarize>),
    },
    "missing",
  ]);
  assert.equal(
    md,
    "| name | mean ± CI | missing |\n| :---: | :--- | :--- |\n| a\\|b<br>c | 2.000 ± 2.484 |  |",
  );
});

Deno.test("markdownTable: no rows gives header only; no columns throws", () => {
  assert.equal(markdownTable<{ a: number }>([], ["a"]), "| a |\n| :--- |");
  assert.throws(() => markdownTable([{ a: 1 }], []), /at least one column/);
});
