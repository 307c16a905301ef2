/**
 * Data types of MiniFlow, the embedded procedural benchmark and offline teacher (DESIGN §5
 * "MiniFlow"). Everything here is plain JSON-serialisable data.
 *
 * @module
 */
import type { SandboxJob, SandboxResult } from "../sandbox/types.ts";

/** Held-out split. A composition of primitives belongs to exactly one split. */
export type MiniflowSplit = "train" | "validation" | "test";

/** Task family, named after the type of the function's argument. */
export type MiniflowFamily = "list" | "string" | "number" | "dict";

/** Value types flowing between the steps of a composition. */
export type ValueType = "ints" | "words" | "text" | "int" | "dict" | "str" | "any";

/** The bug classes of DESIGN §5 "Bug injectors". */
export type BugClass =
  | "off-by-one"
  | "wrong-operator"
  | "wrong-constant"
  | "wrong-init"
  | "wrong-aggregate"
  | "wrong-return"
  | "missing-return"
  | "swapped-args"
  | "wrong-method";

/** A place in a reference solution where one bug class can be injected. */
export interface MutationSite {
  /** Index of the site in {@link Program.sites}. */
  readonly id: number;
  readonly bugClass: BugClass;
  /** Body line (0-based) the site sits on. */
  readonly line: number;
  /** Original text of the site (empty for a whole-line deletion). */
  readonly original: string;
  /** Replacement texts; for `missing-return` the single alternative deletes the line. */
  readonly alternatives: readonly string[];
  /** True when the site deletes its whole line (`missing-return`). */
  readonly deletesLine: boolean;
}

/** One body line of a reference solution: literal text interleaved with site ids. */
export interface ProgramLine {
  /** Indentation level (4 spaces each) relative to the function body. */
  readonly indent: number;
  /** Literal text (string) or a mutation site (its id). */
  readonly parts: readonly (string | number)[];
}

/** A reference solution with its annotated injection sites. */
export interface Program {
  readonly lines: readonly ProgramLine[];
  readonly sites: readonly MutationSite[];
  /** Local variable names a rename distractor may touch (step outputs, never loop variables). */
  readonly locals: readonly string[];
}

/** An injected bug: site `site` replaced by its alternative number `alternative`. */
export interface Mutation {
  readonly site: number;
  readonly alternative: number;
}

/** A task before the sandbox has run: program, description and generated inputs. */
export interface MiniflowTaskSpec {
  /** `miniflow/<split>/<index>`. */
  readonly taskId: string;
  readonly split: MiniflowSplit;
  readonly index: number;
  readonly family: MiniflowFamily;
  /** Ordered primitive names of the composition. */
  readonly composition: readonly string[];
  /** `composition.join("+")`, the split key. */
  readonly compositionKey: string;
  readonly entryPoint: string;
  readonly argName: string;
  /** One-sentence description used in the docstring. */
  readonly description: string;
  readonly program: Program;
  /** Python literals, one argument each. */
  readonly inputs: readonly string[];
}

/** One generated test: a Python literal input and the reference output (`repr`). */
export interface MiniflowCase {
  readonly input: string;
  readonly expected: string;
}

/** A verified single-site bug of a task: it makes at least one test fail in the sandbox. */
export interface VerifiedBug extends Mutation {
  readonly bugClass: BugClass;
  readonly line: number;
}

/** A complete MiniFlow task: prompt, reference solution, tests and its verified bugs. */
export interface MiniflowTask extends MiniflowTaskSpec {
  /** HumanEval-style prompt: `def name(arg):` plus a docstring with one example. */
  readonly prompt: string;
  /** Reference body (indented), so that `prompt + solution` is the full function. */
  readonly solution: string;
  /** Assert statements, one test per line. */
  readonly tests: string;
  readonly cases: readonly MiniflowCase[];
  /** Single-site bugs that fail at least one test, in site order. */
  readonly bugs: readonly VerifiedBug[];
}

/** The benchmark shape used by the evaluator. */
export interface BenchmarkTask {
  readonly taskId: string;
  readonly prompt: string;
  readonly entryPoint: string;
  readonly tests: string;
}

/**
 * The part of `lib/sandbox`'s `Sandbox` that MiniFlow needs. The real `Sandbox` satisfies it.
 */
export interface SandboxRunner {
  runMany(jobs: readonly SandboxJob[]): Promise<readonly SandboxResult[]>;
}
