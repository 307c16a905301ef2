/**
 * Teachers (openai-compatible, miniflow via lib/miniflow), prompts, the refinement loop, the
 * pair judge, synthesis runs and their statistics (DESIGN §1.1, §5 "Teachers").
 *
 * @module
 */
export type {
  BatchPreparer,
  Feedback,
  JudgeInput,
  PairJudge,
  Sampler,
  TaskIdentity,
  Teacher,
  TeacherAnswer,
  TeacherTask,
  TestJudge,
  TestQuality,
} from "./types.ts";
export { Semaphore } from "./semaphore.ts";
export { ProgressBar, renderProgress } from "./progress_bar.ts";
export { backoffDelayMs, type BackoffOptions, parseRetryAfterMs } from "./backoff.ts";
export {
  type FencedBlock,
  fencedBlocks,
  parseCodeAnswer,
  type ParsedTask,
  parseTaskAnswer,
  parseTestQuality,
  parseYesNo,
} from "./parse_answer.ts";
export {
  type ChatMessage,
  formatFeedback,
  judgePairMessages,
  latestCode,
  refineMessages,
  sampleMessages,
  TASK_TOPICS,
  TASK_TWISTS,
  taskMessages,
  taskTheme,
  testQualityMessages,
} from "./prompts.ts";
export {
  type CallKind,
  DEFAULT_OPENAI_TEACHER_CONFIG,
  OpenAITeacher,
  type OpenAITeacherConfig,
  TeacherRequestError,
  type TeacherUsage,
} from "./openai_teacher.ts";
export {
  DEFAULT_FEEDBACK_LIMITS,
  feedbackFromResult,
  type FeedbackLimits,
  versionFromResult,
} from "./feedback.ts";
export {
  type CodeRunner,
  firstPassIteration,
  MALFORMED_ANSWER,
  refineTask,
  type RefineTaskOptions,
  trajectoryPassed,
} from "./refine_task.ts";
export { sampleTask, type SampleTaskOptions } from "./sample_task.ts";
export { ModelSampler, type ModelSamplerOptions } from "./model_sampler.ts";
export {
  COVERAGE_BINS,
  type CoverageBin,
  coverageBin,
  coverageBins,
  type CoverageCount,
  type CoverageFailure,
  coverageJob,
  coverageRate,
  type CoverageRecord,
  type CoverageRunner,
  coverageSitePackages,
  lowCoverage,
  measureCoverage,
} from "./test_coverage.ts";
export {
  type SamplingTables,
  samplingTables,
  type SamplingTablesOptions,
} from "./sampling_tables.ts";
export {
  type AnnotationCost,
  annotationCost,
  computeSynthStats,
  DIFF_SIZE_BUCKETS,
  type DiffSizeBucket,
  diffSizeBucket,
  formatSynthStats,
  isFailingCode,
  type PairDropRecord,
  type ResponseRecord,
  type SessionRecord,
  type SkipRecord,
  type SynthRecords,
  type SynthStats,
  type TestQualityRecord,
} from "./synth_stats.ts";
export {
  compareTaskIds,
  type PairBuilder,
  type PairOutcome,
  readSynthRecords,
  sortByTask,
  SYNTH_FILES,
  synthesize,
  type SynthesizeOptions,
  type SynthesizeResult,
  type SynthProgress,
} from "./synthesize.ts";
export { codeflowPairBuilder, type CodeflowPairOptions } from "./codeflow_pair_builder.ts";
