/**
 * Generate complete MiniFlow tasks: run each reference solution in the sandbox on its generated
 * inputs to get the expected outputs (the tests), then keep the single-site bugs that make at
 * least one of those tests fail.
 *
 * @module
 */
import { chunks, pyFunction, wrap } from "./_python.ts";
import type { SplitFractions } from "./compositions.ts";
import { renderBody } from "./program.ts";
import { buildTaskSpec } from "./task_spec.ts";
import { verifyMutants } from "./verify_mutants.ts";
import type {
  MiniflowCase,
  MiniflowSplit,
  MiniflowTask,
  MiniflowTaskSpec,
  Mutation,
  SandboxRunner,
  VerifiedBug,
} from "./types.ts";

/** Options of {@link generateTasks}. */
export interface GenerateTasksOptions {
  /** Benchmark seed. */
  readonly seed: number;
  readonly split: MiniflowSplit;
  /** Task numbers to generate. */
  readonly indices: readonly number[];
  /** Sandbox that runs the references and the mutants (the real `Sandbox` of lib/sandbox). */
  readonly sandbox: SandboxRunner;
  /** Held-out fractions of compositions. @default DEFAULT_SPLIT_FRACTIONS */
  readonly fractions?: SplitFractions;
  /** Generated inputs per task (5–10). @default 8 */
  readonly cases?: number;
  /** Tasks packed into one sandbox run. @default 50 */
  readonly tasksPerRun?: number;
}

/** Fewest tests a task may keep after dropping inputs on which its reference raised. */
export const MIN_TESTS = 5;

const _MARK = "@@mf";

/** The HumanEval-style prompt of a task: signature and a docstring with one example. */
export function renderPrompt(spec: MiniflowTaskSpec, example: MiniflowCase): string {
  const doc = wrap(spec.description, 88).map((l) => `    ${l}`);
  doc[0] = `    """${doc[0].trimStart()}`;
  return [
    `def ${spec.entryPoint}(${spec.argName}):`,
    ...doc,
    "",
    `    >>> ${spec.entryPoint}(${example.input})`,
    `    ${example.expected}`,
    `    """`,
    "",
  ].join("\n");
}

/** The assert-based tests of a task, one statement per line. */
export function renderTests(entryPoint: string, cases: readonly MiniflowCase[]): string {
  return cases.map((c) => `assert ${entryPoint}(${c.input}) == ${c.expected}`).join("\n") + "\n";
}

async function _expectedOutputs(
  specs: readonly MiniflowTaskSpec[],
  sandbox: SandboxRunner,
  tasksPerRun: number,
): Promise<MiniflowCase[][]> {
  const groups = chunks(specs.map((spec, i) => ({ spec, i })), tasksPerRun);
  const jobs = groups.map((group) => ({
    code: group.map(({ spec, i }) => pyFunction(spec, `_mf_t${i}`, [])).join("\n"),
    tests:
      group.flatMap(({ spec, i }) =>
        spec.inputs.map((input, j) =>
          `print(${JSON.stringify(_MARK)}, ${i}, ${j}, repr(_mf_t${i}(${input})))`
        )
      ).join("\n") + "\n",
  }));
  const results = await sandbox.runMany(jobs);
  const outputs = specs.map((s) => s.inputs.map((): string | undefined => undefined));
  results.forEach((result, g) => {
    for (const line of result.stdout.split("\n")) {
      const m = /^@@mf (\d+) (\d+) (.*)$/.exec(line);
      if (m === null) continue;
      const [i, j] = [Number(m[1]), Number(m[2])];
      if (outputs[i]?.[j] === undefined && groups[g].some((x) => x.i === i)) outputs[i][j] = m[3];
    }
  });
  return specs.map((spec, i) => {
    const cases: MiniflowCase[] = [];
    spec.inputs.forEach((input, j) => {
      const expected = outputs[i][j];
      if (expected !== undefined) cases.push({ input, expected });
    });
    if (cases.length < MIN_TESTS) {
      throw new Error(
        `MiniFlow ${spec.taskId} (${spec.compositionKey}): the reference produced only ` +
          `${cases.length} of ${spec.inputs.length} outputs in the sandbox, expected >= ${MIN_TESTS}`,
      );
    }
    return cases;
  });
}

/**
 * The docstring example: the first generated (non-edge) case whose output differs from the
 * empty-input output, else the third case.
 */
export function pickExample(cases: readonly MiniflowCase[]): MiniflowCase {
  const generated = cases.slice(2);
  return generated.find((c) => c.expected !== cases[0].expected) ??
    cases[Math.min(2, cases.length - 1)];
}

/** Every single-site bug of a program, in site order. */
export function singleMutations(spec: MiniflowTaskSpec): Mutation[] {
  return spec.program.sites.flatMap((site) =>
    site.alternatives.map((_, alternative) => ({ site: site.id, alternative }))
  );
}

/**
 * Generate tasks `indices` of a split: references are run in the sandbox to produce the
 * expected outputs, and every single-site bug is kept only if it fails at least one test.
 */
export async function generateTasks(options: GenerateTasksOptions): Promise<MiniflowTask[]> {
  const tasksPerRun = options.tasksPerRun ?? 50;
  const specs = options.indices.map((index) =>
    buildTaskSpec({
      seed: options.seed,
      split: options.split,
      index,
      fractions: options.fractions,
      cases: options.cases,
    })
  );
  const allCases = await _expectedOutputs(specs, options.sandbox, tasksPerRun);
  const singles = specs.map(singleMutations);
  const kills = await verifyMutants(
    specs.map((spec, i) => ({ spec, cases: allCases[i], mutants: singles[i].map((m) => [m]) })),
    { sandbox: options.sandbox, tasksPerRun },
  );
  return specs.map((spec, i) => {
    const cases = allCases[i];
    const example = pickExample(cases);
    const bugs: VerifiedBug[] = singles[i].filter((_, j) => kills[i][j]).map((m) => {
      const site = spec.program.sites[m.site];
      return { ...m, bugClass: site.bugClass, line: site.line };
    });
    return {
      ...spec,
      prompt: renderPrompt(spec, example),
      solution: renderBody(spec.program, []).join("\n") + "\n",
      tests: renderTests(spec.entryPoint, cases),
      cases,
      bugs,
    };
  });
}
