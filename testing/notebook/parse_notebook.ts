/**
 * Parse an nbformat 4 notebook into typed cells, outputs and errors.
 *
 * @module
 */
import type { CellError, ExecutedCell, NotebookOutput, OutputType } from "./types.ts";

/** Cells, outputs and errors of a parsed notebook. */
export interface ParsedNotebook {
  readonly cells: readonly ExecutedCell[];
  readonly outputs: readonly NotebookOutput[];
  readonly errors: readonly CellError[];
}

// deno-lint-ignore no-control-regex
const _ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Removes ANSI colour codes (some kernels colour tracebacks even with NO_COLOR). */
export function _stripAnsi(text: string): string {
  return text.replace(_ANSI, "");
}

/** nbformat stores multi-line strings as a string or a list of lines. */
function _text(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const _OUTPUT_TYPES: readonly OutputType[] = ["stream", "display_data", "execute_result", "error"];
const _CELL_TYPES = ["code", "markdown", "raw"] as const;

/**
 * Parses notebook JSON text (nbformat 4). Text entries of MIME bundles are joined into one
 * string; JSON entries (Vega-Lite specs) are kept as objects. `where` names the file in
 * error messages.
 *
 * @example
 * ```ts
 * import { parseNotebook } from "./parse_notebook.ts";
 * import assert from "node:assert/strict";
 * const nb = parseNotebook(JSON.stringify({
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [{ cell_type: "code", source: ["x"], execution_count: 1, metadata: {}, outputs: [
 *     { output_type: "error", ename: "ReferenceError", evalue: "x is not defined", traceback: [] },
 *   ] }],
 * }), "demo.ipynb");
 * assert.deepEqual(nb.errors, [
 *   { cellIndex: 0, ename: "ReferenceError", evalue: "x is not defined", traceback: [] },
 * ]);
 * ```
 */
export function parseNotebook(json: string, where: string): ParsedNotebook {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new SyntaxError(`parseNotebook: ${where} is not JSON: ${(e as Error).message}`);
  }
  if (!_isRecord(nb) || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new TypeError(
      `parseNotebook: expected an nbformat 4 notebook with a "cells" array in ${where}, found ` +
        `nbformat ${_isRecord(nb) ? JSON.stringify(nb.nbformat) : typeof nb}`,
    );
  }
  const cells: ExecutedCell[] = [];
  const outputs: NotebookOutput[] = [];
  const errors: CellError[] = [];
  nb.cells.forEach((raw: unknown, index: number) => {
    if (!_isRecord(raw) || !_CELL_TYPES.includes(raw.cell_type as typeof _CELL_TYPES[number])) {
      throw new TypeError(
        `parseNotebook: expected cell ${index} of ${where} to have cell_type code, markdown or ` +
          `raw, found ${JSON.stringify(_isRecord(raw) ? raw.cell_type : raw)}`,
      );
    }
    const cellOutputs: NotebookOutput[] = [];
    for (const o of Array.isArray(raw.outputs) ? raw.outputs : []) {
      if (!_isRecord(o) || !_OUTPUT_TYPES.includes(o.output_type as OutputType)) {
        throw new TypeError(
          `parseNotebook: unknown output_type ${
            JSON.stringify(_isRecord(o) ? o.output_type : o)
          } in cell ${index} of ${where}`,
        );
      }
      const outputType = o.output_type as OutputType;
      const data: Record<string, unknown> = {};
      if (_isRecord(o.data)) {
        for (const [mime, v] of Object.entries(o.data)) {
          data[mime] = typeof v === "string" || Array.isArray(v) ? _text(v) : v;
        }
      }
      const out: NotebookOutput = {
        cellIndex: index,
        outputType,
        data,
        text: _text(o.text),
        name: typeof o.name === "string" ? o.name : "",
      };
      cellOutputs.push(out);
      if (outputType === "error") {
        errors.push({
          cellIndex: index,
          ename: String(o.ename ?? ""),
          evalue: String(o.evalue ?? ""),
          traceback: (Array.isArray(o.traceback) ? o.traceback : []).map((l) =>
            _stripAnsi(String(l))
          ),
        });
      }
    }
    outputs.push(...cellOutputs);
    cells.push({
      index,
      cellType: raw.cell_type as ExecutedCell["cellType"],
      source: _text(raw.source),
      executionCount: typeof raw.execution_count === "number" ? raw.execution_count : null,
      outputs: cellOutputs,
    });
  });
  return { cells, outputs, errors };
}
