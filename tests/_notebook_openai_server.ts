/**
 * Scripted OpenAI-compatible endpoints on 127.0.0.1 (the kit's only allowed test double) for the
 * endpoint runs of notebooks 01 (synthesis with an OpenAI-compatible teacher) and 12 (evaluation
 * of an endpoint), with the values those runs must display, worked out by hand from the scripts.
 *
 * Both servers listen in the test process; the notebook kernels reach them through
 * `KIT_ENDPOINT_URL` / `KIT_ENDPOINT_MODEL` (and 12's `KIT_EVAL_LIMIT`) read by the notebooks'
 * config cells.
 *
 * @module
 */
import { canonicalProgram, loadBenchmark } from "../lib/eval/mod.ts";
import type { BenchmarkName, BenchmarkTask } from "../lib/eval/types.ts";
import { generateTasks } from "../lib/miniflow/mod.ts";
import type { MiniflowTask } from "../lib/miniflow/types.ts";
import { Sandbox } from "../lib/sandbox/mod.ts";
import {
  type OpenAITestServer,
  type ServerTask,
  startOpenAITestServer,
} from "../testing/openai/mod.ts";
import { startTestServer, type TaskScript, type TestServer } from "../testing/openai/mod.ts";

const F = "`".repeat(3);

// --- 01_synthesis -------------------------------------------------------------------------------

/** Model name of the scripted teacher (a `/` exercises the run-folder name escaping). */
export const TEACHER_MODEL = "acme/teacher-7b";
/** API key the scripted teacher demands (so the notebook's `apiKeyEnv` path is exercised). */
export const TEACHER_API_KEY = "sk-notebook-test";

const _TESTS = "assert inc(1) == 2\nassert inc(5) == 6\n";
const _RIGHT = "def inc(x):\n    return x + 1\n";
const _WRONG = [
  "def inc(x):\n    return x + 2\n",
  "def inc(x):\n    return x - 1\n",
  "def inc(x):\n    return x * 2\n",
];

/**
 * The teacher's script of task index `i` (task ids `openai-<seed>-<i, 6 digits>`), by `i % 6`:
 * - 0: right at iteration 0;
 * - 1: one wrong version, fixed at iteration 1 (a pair);
 * - 2: two wrong versions, fixed at iteration 2 (a pair);
 * - 3: wrong for good: still failing after 5 refinements (discarded);
 * - 4: a comment line replaced by the fix, fixed at iteration 1: `D-` is the comment only, so the
 *   pair is dropped by the `comment-only` rule filter;
 * - 5: three wrong versions, fixed at iteration 3 (a pair).
 */
export function teacherScript(taskId: string): TaskScript {
  const m = /-(\d{6})$/.exec(taskId);
  if (m === null) {
    throw new Error(`teacherScript: expected a task id ending in -NNNNNN, found ${taskId}`);
  }
  const kind = Number(m[1]) % 6;
  const versions = [
    [_RIGHT],
    [_WRONG[0], _RIGHT],
    [_WRONG[0], _WRONG[1], _RIGHT],
    [_WRONG[0], _WRONG[1]],
    ["def inc(x):\n    # add one\n    return x\n", "def inc(x):\n    x = x + 1\n    return x\n"],
    [_WRONG[0], _WRONG[1], _WRONG[2], _RIGHT],
  ][kind];
  return {
    instruction: "Return x plus one.",
    entryPoint: "inc",
    tests: _TESTS,
    versions,
  };
}

/**
 * What the endpoint run of 01 displays for its `TASKS = 24` (4 tasks of each kind of
 * {@linkcode teacherScript}): 20 of 24 pass; 16 have a failing version; the 4 comment-only pairs
 * are dropped, leaving 12. Cumulative passes by iteration: 4 (kind 0), 12 (+ kinds 1 and 4),
 * 16 (+ kind 2), 20 (+ kind 5), then 20, 20.
 */
export const TEACHER_EXPECTED = Object.freeze({
  tasks: 24,
  funnelRows: [
    "| tasks finished | 24 |",
    "| trajectories | 24 |",
    "| passing within 5 refinements | 20 |",
    "| with a failing version (pair candidates) | 16 |",
    "| pairs after rule filters | 12 |",
    "| pairs after the judge | 12 |",
    "| dropped: comment-only | 4 |",
  ],
  passRows: [
    "| 0 | 4 | 16.7 |",
    "| 1 | 12 | 50.0 |",
    "| 2 | 16 | 66.7 |",
    "| 3 | 20 | 83.3 |",
    "| 4 | 20 | 83.3 |",
    "| 5 | 20 | 83.3 |",
  ],
  passRates: [4 / 24, 12 / 24, 16 / 24, 20 / 24, 20 / 24, 20 / 24],
  /** Annotation cost: 24 task and 48 refine calls, each version run once, over 12 kept pairs. */
  costRows: ["| teacher calls | 72 | 6.00 |", "| sandbox runs | 72 | 6.00 |"],
  /** Requests by step: one `task` per task; refinements 1 + 2 + 5 + 1 + 3 per 6 tasks. */
  requests: { task: 24, refine: 48 },
});

