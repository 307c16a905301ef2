/**
 * Find tables and Vega-Lite charts among an executed notebook's outputs, and assert them.
 *
 * @module
 */
import type { ExecuteNotebookResult, NotebookOutput } from "./types.ts";

/** A table output: markdown pipe table or HTML `<table>`. */
export interface FoundTable {
  readonly cellIndex: number;
  readonly mime: "text/markdown" | "text/html";
  readonly text: string;
}

/** A Vega-Lite chart output. */
export interface FoundChart {
  readonly cellIndex: number;
  /** `application/vnd.vegalite.v5+json` or `application/vnd.vegalite.v6+json`. */
  readonly mime: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

const _VEGA_LITE = /^application\/vnd\.vegalite\.v[56]\+json$/;
/** A header row, then a rule row such as `| :--- | ---: |`. */
const _MD_TABLE = /^\s*\|.*\|\s*\n\s*\|(\s*:?-+:?\s*\|)+\s*$/m;

type _HasOutputs = Pick<ExecuteNotebookResult, "outputs">;

/**
 * Tables displayed by the notebook: `text/markdown` outputs holding a pipe table and
 * `text/html` outputs holding a `<table>`.
 *
 * @example
 * ```ts
 * import { notebookTables } from "./notebook_assertions.ts";
 * import assert from "node:assert/strict";
 * const found = notebookTables({ outputs: [{
 *   cellIndex: 2, outputType: "display_data", text: "", name: "",
 *   data: { "text/markdown": "| a |\n| --- |\n| 1 |" },
 * }] });
 * assert.deepEqual(found.map((t) => [t.cellIndex, t.mime]), [[2, "text/markdown"]]);
 * ```
 */
export function notebookTables(result: _HasOutputs): FoundTable[] {
  const found: FoundTable[] = [];
  for (const o of result.outputs) {
    const md = o.data["text/markdown"];
    if (typeof md === "string" && _MD_TABLE.test(md)) {
      found.push({ cellIndex: o.cellIndex, mime: "text/markdown", text: md });
    }
    const html = o.data["text/html"];
    if (typeof html === "string" && /<table[\s>]/i.test(html)) {
      found.push({ cellIndex: o.cellIndex, mime: "text/html", text: html });
    }
  }
  return found;
}

/**
 * Vega-Lite charts displayed by the notebook (v5 or v6 MIME type, spec an object).
 *
 * @example
 * ```ts
 * import { notebookCharts } from "./notebook_assertions.ts";
 * import assert from "node:assert/strict";
 * const found = notebookCharts({ outputs: [{
 *   cellIndex: 1, outputType: "display_data", text: "", name: "",
 *   data: { "application/vnd.vegalite.v6+json": { mark: "bar" } },
 * }] });
 * assert.equal(found[0].spec.mark, "bar");
 * ```
 */
export function notebookCharts(result: _HasOutputs): FoundChart[] {
  const found: FoundChart[] = [];
  for (const o of result.outputs) {
    for (const [mime, spec] of Object.entries(o.data)) {
      if (_VEGA_LITE.test(mime) && typeof spec === "object" && spec !== null) {
        found.push({ cellIndex: o.cellIndex, mime, spec: spec as Record<string, unknown> });
      }
    }
  }
  return found;
}

/** Lists each output as `cell N: type [mimes]`, for failure messages. */
function _describe(outputs: readonly NotebookOutput[]): string {
  if (outputs.length === 0) return "no outputs at all";
  return outputs.map((o) =>
    `cell ${o.cellIndex}: ${o.outputType}` +
    (Object.keys(o.data).length ? ` [${Object.keys(o.data).join(", ")}]` : "")
  ).join("; ");
}

/**
 * Throws unless the notebook ran without errors, listing every error with its cell index.
 *
 * @example
 * ```ts
 * import { assertNotebookOk } from "./notebook_assertions.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => assertNotebookOk({ ok: false, sourcePath: "a.ipynb", errors: [
 *     { cellIndex: 3, ename: "TypeError", evalue: "x is undefined", traceback: [] },
 *   ] }),
 *   /a\.ipynb failed: cell 3: TypeError: x is undefined/,
 * );
 * ```
 */
export function assertNotebookOk(
  result: Pick<ExecuteNotebookResult, "ok" | "errors" | "sourcePath">,
): void {
  if (result.ok) return;
  const lines = result.errors.map((e) =>
    `cell ${e.cellIndex ?? "?"}: ${e.ename}: ${e.evalue}` +
    (e.traceback.length ? `\n    ${e.traceback.join("\n    ")}` : "")
  );
  throw new Error(
    `notebook ${result.sourcePath} failed: ${lines.join("\n") || "nbconvert exited non-zero"}`,
  );
}

/** Throws unless the notebook displayed at least one table, listing what it displayed. */
export function assertNotebookHasTable(
  result: Pick<ExecuteNotebookResult, "outputs" | "sourcePath">,
): FoundTable[] {
  const found = notebookTables(result);
  if (found.length === 0) {
    throw new Error(
      `notebook ${result.sourcePath}: expected a table (text/markdown pipe table or text/html ` +
        `<table>), found ${_describe(result.outputs)}`,
    );
  }
  return found;
}

/** Throws unless the notebook displayed at least one Vega-Lite chart, listing what it displayed. */
export function assertNotebookHasChart(
  result: Pick<ExecuteNotebookResult, "outputs" | "sourcePath">,
): FoundChart[] {
  const found = notebookCharts(result);
  if (found.length === 0) {
    throw new Error(
      `notebook ${result.sourcePath}: expected a Vega-Lite chart ` +
        `(application/vnd.vegalite.v5+json or v6), found ${_describe(result.outputs)}`,
    );
  }
  return found;
}
