/**
 * Reference solutions as structured lines with annotated mutation sites, and their rendering
 * with a set of injected bugs.
 *
 * Templates are Python lines (4 spaces per indent) where `⟦cls:original|alt1|alt2⟧` marks a
 * site of bug class `cls` (`obo`, `op`, `const`, `init`, `agg`, `ret`, `swap`, `method`) and a
 * leading `⟦del⟧` marks a line whose deletion is a `missing-return` bug. `{name}`, `{name+1}`
 * and `{name-1}` are replaced by parameters before the sites are parsed.
 *
 * @module
 */
import type { BugClass, Mutation, MutationSite, Program, ProgramLine } from "./types.ts";

const _CLASS_CODES: Readonly<Record<string, BugClass>> = {
  obo: "off-by-one",
  op: "wrong-operator",
  const: "wrong-constant",
  init: "wrong-init",
  agg: "wrong-aggregate",
  ret: "wrong-return",
  swap: "swapped-args",
  method: "wrong-method",
};

/** Parameters substituted into templates. Strings are inserted verbatim (quote them first). */
export type TemplateParams = Readonly<Record<string, string | number>>;

/**
 * Replace `{name}`, `{name+N}` and `{name-N}` placeholders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { substitute } from "./program.ts";
 * assert.equal(substitute("x > {t+1} and {s}", { t: 3, s: "'a'" }), "x > 4 and 'a'");
 * ```
 */
export function substitute(line: string, params: TemplateParams): string {
  return line.replace(/\{(\w+)(?:([+-])(\d+))?\}/g, (whole, name: string, sign, num) => {
    if (!(name in params)) {
      throw new Error(
        `template placeholder ${whole} has no parameter; known: ${Object.keys(params)}`,
      );
    }
    const value = params[name];
    if (sign === undefined) return String(value);
    if (typeof value !== "number") {
      throw new Error(`template placeholder ${whole}: parameter ${name}=${value} is not a number`);
    }
    return String(sign === "+" ? value + Number(num) : value - Number(num));
  });
}

/**
 * Parse substituted template lines into a {@link Program}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProgram, renderBody } from "./program.ts";
 * const p = parseProgram(["total = ⟦init:0|1⟧", "⟦del⟧return total"], ["total"]);
 * assert.deepEqual(p.sites.map((s) => s.bugClass), ["wrong-init", "missing-return"]);
 * assert.deepEqual(renderBody(p, [{ site: 0, alternative: 0 }]), ["    total = 1", "    return total"]);
 * assert.deepEqual(renderBody(p, [{ site: 1, alternative: 0 }]), ["    total = 0"]);
 * ```
 */
export function parseProgram(lines: readonly string[], locals: readonly string[]): Program {
  const sites: MutationSite[] = [];
  const out: ProgramLine[] = [];
  lines.forEach((raw, lineNo) => {
    const spaces = raw.length - raw.trimStart().length;
    if (spaces % 4 !== 0) throw new Error(`template line ${lineNo} "${raw}": indent must be 4*n`);
    let text = raw.slice(spaces);
    const parts: (string | number)[] = [];
    if (text.startsWith("⟦del⟧")) {
      text = text.slice("⟦del⟧".length);
      parts.push(sites.length);
      sites.push({
        id: sites.length,
        bugClass: "missing-return",
        line: lineNo,
        original: "",
        alternatives: [""],
        deletesLine: true,
      });
    }
    const re = /⟦(\w+):([^⟧]*)⟧/g;
    let last = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > last) parts.push(text.slice(last, m.index));
      const bugClass = _CLASS_CODES[m[1]];
      if (bugClass === undefined) {
        throw new Error(`template line ${lineNo} "${raw}": unknown site class "${m[1]}"`);
      }
      const [original, ...alternatives] = m[2].split("|");
      if (alternatives.length === 0) {
        throw new Error(`template line ${lineNo} "${raw}": site "${m[0]}" has no alternative`);
      }
      parts.push(sites.length);
      sites.push({
        id: sites.length,
        bugClass,
        line: lineNo,
        original,
        alternatives,
        deletesLine: false,
      });
      last = m.index + m[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    out.push({ indent: spaces / 4, parts });
  });
  return { lines: out, sites, locals };
}

/**
 * Render the function body (indented by 4 spaces) with the given bugs injected. Each site may
 * appear at most once in `mutations`.
 */
export function renderBody(program: Program, mutations: readonly Mutation[]): string[] {
  return renderLines(program, mutations).filter((l): l is string => l !== null);
}

/**
 * Like {@link renderBody} but one entry per program line, `null` where a `missing-return` bug
 * deleted the line, so callers can map rendered text back to program lines.
 */
export function renderLines(program: Program, mutations: readonly Mutation[]): (string | null)[] {
  const chosen = new Map<number, number>();
  for (const m of mutations) {
    const site = program.sites[m.site];
    if (site === undefined || m.alternative < 0 || m.alternative >= site.alternatives.length) {
      throw new Error(`mutation ${JSON.stringify(m)} does not name a site alternative`);
    }
    if (chosen.has(m.site)) throw new Error(`mutation site ${m.site} given twice`);
    chosen.set(m.site, m.alternative);
  }
  return program.lines.map((line) => {
    let text = "";
    let deleted = false;
    for (const part of line.parts) {
      if (typeof part === "string") {
        text += part;
        continue;
      }
      const site = program.sites[part];
      const alt = chosen.get(part);
      if (site.deletesLine) deleted ||= alt !== undefined;
      else text += alt === undefined ? site.original : site.alternatives[alt];
    }
    return deleted ? null : "    ".repeat(line.indent + 1) + text;
  });
}
