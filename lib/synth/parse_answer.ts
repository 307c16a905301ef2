/**
 * Robust parsers for teacher (LLM) answers. A parser never throws: it returns a
 * {@linkcode TeacherAnswer} with `ok: false` and a reason naming what was missing, so a
 * malformed answer becomes a failed iteration, never a crash.
 *
 * @module
 */
import type { TeacherAnswer, TestQuality } from "./types.ts";

/** A fenced block of a Markdown answer. */
export interface FencedBlock {
  /** Info string after the opening fence, lower-cased (`python`, `json`, or `""`). */
  readonly lang: string;
  readonly body: string;
  /** Offsets of the whole block (fences included) in the answer. */
  readonly start: number;
  readonly end: number;
}

/** Task fields extracted from an answer (the loop adds `taskId`). */
export interface ParsedTask {
  readonly prompt: string;
  readonly entryPoint: string;
  readonly code: string;
  readonly tests: string;
}

const FENCE =
  /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;

/**
 * Every fenced block (```` ``` ```` or `~~~`) of a Markdown text, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fencedBlocks } from "./parse_answer.ts";
 * const f = "`".repeat(3);
 * const blocks = fencedBlocks(`a\n${f}python\nx = 1\n${f}\n`);
 * assert.deepEqual(blocks.map((b) => [b.lang, b.body]), [["python", "x = 1"]]);
 * ```
 */
export function fencedBlocks(text: string): FencedBlock[] {
  const out: FencedBlock[] = [];
  const normalized = text.replace(/\r\n/g, "\n");
  for (const m of normalized.matchAll(FENCE)) {
    const start = m.index + m[1].length;
    out.push({ lang: m[3].toLowerCase(), body: m[4], start, end: m.index + m[0].length });
  }
  return out;
}

const PY_LANGS = new Set(["python", "py", "python3", ""]);

function _definedFunctions(code: string): string[] {
  return [...code.matchAll(/^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/gm)].map((m) => m[1]);
}

function _defines(code: string, name: string): boolean {
  return _definedFunctions(code).includes(name);
}

function _str(obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === "string" && v.trim() !== "") return v;
  }
  return undefined;
}

function _jsonObject(text: string): Record<string, unknown> | undefined {
  const candidates: string[] = [];
  for (const b of fencedBlocks(text)) if (b.lang === "json") candidates.push(b.body);
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c);
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        return v as Record<string, unknown>;
      }
    } catch {
      // Not JSON: try the next candidate.
    }
  }
  return undefined;
}

function _stripFence(code: string): string {
  const blocks = fencedBlocks(code);
  return blocks.length === 1 ? blocks[0].body : code;
}

function _finishTask(
  prompt: string | undefined,
  code: string | undefined,
  tests: string | undefined,
  entryPoint: string | undefined,
): TeacherAnswer<ParsedTask> {
  if (prompt === undefined || prompt.trim() === "") {
    return { ok: false, reason: "answer has no instruction section" };
  }
  if (code === undefined || code.trim() === "") {
    return { ok: false, reason: "answer has no solution code block" };
  }
  if (tests === undefined || !/\bassert\b/.test(tests)) {
    return { ok: false, reason: "answer has no test block with an assert statement" };
  }
  const ep = entryPoint?.trim() || _definedFunctions(code)[0];
  if (ep === undefined) return { ok: false, reason: "solution defines no function" };
  if (!/^[A-Za-z_]\w*$/.test(ep)) {
    return { ok: false, reason: `entry point ${JSON.stringify(ep)} is not a Python identifier` };
  }
  if (!_defines(code, ep)) {
    return { ok: false, reason: `solution does not define the entry point ${ep}()` };
  }
  if (!new RegExp(`\\b${ep}\\s*\\(`).test(tests)) {
    return { ok: false, reason: `tests never call the entry point ${ep}()` };
  }
  return {
    ok: true,
    value: {
      prompt: prompt.trim(),
      entryPoint: ep,
      code: _trimCode(code),
      tests: _trimCode(tests),
    },
  };
}

function _trimCode(code: string): string {
  return code.replace(/\r\n/g, "\n").replace(/^\s*\n/, "").replace(/\s+$/, "") + "\n";
}

/**
 * Parse a task-writing answer. Accepted formats, tried in order:
 * 1. a JSON object (bare or in a ```` ```json ```` block) with `instruction`, `entry_point`,
 *    `solution` and `tests` string fields;
 * 2. Markdown with an `Instruction` heading followed by prose, and fenced Python blocks under
 *    `Solution` and `Tests` headings (unlabelled: the first block is the solution and the first
 *    block containing `assert` afterwards is the tests). An `Entry point: name` line is optional.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTaskAnswer } from "./parse_answer.ts";
 * const f = "`".repeat(3);
 * const text = `### Instruction\nDouble x.\n### Solution\n${f}python\ndef dbl(x):\n` +
 *   `    return 2 * x\n${f}\n### Tests\n${f}python\nassert dbl(2) == 4\n${f}\n`;
 * const r = parseTaskAnswer(text);
 * assert.ok(r.ok);
 * assert.equal(r.value.entryPoint, "dbl");
 * assert.equal(r.value.tests, "assert dbl(2) == 4\n");
 * assert.equal(parseTaskAnswer("Sure!").ok, false);
 * ```
 */
