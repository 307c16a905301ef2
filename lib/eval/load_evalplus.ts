/**
 * Loaders of the EvalPlus sets: HumanEval+ v0.1.10 (`evalplus/HumanEvalPlus.jsonl.gz`) and MBPP+
 * v0.2.0 (`evalplus/MbppPlus.jsonl.gz`).
 *
 * `base_input` and `plus_input` stay raw JSON text (see {@linkcode PlusInputs}); the file is read
 * one line at a time, so only one task's inputs are parsed at once.
 *
 * @module
 */
import { type PlusOracle, readLines } from "../core/mod.ts";
import { _arrayLength, _objectFieldSpans, type _Span } from "./_json_scan.ts";
import { _Record } from "./_record.ts";
import { type DataDirOptions, resolveBenchmarkFile } from "./data_dir.ts";
import {
  HUMANEVAL_PLUS_ORACLES,
  MBPP_PLUS_DECODERS,
  MBPP_PLUS_ORACLES,
  mbppPlusDecodeExpression,
} from "./mbpp_plus_decoders.ts";
import type { BenchmarkTask, PlusInputs, SourceRef } from "./types.ts";

/** Path of the HumanEval+ file inside a data directory. */
export const HUMANEVAL_PLUS_FILE = "evalplus/HumanEvalPlus.jsonl.gz";
/** Path of the MBPP+ file inside a data directory. */
export const MBPP_PLUS_FILE = "evalplus/MbppPlus.jsonl.gz";

const _RAW_FIELDS = new Set(["base_input", "plus_input"]);

/** Parse one EvalPlus line: small fields parsed, input fields kept as raw JSON spans. */
function _parseLine(text: string, source: SourceRef): { rec: _Record; raw: Map<string, string> } {
  let spans: Map<string, _Span>;
  try {
    spans = _objectFieldSpans(text);
  } catch (e) {
    throw new Error(`${source.file}:${source.line}: invalid JSON: ${(e as Error).message}`);
  }
  const value: Record<string, unknown> = {};
  const raw = new Map<string, string>();
  for (const [key, span] of spans) {
    const slice = text.slice(span.start, span.end);
    if (_RAW_FIELDS.has(key)) {
      raw.set(key, slice);
      continue;
    }
    try {
      value[key] = JSON.parse(slice);
    } catch (e) {
      throw new Error(
        `${source.file}:${source.line}: field "${key}": invalid JSON: ${(e as Error).message}`,
      );
    }
  }
  return { rec: new _Record(source, value), raw };
}

/** The raw JSON array of field `name`; an empty object (MBPP+ has `{}` once) reads as `[]`. */
function _rawInputs(rec: _Record, raw: Map<string, string>, name: string): [string, number] {
  const text = raw.get(name);
  if (text === undefined) {
    throw rec.error(name, "expected an array of argument lists, found nothing (missing)");
  }
  if (/^\{\s*\}$/.test(text)) return ["[]", 0];
  if (!text.startsWith("[")) {
    throw rec.error(
      name,
      `expected an array of argument lists, found ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  try {
    return [text, _arrayLength(text, { start: 0, end: text.length })];
  } catch (e) {
    throw rec.error(name, (e as Error).message);
  }
}

function _plusInputs(
  rec: _Record,
  raw: Map<string, string>,
  rules: { readonly decodeInputs?: string; readonly oracle?: PlusOracle } = {},
): PlusInputs {
  const [baseInputJson, baseCount] = _rawInputs(rec, raw, "base_input");
  const [plusInputJson, plusCount] = _rawInputs(rec, raw, "plus_input");
  const atol = rec.number("atol");
  if (atol < 0) throw rec.error("atol", `expected a tolerance >= 0, found ${atol}`);
  return {
    baseInputJson,
    plusInputJson,
    baseCount,
    plusCount,
    atol,
    ...(rules.decodeInputs === undefined ? {} : { decodeInputs: rules.decodeInputs }),
    ...(rules.oracle === undefined ? {} : { oracle: rules.oracle }),
  };
}

function _oracleRule(oracle: PlusOracle | undefined): { oracle?: PlusOracle } {
  return oracle === undefined ? {} : { oracle };
}

/**
 * Stream HumanEval+ tasks (fields `task_id, prompt, entry_point, canonical_solution, test,
 * contract, base_input, atol, plus_input`).
 */
export async function* readHumanEvalPlus(path: string): AsyncGenerator<BenchmarkTask> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const { rec, raw } = _parseLine(text, { file: path, line: lineNo });
    yield {
      benchmark: "humaneval+",
      taskId: rec.string("task_id"),
      prompt: rec.string("prompt"),
      promptStyle: "complete",
      entryPoint: rec.string("entry_point"),
      canonicalSolution: rec.string("canonical_solution"),
      tests: rec.string("test"),
      testStyle: "check",
      plus: _plusInputs(rec, raw, _oracleRule(HUMANEVAL_PLUS_ORACLES.get(rec.string("task_id")))),
      source: rec.source,
    };
  }
}

/**
 * Stream MBPP+ tasks (fields `task_id, prompt, entry_point, canonical_solution, base_input, atol,
 * plus_input, contract, assertion`). `assertion` (the base asserts) becomes `tests`.
 */
export async function* readMbppPlus(path: string): AsyncGenerator<BenchmarkTask> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const { rec, raw } = _parseLine(text, { file: path, line: lineNo });
    const taskId = rec.string("task_id");
    const num = Number(/^Mbpp\/(\d+)$/.exec(taskId)?.[1]);
    if (!Number.isInteger(num)) {
      throw rec.error("task_id", `expected "Mbpp/<number>", found ${JSON.stringify(taskId)}`);
    }
    const decoder = MBPP_PLUS_DECODERS.get(num);
    const tests = rec.string("assertion").replace(/^\n+/, "");
    yield {
      benchmark: "mbpp+",
      taskId,
      prompt: rec.string("prompt"),
      promptStyle: "instruct",
      entryPoint: rec.string("entry_point"),
      canonicalSolution: rec.string("canonical_solution"),
      tests,
      testStyle: "asserts",
      ...(/\bmath\./.test(tests) ? { setup: "import math\n" } : {}),
      plus: _plusInputs(rec, raw, {
        ...(decoder === undefined ? {} : { decodeInputs: mbppPlusDecodeExpression(decoder) }),
        ..._oracleRule(MBPP_PLUS_ORACLES.get(num)),
      }),
      source: rec.source,
    };
  }
}

/** Load the 164 HumanEval+ tasks from the resolved data directory. */
export async function loadHumanEvalPlus(options: DataDirOptions = {}): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(
    readHumanEvalPlus(resolveBenchmarkFile(HUMANEVAL_PLUS_FILE, options)),
  );
}

/** Load the 378 MBPP+ tasks from the resolved data directory. */
export async function loadMbppPlus(options: DataDirOptions = {}): Promise<BenchmarkTask[]> {
  return await Array.fromAsync(readMbppPlus(resolveBenchmarkFile(MBPP_PLUS_FILE, options)));
}
