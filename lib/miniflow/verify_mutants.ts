/**
 * Run sets of injected bugs against a task's cases in the sandbox and report which of them make
 * at least one test fail ("kill" the tests).
 *
 * Many mutants of many tasks share one sandbox run: each mutant is a renamed copy of the
 * function, and each `assert _mf_kills(...)` statement is one sandbox test that passes when the
 * mutant fails some case (a wrong value or any exception), with the same `==` semantics as the
 * task's own `assert f(x) == y` tests.
 *
 * @module
 */
import { chunks, pyFunction } from "./_python.ts";
import type { MiniflowCase, MiniflowTaskSpec, Mutation, SandboxRunner } from "./types.ts";

/** One task and the bug sets to check on it. */
export interface MutantQuery {
  readonly spec: MiniflowTaskSpec;
  readonly cases: readonly MiniflowCase[];
  /** Each entry is one mutant: a set of bugs injected together. */
  readonly mutants: readonly (readonly Mutation[])[];
}

/** Options of {@link verifyMutants}. */
export interface VerifyMutantsOptions {
  readonly sandbox: SandboxRunner;
  /** Tasks packed into one sandbox run. @default 50 */
  readonly tasksPerRun?: number;
}

const _HELPER = `import copy


def _mf_kills(fn, cases):
    for arg, expected in cases:
        try:
            if fn(copy.deepcopy(arg)) != expected:
                return True
        except Exception:
            return True
    return False
`;

/**
 * For each query, for each mutant: true when the mutant fails at least one case. Throws when a
 * sandbox run does not complete (a generator defect, never a property of one mutant).
 */
export async function verifyMutants(
  queries: readonly MutantQuery[],
  options: VerifyMutantsOptions,
): Promise<boolean[][]> {
  const groups = chunks(queries.map((q, i) => ({ q, i })), options.tasksPerRun ?? 50);
  const jobs = groups.map((group) => {
    const code = [_HELPER];
    const tests: string[] = [];
    for (const { q, i } of group) {
      code.push(`_mf_c${i} = [${q.cases.map((c) => `(${c.input}, ${c.expected})`).join(", ")}]\n`);
      q.mutants.forEach((mutant, j) => {
        code.push(pyFunction(q.spec, `_mf_t${i}_m${j}`, mutant));
        tests.push(`assert _mf_kills(_mf_t${i}_m${j}, _mf_c${i})`);
      });
    }
    return { code: code.join("\n"), tests: tests.join("\n") + "\n" };
  });
  const results = await options.sandbox.runMany(jobs);
  const out: boolean[][] = queries.map((q) => q.mutants.map(() => false));
  groups.forEach((group, g) => {
    const result = results[g];
    const expected = group.reduce((n, { q }) => n + q.mutants.length, 0);
    if (result.tests.length !== expected || result.verdict === "timeout") {
      throw new Error(
        `mutant verification of ${group.map(({ q }) => q.spec.taskId).join(", ")} did not ` +
          `complete: verdict ${result.verdict}, ${result.tests.length}/${expected} tests, ` +
          `${result.errorType ?? ""}: ${result.errorMessage ?? ""}`,
      );
    }
    let t = 0;
    for (const { q, i } of group) {
      for (let j = 0; j < q.mutants.length; j++) out[i][j] = result.tests[t++].passed;
    }
  });
  return out;
}