export function parseTaskAnswer(text: string): TeacherAnswer<ParsedTask> {
  const json = _jsonObject(text);
  if (json !== undefined && (json.solution !== undefined || json.code !== undefined)) {
    const code = _str(json, ["solution", "code"]);
    const tests = _str(json, ["tests", "test"]);
    return _finishTask(
      _str(json, ["instruction", "prompt", "task"]),
      code === undefined ? undefined : _stripFence(code),
      tests === undefined ? undefined : _stripFence(tests),
      _str(json, ["entry_point", "entryPoint", "function_name"]),
    );
  }
  const norm = text.replace(/\r\n/g, "\n");
  const blocks = fencedBlocks(norm).filter((b) => PY_LANGS.has(b.lang));
  let code: string | undefined;
  let tests: string | undefined;
  let prev = 0;
  for (const b of blocks) {
    const lead = norm.slice(prev, b.start).toLowerCase();
    prev = b.end;
    const label = /test/.test(lead)
      ? "tests"
      : /solution|code|implementation/.test(lead)
      ? "code"
      : "";
    if (label === "tests" && tests === undefined) tests = b.body;
    else if (label === "code" && code === undefined) code = b.body;
    else if (label === "" && code === undefined && !/^\s*assert\b/m.test(b.body)) code = b.body;
    else if (label === "" && tests === undefined && /\bassert\b/.test(b.body)) tests = b.body;
  }
  const firstFence = blocks.length > 0 ? blocks[0].start : norm.length;
  const head = norm.slice(0, firstFence);
  const instr =
    /(?:^|\n)\s*(?:#+\s*|\*\*)?(?:instruction|task|problem)s?\s*(?:\*\*)?\s*:?\s*(?:\*\*)?[ \t]*\n?([\s\S]*)/i
      .exec(head);
  let prompt = instr?.[1];
  if (prompt !== undefined) {
    // Stop at the next heading (Solution, Tests, Entry point).
    prompt = prompt.split(/\n\s*(?:#+\s|\*\*(?:solution|tests?|entry))/i)[0];
    prompt = prompt.replace(/\n\s*entry[ _-]?point\s*:.*$/im, "");
  }
  const ep = /entry[ _-]?point\s*:\s*`?([A-Za-z_]\w*)`?/i.exec(norm)?.[1];
  return _finishTask(prompt, code, tests, ep);
}

/**
 * Parse a code-fixing answer: the last fenced Python block that defines `entryPoint`; an answer
 * without fences is accepted only when it is bare code starting with `def`, `import`, `from`,
 * `class`, `@` or `#`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCodeAnswer } from "./parse_answer.ts";
 * const f = "`".repeat(3);
 * const r = parseCodeAnswer(`Fixed:\n${f}python\ndef f(x):\n    return x\n${f}`, "f");
 * assert.deepEqual(r, { ok: true, value: "def f(x):\n    return x\n" });
 * assert.deepEqual(parseCodeAnswer("I cannot.", "f"), {
 *   ok: false,
 *   reason: "answer has no Python code block defining f()",
 * });
 * ```
 */
export function parseCodeAnswer(text: string, entryPoint: string): TeacherAnswer<string> {
  const blocks = fencedBlocks(text).filter((b) => PY_LANGS.has(b.lang));
  for (let i = blocks.length - 1; i >= 0; i--) {
    if (_defines(blocks[i].body, entryPoint)) return { ok: true, value: _trimCode(blocks[i].body) };
  }
  const bare = text.trim();
  if (blocks.length === 0 && /^(def|async def|import|from|class|@|#)/.test(bare)) {
    if (_defines(bare, entryPoint)) return { ok: true, value: _trimCode(bare) };
  }
  return { ok: false, reason: `answer has no Python code block defining ${entryPoint}()` };
}

/**
 * Parse a yes/no verdict: JSON `{"answer": "yes"}` or an answer whose first word is yes or no
 * (Markdown emphasis and punctuation ignored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYesNo } from "./parse_answer.ts";
 * assert.deepEqual(parseYesNo("**Yes.** The loop bound changed."), { ok: true, value: true });
 * assert.deepEqual(parseYesNo('{"answer": "no"}'), { ok: true, value: false });
 * assert.equal(parseYesNo("maybe").ok, false);
 * ```
 */
export function parseYesNo(text: string): TeacherAnswer<boolean> {
  const json = _jsonObject(text);
  const raw = json !== undefined ? _str(json, ["answer", "verdict", "logical"]) ?? "" : text;
  const word = /^[\s*_`"'#>-]*([A-Za-z]+)/.exec(raw)?.[1]?.toLowerCase();
  if (word === "yes") return { ok: true, value: true };
  if (word === "no") return { ok: true, value: false };
  return {
    ok: false,
    reason: `expected a yes/no answer, got ${JSON.stringify(text.slice(0, 80))}`,
  };
}

const QUALITY_KEYS = ["accuracy", "effectiveness", "reasonableness"] as const;

/**
 * Parse the test-quality judge's answer: JSON with integer `accuracy`, `effectiveness` and
 * `reasonableness` in 1–5, or `Name: n` lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTestQuality } from "./parse_answer.ts";
 * assert.deepEqual(parseTestQuality("Accuracy: 5\nEffectiveness: 4\nReasonableness: 3"), {
 *   ok: true,
 *   value: { accuracy: 5, effectiveness: 4, reasonableness: 3 },
 * });
 * assert.equal(parseTestQuality('{"accuracy": 9}').ok, false);
 * ```
 */
export function parseTestQuality(text: string): TeacherAnswer<TestQuality> {
  const json = _jsonObject(text);
  const scores: Partial<Record<(typeof QUALITY_KEYS)[number], number>> = {};
  for (const k of QUALITY_KEYS) {
    const v = json !== undefined
      ? Number(json[k])
      : Number(new RegExp(`${k}\\W{0,4}\\s*:?\\s*\\**\\s*(\\d+)`, "i").exec(text)?.[1]);
    if (!Number.isInteger(v) || v < 1 || v > 5) {
      return { ok: false, reason: `test-quality answer has no integer 1-5 for ${k}` };
    }
    scores[k] = v;
  }
  return { ok: true, value: scores as TestQuality };
}