/** Start the scripted teacher of 01; `close()` it. */
export function startTeacherServer(): TestServer {
  return startTestServer({ fallback: teacherScript, apiKey: TEACHER_API_KEY });
}

/** Requests a teacher server served, summed by step kind (`task`, `refine`, …). */
export function requestsByStep(server: TestServer): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of server.requests) {
    const step = key.slice(key.lastIndexOf("/") + 1).split(":")[0];
    out[step] = (out[step] ?? 0) + n;
  }
  return out;
}

// --- 12_evaluate_endpoint -----------------------------------------------------------------------

/** Model name of the scripted endpoint of 12. */
export const ENDPOINT_MODEL = "acme/coder-7b";
/** Tasks per public benchmark in the endpoint run of 12 (`KIT_EVAL_LIMIT`). */
export const EVAL_LIMIT = 3;
/** MiniFlow test tasks of 12 (its `MINIFLOW_TASKS`, seed 1, split `test`). */
export const MINIFLOW_TASKS = 5;

/**
 * What the endpoint run of 12 displays: MiniFlow test tasks 0-2 answered with their reference
 * (3/5), HumanEval+ tasks 0 and 2 with their canonical solution (2/3), MBPP+ task 0 (1/3); the
 * others fail with the scripted error.
 */
export const ENDPOINT_EXPECTED = Object.freeze({
  rows: [
    `| MiniFlow test | ${ENDPOINT_MODEL} (endpoint) | 5 | 60.0 |`,
    `| humaneval+ | ${ENDPOINT_MODEL} (endpoint) | 3 | 66.7 |`,
    `| mbpp+ | ${ENDPOINT_MODEL} (endpoint) | 3 | 33.3 |`,
  ],
  errorRows: [
    "| MiniFlow test | NameError | 2 |",
    "| humaneval+ | NameError | 1 |",
    "| mbpp+ | NameError | 1 |",
    "| mbpp+ | SyntaxError | 1 |",
  ],
  chart: [
    { variant: "MiniFlow test", mean: 3 / 5 },
    { variant: "humaneval+", mean: 2 / 3 },
    { variant: "mbpp+", mean: 1 / 3 },
  ],
});

const _fenced = (code: string) => `Here is the solution.\n${F}python\n${code}${F}\n`;

/** A fenced whole-function answer that raises `NameError` when called. */
const _nameError = (entryPoint: string) =>
  _fenced(`def ${entryPoint}(*args):\n    return undefined_name\n`);

/** The scripted endpoint of 12 and the tasks it knows. */
export interface EndpointServer {
  readonly server: OpenAITestServer;
  /** Task ids in the order of `server.requests`. */
  readonly taskIds: readonly string[];
}

/**
 * Start the scripted endpoint of 12: it knows the first {@linkcode MINIFLOW_TASKS} MiniFlow test
 * tasks (seed 1, generated here with the sandbox exactly as the notebook's cache does) and the
 * first {@linkcode EVAL_LIMIT} tasks of HumanEval+ and MBPP+ (from the shared data folder through
 * lib/eval's loaders). Any other prompt gets a 400, which fails the notebook.
 */
export async function startEndpointServer(): Promise<EndpointServer> {
  const sandbox = new Sandbox({ workers: 2 });
  let miniflow: MiniflowTask[];
  try {
    miniflow = await generateTasks({
      seed: 1,
      split: "test",
      indices: Array.from({ length: MINIFLOW_TASKS }, (_, i) => i),
      sandbox,
    });
  } finally {
    await sandbox.close();
  }
  const bench = async (name: BenchmarkName): Promise<BenchmarkTask[]> =>
    (await loadBenchmark(name)).slice(0, EVAL_LIMIT);
  const [he, mbpp] = [await bench("humaneval+"), await bench("mbpp+")];
  const tasks: { id: string; task: ServerTask }[] = [
    ...miniflow.map((t, i) => ({
      id: t.taskId,
      task: {
        prompt: t.prompt,
        answer: i < 3 ? _fenced(t.prompt + t.solution) : _nameError(t.entryPoint),
      },
    })),
    ...he.map((t, i) => ({
      id: t.taskId,
      task: {
        prompt: t.prompt,
        answer: i === 1 ? _nameError(t.entryPoint) : _fenced(canonicalProgram(t)),
      },
    })),
    ...mbpp.map((t, i) => ({
      id: t.taskId,
      task: {
        prompt: t.prompt,
        answer: [
          _fenced(canonicalProgram(t)),
          _nameError(t.entryPoint),
          _fenced(`def ${t.entryPoint}(*args):\n    return (\n`),
        ][i],
      },
    })),
  ];
  return {
    server: startOpenAITestServer(tasks.map((t) => t.task)),
    taskIds: tasks.map((t) => t.id),
  };
}
