/**
 * Headless notebook execution for CI: run a notebook with real Jupyter and the Deno kernel,
 * report per-cell errors, and check that it displayed tables and charts.
 *
 * How notebooks import the kit: the Deno kernel runs with the notebook's folder as working
 * directory, and relative imports in cells resolve from that folder (`import.meta` is not
 * available in cells). Bare specifiers (`vega`, `vega-lite`, …) resolve through the repo's
 * `deno.json`, found by walking up from that folder. So a notebook in `notebooks/` writes
 * `import { barWithCi, displayChart } from "../lib/plot/mod.ts";`.
 *
 * @module
 */
export type {
  CellError,
  ExecutedCell,
  ExecuteNotebookResult,
  NotebookOutput,
  OutputType,
} from "./types.ts";
export { parseNotebook } from "./parse_notebook.ts";
export type { ParsedNotebook } from "./parse_notebook.ts";
export { executeNotebook } from "./execute_notebook.ts";
export type { ExecuteNotebookOptions } from "./execute_notebook.ts";
export { checkNotebookPrereqs, NOTEBOOK_INSTALL_COMMANDS } from "./check_notebook_prereqs.ts";
export type { NotebookPrereqOptions, NotebookPrereqReport } from "./check_notebook_prereqs.ts";
export {
  assertNotebookHasChart,
  assertNotebookHasTable,
  assertNotebookOk,
  notebookCharts,
  notebookTables,
} from "./notebook_assertions.ts";
export type { FoundChart, FoundTable } from "./notebook_assertions.ts";
