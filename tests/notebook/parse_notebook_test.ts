import assert from "node:assert/strict";
import {
  assertNotebookHasTable,
  notebookCharts,
  notebookTables,
  parseNotebook,
} from "../../testing/notebook/mod.ts";

const NB = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# t\n", "x"] },
    {
      cell_type: "code",
      metadata: {},
      execution_count: 1,
      source: "show()",
      outputs: [
        { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
        {
          output_type: "display_data",
          metadata: {},
          data: {
            "text/markdown": ["| a |\n", "| --- |\n", "| 1 |"],
            "application/vnd.vegalite.v6+json": { mark: "bar" },
            "text/plain": "chart",
          },
        },
        {
          output_type: "error",
          ename: "TypeError",
          evalue: "boom",
          traceback: ["\u001b[31mTypeError\u001b[0m: boom", "    at <anonymous>:1:1"],
        },
      ],
    },
  ],
};

Deno.test("parseNotebook: joins text, keeps JSON, strips ANSI from tracebacks", () => {
  const p = parseNotebook(JSON.stringify(NB), "x.ipynb");
  assert.deepEqual(p.cells.map((c) => [c.index, c.cellType, c.source, c.executionCount]), [
    [0, "markdown", "# t\nx", null],
    [1, "code", "show()", 1],
  ]);
  assert.equal(p.outputs.length, 3);
  assert.equal(p.outputs[0].text, "a\nb\n");
  assert.equal(p.outputs[1].data["text/markdown"], "| a |\n| --- |\n| 1 |");
  assert.deepEqual(p.outputs[1].data["application/vnd.vegalite.v6+json"], { mark: "bar" });
  assert.deepEqual(p.errors, [{
    cellIndex: 1,
    ename: "TypeError",
    evalue: "boom",
    traceback: ["TypeError: boom", "    at <anonymous>:1:1"],
  }]);
  assert.deepEqual(notebookCharts(p).map((c) => [c.cellIndex, c.mime]), [[
    1,
    "application/vnd.vegalite.v6+json",
  ]]);
  assert.deepEqual(notebookTables(p).map((t) => t.mime), ["text/markdown"]);
});

Deno.test("parseNotebook: names the file and cell of malformed input", () => {
  assert.throws(() => parseNotebook("{", "bad.ipynb"), /bad\.ipynb is not JSON/);
  assert.throws(
    () => parseNotebook(JSON.stringify({ nbformat: 3, cells: [] }), "old.ipynb"),
    /nbformat 4 notebook .* in old\.ipynb, found nbformat 3/,
  );
  assert.throws(
    () =>
      parseNotebook(
        JSON.stringify({ nbformat: 4, cells: [{ cell_type: "code" }, { cell_type: "sql" }] }),
        "c.ipynb",
      ),
    /cell 1 of c\.ipynb .*found "sql"/,
  );
});

Deno.test("notebookTables: markdown without a rule row is not a table", () => {
  const outputs = [{
    cellIndex: 0,
    outputType: "display_data" as const,
    text: "",
    name: "",
    data: { "text/markdown": "| just pipes |", "text/html": "<p>tablet</p>" },
  }];
  assert.deepEqual(notebookTables({ outputs }), []);
  assert.throws(
    () => assertNotebookHasTable({ outputs, sourcePath: "n.ipynb" }),
    /n\.ipynb: expected a table .*found cell 0: display_data \[text\/markdown, text\/html\]/,
  );
});
