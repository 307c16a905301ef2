/**
 * Evaluation: benchmark loaders (HumanEval, MBPP, HumanEval+, MBPP+), sandboxed checking with
 * EvalPlus-style differential testing, unbiased pass@k, the error taxonomy, and model evaluation
 * against any OpenAI-compatible endpoint with resumable results (DESIGN §5 "Evaluation").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passAtK } from "./mod.ts";
 * assert.equal(passAtK(10, 0, 1), 0);
 * ```
 *
 * @module
 */
export {
  BENCHMARK_NAMES,
  type BenchmarkName,
  type BenchmarkTask,
  canonicalProgram,
  type PlusInputs,
  type PromptStyle,
  type SampleResult,
  type SourceRef,
} from "./types.ts";
export {
  benchmarkDataDirs,
  type DataDirOptions,
  REPO_ROOT,
  resolveBenchmarkFile,
} from "./data_dir.ts";
export { HUMANEVAL_FILE, loadHumanEval, readHumanEval } from "./load_humaneval.ts";
export {
  loadMbppFull,
  loadMbppSanitized,
  MBPP_FULL_FILE,
  MBPP_SANITIZED_FILE,
  mbppEntryPoint,
  mbppPrompt,
  readMbppFull,
  readMbppSanitized,
} from "./load_mbpp.ts";
export {
  HUMANEVAL_PLUS_FILE,
  loadHumanEvalPlus,
  loadMbppPlus,
  MBPP_PLUS_FILE,
  readHumanEvalPlus,
  readMbppPlus,
} from "./load_evalplus.ts";
export { benchmarkFile, loadBenchmark, readBenchmark } from "./load_benchmark.ts";
export {
  BIGCODEBENCH_CHAT_PREFIX,
  BIGCODEBENCH_FILE,
  BIGCODEBENCH_SPLITS,
  bigCodeBenchChatPrompt,
  type BigCodeBenchSplit,
  readBigCodeBench,
  readTaskSubset,
} from "./load_bigcodebench.ts";
export {
  BCB_PRE_IMPORT,
  BCB_PROGRAM_ENV,
  type BcbEnvironment,
  bcbEnvironment,
  bcbSandboxConfig,
} from "./bcb_env.ts";
export { givenProgram, type GivenSample, readSamplesFile } from "./samples_file.ts";
export {
  HUMANEVAL_PLUS_ORACLES,
  MBPP_PLUS_DECODERS,
  MBPP_PLUS_ORACLES,
  mbppPlusDecodeExpression,
  type MbppPlusDecoder,
} from "./mbpp_plus_decoders.ts";
export {
  DEFAULT_PLUS_CHECK_OPTIONS,
  type ExpectedOutputs,
  oracleOutputs,
  PLUS_INPUTS_SOURCE,
  plusCheckJob,
  type PlusCheckOptions,
  plusChecks,
  plusInputCount,
  plusOracleJob,
} from "./plus_program.ts";
export {
  BenchmarkRunner,
  type BenchmarkRunnerConfig,
  type CheckResult,
  DEFAULT_BENCHMARK_RUNNER_CONFIG,
  sha256File,
  testJob,
} from "./benchmark_runner.ts";
export { meanPassAtK, passAtK, type TaskCounts } from "./pass_at_k.ts";
export {
  errorCategory,
  type ErrorHistogram,
  errorHistogram,
  type ErrorOutcome,
} from "./error_histogram.ts";
export { buildProgram, extractCode } from "./sanitize.ts";
export {
  type CodeModel,
  type GenerationOptions,
  type GenerationRequest,
  GREEDY_GENERATION,
  type TokenUsage,
} from "./code_model.ts";
export {
  chatInstruction,
  DEFAULT_OPENAI_CODE_MODEL_CONFIG,
  ENDPOINT_MODES,
  type EndpointMode,
  OpenAICodeModel,
  type OpenAICodeModelConfig,
} from "./openai_code_model.ts";
export { ResultsFile } from "./results_file.ts";
export {
  evaluateModel,
  type EvaluateModelOptions,
  evaluateSamples,
  type EvaluateSamplesOptions,
  type EvaluationSummary,
  summarizeByDifficulty,
  summarizeSamples,
} from "./evaluate.ts";
export {
  decodePrivateTests,
  LCB_DIFFICULTIES,
  type LcbDifficulty,
  type LcbProblem,
  lcbPrompt,
  lcbTask,
  type LcbTest,
  type LcbWindow,
  LIVECODEBENCH_DIR,
  readLiveCodeBench,
  readLiveCodeBenchTasks,
} from "./load_livecodebench.ts";
export { unpickleString } from "./restricted_pickle.ts";
