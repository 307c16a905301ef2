/**
 * Types of executed notebooks: cells, outputs and per-cell errors (nbformat 4).
 *
 * @module
 */

/** Output types of nbformat 4. */
export type OutputType = "stream" | "display_data" | "execute_result" | "error";

/** One cell output, with multi-line strings joined and its cell's index attached. */
export interface NotebookOutput {
  /** 0-based index of the cell in the notebook's `cells` array (markdown cells count). */
  readonly cellIndex: number;
  readonly outputType: OutputType;
  /** MIME bundle of `display_data` / `execute_result` (text values joined); else empty. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Text of a `stream` output; else empty. */
  readonly text: string;
  /** `stdout` / `stderr` for streams; else empty. */
  readonly name: string;
}

/** An error raised by a cell, or by the run itself (then `cellIndex` may be `null`). */
export interface CellError {
  /** 0-based index into the notebook's `cells`; `null` when the failing cell is unknown. */
  readonly cellIndex: number | null;
  /** Exception class, e.g. `ReferenceError`, `CellTimeoutError`. */
  readonly ename: string;
  readonly evalue: string;
  /** Traceback lines with ANSI colour codes removed. */
  readonly traceback: readonly string[];
}

/** One cell of the executed notebook. */
export interface ExecutedCell {
  /** 0-based index into the notebook's `cells`. */
  readonly index: number;
  readonly cellType: "code" | "markdown" | "raw";
  readonly source: string;
  /** Execution count given by the kernel; `null` for unexecuted and non-code cells. */
  readonly executionCount: number | null;
  readonly outputs: readonly NotebookOutput[];
}

/** What {@link import("./execute_notebook.ts").executeNotebook} reports. */
export interface ExecuteNotebookResult {
  /** True when nbconvert exited 0 and no cell produced an error output. */
  readonly ok: boolean;
  /** The notebook that was executed (never modified). */
  readonly sourcePath: string;
  /** The executed copy, or `null` when nbconvert wrote none (timeout, dead kernel). */
  readonly outputPath: string | null;
  readonly cells: readonly ExecutedCell[];
  /** Cell errors in cell order, then any run-level error. */
  readonly errors: readonly CellError[];
  /** All outputs of all cells, in order. */
  readonly outputs: readonly NotebookOutput[];
  /** Exit code of nbconvert (124 when the whole run hit `timeoutMs`). */
  readonly exitCode: number;
  readonly durationMs: number;
  /** Last 8 KiB of nbconvert's stderr. */
  readonly stderrTail: string;
}
