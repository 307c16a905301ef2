/**
 * CodeFlow records (their types live in lib/core): validated JSONL reading, resumption, pair selection, rule filters
 * and export (DESIGN §1).
 *
 * @module
 */
export { validateMaskedPair, validatePair, validateTrajectory } from "./validate.ts";
export { readPairs, readTrajectories } from "./jsonl.ts";
export { resumeJsonl, type ResumeState } from "./resume.ts";
export { type Selection, type SelectOptions, selectVersions } from "./select_versions.ts";
export { type PassFailOptions, passVsFailPairs, type VersionPair } from "./pass_vs_fail.ts";
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
  type RuleFilterOptions,
  type RuleFilterVerdicts,
  runRuleFilters,
} from "./rule_filters.ts";
export { type BuildPairOptions, type BuildPairResult, buildPairs } from "./build_pair.ts";
export { completionOf, pairCompletions, shiftDiff } from "./completion.ts";
export {
  type ExportOptions,
  type ReferenceRecord,
  toReferenceRecord,
  toTrlRecord,
  type TrlRecord,
  writeReferenceJson,
  writeTrlJsonl,
} from "./export_pairs.ts";
export {
  EXPORT_V2_SCHEMA,
  type ExportV2Options,
  type ExportV2Record,
  hybridSplit,
  toExportV2Record,
} from "./export_v2.ts";
export {
  MASKED_PAIR_SCHEMAS,
  maskedPairOf,
  type MaskedPairOptions,
  type MaskedPairs,
  readMaskedPairs,
} from "./masked_pairs.ts";
