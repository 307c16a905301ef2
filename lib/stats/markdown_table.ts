/**
 * GitHub-flavoured markdown tables.
 *
 * @module
 */

/** Column alignment in a markdown table. */
export type Align = "left" | "right" | "center";

/** One column of a table: which row field it shows and how. */
export interface Column<Row> {
  /** Field of the row shown in this column. */
  readonly key: keyof Row & string;
  /**
   * Header text.
   * @default {the key}
   */
  readonly header?: string;
  /**
   * Alignment.
   * @default {"left" for strings, "right" for numbers (decided on the first row)}
   */
  readonly align?: Align;
  /**
   * Formats a cell value.
   * @default {String(value); numbers with toFixed(3) unless integers; "" for null/undefined}
   */
  readonly format?: (value: Row[keyof Row & string], row: Row) => string;
}

function _defaultFormat(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

/** Escapes a cell so it stays one table cell: pipes are escaped, newlines become `<br>`. */
function _escapeCell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll(/\r?\n/g, "<br>");
}

function _rule(align: Align): string {
  switch (align) {
    case "left":
      return ":---";
    case "right":
      return "---:";
    case "center":
      return ":---:";
    default: {
      const never: never = align;
      throw new RangeError(`markdownTable: unknown align ${never}`);
    }
  }
}

/**
 * Renders rows as a markdown table. Columns are field names or {@link Column} objects.
 * Pipes in cells are escaped and newlines turn into `<br>`.
 *
 * @example
 * ```ts
 * import { markdownTable } from "./markdown_table.ts";
 * import assert from "node:assert/strict";
 * const md = markdownTable([{ variant: "dpo", pass: 0.5 }], ["variant", { key: "pass", header: "pass@1" }]);
 * assert.equal(md, "| variant | pass@1 |\n| :--- | ---: |\n| dpo | 0.500 |");
 * ```
 */
export function markdownTable<Row extends Record<string, unknown>>(
  rows: readonly Row[],
  columns: readonly ((keyof Row & string) | Column<Row>)[],
): string {
  if (columns.length === 0) throw new RangeError("markdownTable: expected at least one column");
  const cols: Column<Row>[] = columns.map((c) => typeof c === "string" ? { key: c } : c);
  const header = cols.map((c) => _escapeCell(c.header ?? c.key));
  const aligns = cols.map((c): Align =>
    c.align ?? (rows.length > 0 && typeof rows[0][c.key] === "number" ? "right" : "left")
  );
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${aligns.map(_rule).join(" | ")} |`,
  ];
  for (const row of rows) {
    const cells = cols.map((c) =>
      _escapeCell(c.format ? c.format(row[c.key], row) : _defaultFormat(row[c.key]))
    );
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
