/**
 * Mechanical mutants of a program (the peer cross-check's wrong samples): a flipped comparison,
 * an off-by-one integer and a wrong return. Each applies at one place, outside strings and
 * comments as far as a line scan can tell; a program without such a place has no such mutant.
 *
 * @module
 */

/** The mutant kinds, in the order they are made. */
export const MUTANT_KINDS = ["flip-comparison", "off-by-one", "wrong-return"] as const;
/** One of {@linkcode MUTANT_KINDS}. */
export type MutantKind = typeof MUTANT_KINDS[number];

const _FLIPS: Readonly<Record<string, string>> = {
  "==": "!=",
  "!=": "==",
  "<=": ">",
  ">=": "<",
  "<": ">=",
  ">": "<=",
};

/** Lines of code (not comments, not inside a triple-quoted string), with their indexes. */
function _codeLines(lines: readonly string[]): number[] {
  const out: number[] = [];
  let inString = false;
  lines.forEach((line, i) => {
    const quotes = (line.match(/"""|'''/g) ?? []).length;
    if (!inString && quotes === 0 && !line.trim().startsWith("#")) out.push(i);
    if (quotes % 2 === 1) inString = !inString;
  });
  return out;
}

/** `line` with string literals blanked, so a pattern's index finds code only. */
function _blankStrings(line: string): string {
  return line.replace(/(["'])(?:\\.|(?!\1).)*\1/g, (m) => " ".repeat(m.length));
}

function _mutateLine(
  program: string,
  from: "first" | "last",
  pattern: RegExp,
  replace: (m: RegExpExecArray) => string,
): string | undefined {
  const lines = program.split("\n");
  const order = _codeLines(lines);
  if (from === "last") order.reverse();
  for (const i of order) {
    const m = pattern.exec(_blankStrings(lines[i]));
    if (m === null) continue;
    const line = lines[i];
    lines[i] = line.slice(0, m.index) + replace(m) + line.slice(m.index + m[0].length);
    return lines.join("\n");
  }
  return undefined;
}

/**
 * The mutant of `program` of one kind, or `undefined` when it has no place for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mutant } from "./mutants.ts";
 * const p = "def f(x):\n    if x < 3:\n        return x + 1\n    return 0\n";
 * assert.equal(mutant(p, "flip-comparison"), p.replace("x < 3", "x >= 3"));
 * assert.equal(mutant(p, "off-by-one"), p.replace("x < 3", "x < 4"));
 * assert.equal(mutant(p, "wrong-return"), p.replace("return 0", "return None"));
 * ```
 */
export function mutant(program: string, kind: MutantKind): string | undefined {
  switch (kind) {
    case "flip-comparison":
      return _mutateLine(program, "first", / (==|!=|<=|>=|<|>) /, (m) => ` ${_FLIPS[m[1]]} `);
    case "off-by-one":
      return _mutateLine(program, "first", /(?<![\w.])(\d+)(?![\w.])/, (m) => String(+m[1] + 1));
    case "wrong-return":
      return _mutateLine(program, "last", /\breturn\b(?!\s*None\s*$).+$/, () => "return None");
    default: {
      const never: never = kind;
      throw new Error(`unknown mutant kind ${String(never)}`);
    }
  }
}
