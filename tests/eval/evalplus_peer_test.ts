/**
 * The kit and EvalPlus (PyPI evalplus 0.3.1, its own evaluator in its own process) score the same
 * samples: canonical solutions and mechanical mutants of them, on HumanEval+ and MBPP+ tasks that
 * include every special-oracle task and a dict-subclass (Counter) output. Verdicts agree except
 * for one documented EvalPlus defect: in release 0.3.1, HumanEval/32's oracle `continue`s
 * without marking the input passed, so no sample of it ever passes there (fixed on EvalPlus's
 * main branch, which the kit follows).
 */
import assert from "node:assert/strict";
import { BenchmarkRunner } from "../../lib/eval/benchmark_runner.ts";
import {
  benchmarkFile,
  type BenchmarkName,
  type BenchmarkTask,
  canonicalProgram,
  loadBenchmark,
  resolveBenchmarkFile,
} from "../../lib/eval/mod.ts";
import { peerPython } from "../../testing/evalplus_peer/mod.ts";

const TASKS: Readonly<Record<"humaneval+" | "mbpp+", readonly string[]>> = {
  "humaneval+": ["HumanEval/0", "HumanEval/2", "HumanEval/12", "HumanEval/32", "HumanEval/53"],
  "mbpp+": [
    "Mbpp/2",
    "Mbpp/3",
    "Mbpp/88",
    "Mbpp/558",
    "Mbpp/581",
    "Mbpp/737",
    "Mbpp/787",
    "Mbpp/794",
    "Mbpp/17",
  ],
};

/** Output mutations, as Python expressions over the canonical output `o`. */
const MUTATIONS: Readonly<Record<string, string>> = {
  canonical: "o",
  none: "None",
  str: "str(o)",
  negate: "(not o) if type(o) is bool else -o if type(o) in (int, float) else " +
    "o[::-1] if type(o) in (list, tuple, str) else o",
  "float-tiny": "o + 1e-9 * abs(o) if type(o) is float else o",
  "float-large": "o * 1.001 + 1e-3 if type(o) is float else o",
  "plain-dict": "dict(o) if isinstance(o, dict) else o",
  "none-as-false": "False if o is None else o",
  tuple: "tuple(o) if type(o) is list else o",
};

function mutant(task: BenchmarkTask, mutation: string): string {
  const e = task.entryPoint;
  return `${canonicalProgram(task)}\n\n_kit_orig = ${e}\n\ndef ${e}(*a, **k):\n` +
    `    o = _kit_orig(*a, **k)\n    return ${mutation}\n`;
}

async function peerVerdicts(
  bench: "humaneval+" | "mbpp+",
  samples: { task_id: string; solution: string }[],
): Promise<string[]> {
  const child = new Deno.Command(await peerPython(), {
    args: [new URL("../../testing/evalplus_peer/peer.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({
    dataset: bench === "humaneval+" ? "humaneval" : "mbpp",
    data: resolveBenchmarkFile(benchmarkFile(bench as BenchmarkName)),
    samples,
  })));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).slice(-2000));
  return JSON.parse(new TextDecoder().decode(out.stdout)).verdicts;
}

for (const bench of ["humaneval+", "mbpp+"] as const) {
  Deno.test(`EvalPlus peer: the kit's ${bench} verdicts agree with EvalPlus's own`, async () => {
    const all = await loadBenchmark(bench);
    const tasks = TASKS[bench].map((id) => all.find((t) => t.taskId === id)!);
    const samples = tasks.flatMap((t) =>
      Object.entries(MUTATIONS).map(([name, m]) => ({ task: t, name, code: mutant(t, m) }))
    );
    const runner = new BenchmarkRunner({ sandbox: { workers: 2 } });
    let kit: string[];
    try {
      await runner.prepare(tasks);
      kit = (await Promise.all(samples.map((s) => runner.check(s.task, s.code))))
        .map((r) => r.verdict);
    } finally {
      await runner.close();
    }
    const peer = await peerVerdicts(
      bench,
      samples.map((s) => ({ task_id: s.task.taskId, solution: s.code })),
    );
    const passes = (v: string) => v === "pass";
    const disagree = samples.filter((_, i) => passes(kit[i]) !== passes(peer[i]))
      .map((s, _i) => `${s.task.taskId} ${s.name}`);
    const defect = samples.filter((s, i) =>
      s.task.taskId === "HumanEval/32" && passes(kit[i]) && !passes(peer[i])
    ).map((s) => `${s.task.taskId} ${s.name}`);
    assert.deepEqual(disagree, defect, `kit ${kit.join(",")}\npeer ${peer.join(",")}`);
    if (bench === "humaneval+") assert.ok(defect.includes("HumanEval/32 canonical"));
    // The mutants are not all trivial: both evaluators fail some and pass some.
    assert.ok(kit.filter(passes).length > tasks.length && kit.some((v) => !passes(v)));
  });
}
