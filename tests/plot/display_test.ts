import assert from "node:assert/strict";
import {
  chartBundle,
  displayChart,
  displayHtml,
  displayTable,
  htmlBundle,
  inJupyter,
  markdownToHtml,
  tableBundle,
  VEGA_LITE_MIME,
} from "../../lib/plot/mod.ts";

Deno.test("chartBundle: vega-lite v5 MIME plus text/plain; optional SVG", () => {
  const spec = { title: "Loss", mark: "line" as const, data: { values: [] } };
  assert.equal(VEGA_LITE_MIME, "application/vnd.vegalite.v5+json");
  assert.deepEqual(chartBundle(spec), {
    [VEGA_LITE_MIME]: spec,
    "text/plain": "[Vega-Lite chart: Loss]",
  });
  const withImages = chartBundle(spec, { svg: "<svg/>", png: new Uint8Array([137, 80, 78, 71]) });
  assert.equal(withImages["image/svg+xml"], "<svg/>");
  assert.equal(withImages["image/png"], "iVBORw==");
  assert.equal(
    chartBundle({ mark: "point", data: { values: [] } })["text/plain"],
    "[Vega-Lite chart: untitled]",
  );
});

Deno.test("tableBundle: markdown + html + plain, from rows or from markdown", () => {
  const b = tableBundle({ rows: [{ variant: "a|b", pass: 0.5 }] });
  assert.equal(b["text/markdown"], "| variant | pass |\n| :--- | ---: |\n| a\\|b | 0.500 |");
  assert.equal(b["text/plain"], b["text/markdown"]);
  assert.equal(
    b["text/html"],
    "<table>\n<thead>\n<tr>\n" +
      '<th align="left">variant</th>\n<th align="right">pass</th>\n' +
      "</tr>\n</thead>\n<tbody><tr>\n" +
      '<td align="left">a|b</td>\n<td align="right">0.500</td>\n' +
      "</tr>\n</tbody></table>\n",
  );
  const doc = tableBundle("# Results\n\nnothing yet\n\n| a |\n| --- |\n| 1 |");
  assert.equal(
    doc["text/html"],
    "<h1>Results</h1>\n<p>nothing yet</p>\n" +
      "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>1</td>\n</tr>\n</tbody></table>\n",
  );
  assert.throws(() => tableBundle({ rows: [] }), /expected columns or at least one row/);
});

Deno.test("markdownToHtml: escapes raw HTML in cells and text, keeps <br>", () => {
  const html = markdownToHtml("| code |\n| --- |\n| <script>x</script><br>y \\| z |");
  assert.ok(html.includes("<td>&lt;script&gt;x&lt;/script&gt;<br>y | z</td>"), html);
  assert.equal(
    markdownToHtml("<img src=x onerror=alert(1)>"),
    "&lt;img src=x onerror=alert(1)&gt;",
  );
});

Deno.test("htmlBundle: text fallback strips tags and decodes entities", () => {
  assert.deepEqual(htmlBundle("<div>a &lt;b&gt;</div><pre>x\n  y</pre>"), {
    "text/html": "<div>a &lt;b&gt;</div><pre>x\n  y</pre>",
    "text/plain": "a <b>\nx\n  y",
  });
  assert.equal(htmlBundle("<b>x</b>", "custom")["text/plain"], "custom");
});

Deno.test("display helpers outside Jupyter print the text fallback and do not throw", async () => {
  assert.equal(inJupyter(), false);
  const printed: string[] = [];
  const fallback = (t: string) => printed.push(t);
  await displayChart({ title: "Loss", mark: "line", data: { values: [] } }, { fallback });
  await displayTable("| a |\n| --- |\n| 1 |", { fallback });
  await displayTable([{ k: "v" }], { fallback, columns: [{ key: "k", header: "K" }] });
  await displayHtml("<p>hi &amp; bye</p>", { fallback });
  assert.deepEqual(printed, [
    "[Vega-Lite chart: Loss]",
    "| a |\n| --- |\n| 1 |",
    "| K |\n| :--- |\n| v |",
    "hi & bye",
  ]);
});

Deno.test("barWithCi: with a y domain the whiskers are clipped to it (a rate never goes below 0)", async () => {
  const { barWithCi } = await import("../../lib/plot/mod.ts");
  const spec = barWithCi([{ variant: "a", mean: 31.9, ciLow: -19.2, ciHigh: 83 }], {
    title: "t",
    yTitle: "pass@1 (%)",
    yDomain: [0, 100],
  });
  const row = (spec.data as { values: { ciLow: number; ciHigh: number }[] }).values[0];
  assert.deepEqual([row.ciLow, row.ciHigh], [0, 83]);
});
