/**
 * CodeFlow records: JSONL IO with line-numbered errors, resumption, pair selection, rule filters
 * and export (DESIGN §1).
 *
 * @module
 */
export type * from "./types.ts";
export { FieldError, RecordError } from "./record_error.ts";
export { type RecordValidator, validatePair, validateTrajectory } from "./validate.ts";
export {
  appendJsonl,
  type JsonlEntry,
  parseJsonlLine,
  readJsonl,
  readPairs,
  readTrajectories,
} from "./jsonl.ts";
export { resumeJsonl, type ResumeState } from "./resume.ts";
export { type Selection, type SelectOptions, selectVersions } from "./select_versions.ts";
export {
  type AstComparison,
  type CodeLines,
  PyAstService,
  type PyAstServiceOptions,
} from "./py_ast_service.ts";
export {
  type FilterInput,
  o200kTokenCounter,
  passesFilters,
  type RuleFilterName,
  type RuleFilterOptions,
  type RuleFilterVerdicts,
  runRuleFilters,
} from "./rule_filters.ts";
export { type BuildPairOptions, type BuildPairResult, buildPairs } from "./build_pair.ts";
export {
  type ExportOptions,
  type ReferenceRecord,
  toReferenceRecord,
  toTrlRecord,
  type TrlRecord,
  writeReferenceJson,
  writeTrlJsonl,
} from "./export_pairs.ts";
