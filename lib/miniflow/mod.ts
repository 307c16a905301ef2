/**
 * MiniFlow: the embedded procedural benchmark and the offline, deterministic teacher
 * (DESIGN §5 "MiniFlow", "Teachers"). Tasks are compositions of 2–3 primitive list, string,
 * number and dict operations; splits are held out by composition; bugs are injected at
 * annotated sites of the reference solutions and verified in the sandbox.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildTaskSpec, splitOf } from "./mod.ts";
 * const spec = buildTaskSpec({ seed: 3, split: "test", index: 0 });
 * assert.equal(spec.family, "list");
 * assert.equal(splitOf(spec.compositionKey), "test");
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export { FAMILIES, FAMILY_NAMES, familyInputs, type Primitive, PRIMITIVES } from "./primitives.ts";
export {
  allCompositions,
  type Composition,
  compositionsBySplit,
  DEFAULT_SPLIT_FRACTIONS,
  MAX_BODY_LINES,
  type SplitFractions,
  splitOf,
} from "./compositions.ts";
export {
  parseProgram,
  renderBody,
  renderLines,
  substitute,
  type TemplateParams,
} from "./program.ts";
export { buildTaskSpec, miniflowTaskId, type TaskSpecOptions } from "./task_spec.ts";
export { type MutantQuery, verifyMutants, type VerifyMutantsOptions } from "./verify_mutants.ts";
export {
  generateTasks,
  type GenerateTasksOptions,
  MIN_TESTS,
  pickExample,
  renderPrompt,
  renderTests,
  singleMutations,
} from "./generate_tasks.ts";
export {
  DEFAULT_PLAN_CONFIG,
  type HardKind,
  intendedCategory,
  type PlanConfig,
  planTrajectories,
  type TrajectoryCategory,
  type TrajectoryPlan,
} from "./plan.ts";
export {
  DEFAULT_MINIFLOW_TEACHER_CONFIG,
  type DistractorKind,
  MINIFLOW_TEACHER_ID,
  MiniFlowTeacher,
  type MiniflowTeacherConfig,
  type PreparedTask,
} from "./teacher.ts";
export {
  type BaseCorpusOptions,
  buildBaseCorpus,
  type CorpusDocument,
  corpusText,
} from "./corpus.ts";
export {
  type BenchmarkOptions,
  buildBenchmark,
  readBenchmarkJsonl,
  toBenchmarkTask,
  validateBenchmarkTask,
} from "./benchmark.ts";
