/**
 * MiniFlow against the real sandbox (lib/sandbox, real `/usr/bin/python3`): references pass,
 * injected bugs fail, trajectories converge, pass rates are calibrated, output is deterministic.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { atomicWrite, type CodeVersion, toJsonl } from "../../lib/core/mod.ts";
import {
  buildBaseCorpus,
  buildBenchmark,
  generateTasks,
  MiniFlowTeacher,
  readBenchmarkJsonl,
  renderBody,
} from "../../lib/miniflow/mod.ts";
import type { BugClass, PreparedTask } from "../../lib/miniflow/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { feedbackFromResult, versionFromResult } from "../../lib/synth/feedback.ts";
import type { TeacherTask } from "../../lib/synth/types.ts";

const _range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Run many programs' real assert tests in few sandbox runs: each job concatenates programs whose
 * function names differ, and their test lines. Returns, per program, its test outcomes.
 */
async function _packed(
  sandbox: Sandbox,
  programs: readonly { name: string; code: string; tests: string }[],
  perJob: number,
): Promise<boolean[][]> {
  const jobs: { members: number[]; names: Set<string> }[] = [];
  programs.forEach((p, i) => {
    let job = jobs.find((j) => j.members.length < perJob && !j.names.has(p.name));
    if (job === undefined) jobs.push(job = { members: [], names: new Set() });
    job.members.push(i);
    job.names.add(p.name);
  });
  const results = await sandbox.runMany(jobs.map((j) => ({
    code: j.members.map((i) => programs[i].code).join("\n"),
    tests: j.members.map((i) => programs[i].tests).join(""),
  })));
  const out: boolean[][] = programs.map(() => []);
  jobs.forEach((j, k) => {
    let t = 0;
    for (const i of j.members) {
      const n = programs[i].tests.trimEnd().split("\n").length;
      out[i] = results[k].tests.slice(t, t + n).map((o) => o.passed);
      assert.equal(
        out[i].length,
        n,
        `job ${k}: ${results[k].errorType} ${results[k].errorMessage}`,
      );
      t += n;
    }
  });
  return out;
}

/** A minimal refinement loop (the real one is lib/synth's): every live task once per iteration. */
async function _trajectories(
  teacher: MiniFlowTeacher,
  sandbox: Sandbox,
  tasks: readonly TeacherTask[],
  maxRefinements: number,
): Promise<CodeVersion[][]> {
  const histories: CodeVersion[][] = tasks.map(() => []);
  let live = tasks.map((task, i) => ({ task, i, code: task.code }));
  for (let iteration = 0; iteration <= maxRefinements && live.length > 0; iteration++) {
    const results = await sandbox.runMany(live.map((l) => ({ code: l.code, tests: l.task.tests })));
    const next: typeof live = [];
    for (const [j, l] of live.entries()) {
      const r = results[j];
      histories[l.i].push(versionFromResult(iteration, l.code, r));
      if (r.verdict === "pass" || iteration === maxRefinements) continue;
      const feedback = feedbackFromResult(r);
      const answer = await teacher.refine(l.task, histories[l.i], feedback);
      if (!answer.ok) throw new Error(answer.reason);
      next.push({ ...l, code: answer.value });
    }
    live = next;
  }
  return histories;
}

Deno.test("MiniFlow in the real sandbox", async (t) => {
  const sandbox = new Sandbox({ workers: 2 });
  try {
    const teacher = new MiniFlowTeacher(sandbox, { seed: 2026, distractorProbability: 0.5 });
    const prepared: PreparedTask[] = await teacher.prepare(_range(0, 500));

    await t.step("calibration on 500 tasks: 35% pass at iteration 0, ~67.5% after 5", async () => {
      const pass0 = prepared.filter((p) => p.plan.bugs.length === 0).length / 500;
      const fixable = prepared.filter((p) => p.plan.category === "fixable").length / 500;
      // Band: target +- 0.03 (the category sequence is low-discrepancy, so 500 tasks land close).
      assert.ok(Math.abs(pass0 - 0.35) <= 0.03, `iteration-0 pass rate ${pass0}`);
      assert.ok(Math.abs(pass0 + fixable - 0.675) <= 0.03, `final pass rate ${pass0 + fixable}`);
      for (const p of prepared) {
        if (p.plan.category === "fixable") {
          assert.ok(p.plan.bugs.length >= 1 && p.plan.bugs.length <= 3);
        }
        if (p.plan.hardKind === "too-many-bugs") assert.equal(p.plan.bugs.length, 6);
        if (p.plan.hardKind === "stubborn") {
          assert.ok(p.plan.bugs.some((b) => b.site === p.plan.stubbornSite));
        }
      }
      // The plans' verdicts are what the real tests say: run iteration 0 of 40 tasks as is.
      const proposed = await Promise.all(_range(0, 40).map((i) => teacher.proposeTask(i)));
      const results = await sandbox.runMany(proposed.map((a) => {
        if (!a.ok) throw new Error(a.reason);
        return { code: a.value.code, tests: a.value.tests };
      }));
      results.forEach((r, i) => {
        assert.equal(
          r.verdict === "pass",
          prepared[i].plan.bugs.length === 0,
          prepared[i].task.taskId,
        );
      });
    });

    await t.step("every reference passes its own tests (300 tasks, one runMany)", async () => {
      const tasks = prepared.slice(0, 300).map((p) => p.task);
      const outcomes = await _packed(
        sandbox,
        tasks.map((task) => ({
          name: task.entryPoint,
          code: task.prompt + task.solution,
          tests: task.tests,
        })),
        50,
      );
      outcomes.forEach((o, i) => assert.ok(o.every(Boolean), `${tasks[i].taskId}: ${o}`));
      for (const task of tasks) {
        const lines = task.solution.trimEnd().split("\n").length;
        assert.ok(lines >= 3 && lines <= 12, `${task.taskId}: ${lines} lines`);
        const tests = task.tests.trimEnd().split("\n");
        assert.ok(tests.length >= 5 && tests.length <= 10, `${task.taskId}: ${tests.length} tests`);
        assert.ok(tests.every((l) => l.startsWith(`assert ${task.entryPoint}(`)));
        assert.ok(task.prompt.startsWith(`def ${task.entryPoint}(${task.argName}):\n    """`));
        assert.ok(task.prompt.includes(`>>> ${task.entryPoint}(`));
      }
    });

    await t.step("every verified bug fails at least one real test", async () => {
      const classes = new Set<BugClass>(
        prepared.flatMap((p) => p.task.bugs.map((b) => b.bugClass)),
      );
      assert.deepEqual([...classes].sort(), [
        "missing-return",
        "off-by-one",
        "swapped-args",
        "wrong-aggregate",
        "wrong-constant",
        "wrong-init",
        "wrong-method",
        "wrong-operator",
        "wrong-return",
      ]);
      const withBugs = prepared.filter((p) => p.task.bugs.length > 0);
      assert.ok(withBugs.length >= 490, `${withBugs.length} of 500 tasks have a verified bug`);
      // Every verified bug of the first 60 tasks, run against the task's real assert lines
      // (renamed so that many mutants share a sandbox run).
      const programs = withBugs.slice(0, 60).flatMap((p) =>
        p.task.bugs.map((bug, j) => {
          const name = `${p.task.entryPoint}__m${j}`;
          return {
            name,
            code: `${p.task.prompt.replace(`def ${p.task.entryPoint}(`, `def ${name}(`)}${
              renderBody(p.task.program, [bug]).join("\n")
            }\n`,
            tests: p.task.tests.replaceAll(`assert ${p.task.entryPoint}(`, `assert ${name}(`),
            taskId: p.task.taskId,
          };
        })
      );
      assert.ok(programs.length > 250, `${programs.length} mutants`);
      const outcomes = await _packed(sandbox, programs, 60);
      outcomes.forEach((o, i) => assert.ok(o.some((passed) => !passed), programs[i].taskId));
    });

    await t.step("trajectories: <=5 fixable bugs end passing, one bug per refinement", async () => {
      const fixable = prepared.filter((p) => p.plan.category === "fixable").slice(0, 24);
      const hard = prepared.filter((p) => p.plan.category === "hard").slice(0, 4);
      const picked = [...fixable, ...hard];
      const tasks = await Promise.all(picked.map(async (p) => {
        const a = await teacher.proposeTask(p.task.index);
        if (!a.ok) throw new Error(a.reason);
        return a.value;
      }));
      const histories = await _trajectories(teacher, sandbox, tasks, 5);
      let distracted = 0;
      histories.forEach((h, i) => {
        const plan = picked[i].plan;
        const last = h[h.length - 1];
        if (plan.category === "fixable") {
          assert.equal(last.verdict, "pass", plan.taskId);
          assert.equal(last.iteration, plan.bugs.length, plan.taskId);
          assert.ok(h.slice(0, -1).every((v) => v.verdict !== "pass"));
        } else {
          assert.equal(h.length, 6, plan.taskId);
          assert.ok(h.every((v) => v.verdict !== "pass"), plan.taskId);
        }
        distracted += h.filter((v) => /^\s+# /m.test(v.code.slice(tasks[i].prompt.length))).length;
      });
      assert.ok(distracted > 0, "distractor comments appear with distractorProbability 0.5");
      const unknown = await teacher.refine(tasks[0], [{ ...histories[0][0], code: "x = 1\n" }], {
        verdict: "fail",
      });
      assert.equal(unknown.ok, false);
    });

    await t.step(
      "the debugger reverts the bug on the line quoted by the traceback first",
      async () => {
        const p = prepared.find((p) => p.plan.category === "fixable" && p.plan.bugs.length >= 2)!;
        const proposed = await teacher.proposeTask(p.task.index);
        if (!proposed.ok) throw new Error(proposed.reason);
        const task = proposed.value;
        const bugLine = (b: (typeof p.plan.bugs)[number]) =>
          renderBody(p.task.program, [b]).find((l) => !renderBody(p.task.program, []).includes(l));
        const [first, second] = p.plan.bugs;
        const version: CodeVersion = {
          iteration: 0,
          code: task.code,
          verdict: "fail",
          passedTests: 0,
          totalTests: 8,
        };
        // The quoted line is the second bug's (unless it is a deleted return, which cannot be quoted).
        const quoted = second.bugClass === "missing-return" ? undefined : bugLine(second);
        const tb = `  File "<candidate>", line 9, in ${task.entryPoint}\n${
          quoted ?? "    pass"
        }\nTypeError: boom`;
        const fresh = new MiniFlowTeacher(sandbox, { seed: 2026, distractorProbability: 0 });
        const again = await fresh.proposeTask(p.task.index);
        assert.ok(again.ok && again.value.code === task.code);
        const fixed = await fresh.refine(task, [version], { verdict: "error", tracebackTail: tb });
        if (!fixed.ok) throw new Error(fixed.reason);
        const reverted = quoted === undefined ? first : second;
        const kept = quoted === undefined ? second : first;
        const expected = `${p.task.prompt}${
          renderBody(p.task.program, p.plan.bugs.filter((b) => b !== reverted)).join("\n")
        }\n`;
        assert.equal(fixed.value, expected);
        assert.ok(renderBody(p.task.program, [kept]).every((l) => expected.includes(l)));
      },
    );

    await t.step("determinism: the same seed gives byte-identical JSONL files", async () => {
      const dir = await Deno.makeTempDir({ prefix: "miniflow_test_" });
      try {
        const files: string[] = [];
        for (const run of [0, 1]) {
          const tasks = await generateTasks({
            seed: 99,
            split: "test",
            indices: _range(0, 40),
            sandbox,
          });
          const corpus = await buildBaseCorpus({
            seed: 99,
            indices: _range(0, 40),
            sandbox,
            buggyFraction: 0.5,
          });
          const bench = await buildBenchmark({ seed: 99, count: 40, sandbox });
          for (
            const [name, records] of [["tasks", tasks], ["corpus", corpus], [
              "bench",
              bench,
            ]] as const
          ) {
            const path = join(dir, `${name}_${run}.jsonl`);
            await atomicWrite(path, toJsonl(records));
            files.push(path);
          }
        }
        for (let k = 0; k < 3; k++) {
          const [a, b] = [await Deno.readFile(files[k]), await Deno.readFile(files[k + 3])];
          assert.ok(a.length > 1000);
          assert.deepEqual(a, b, files[k]);
        }
        const bench = await readBenchmarkJsonl(files[2]);
        assert.equal(bench.length, 40);
        assert.deepEqual(Object.keys(bench[0]), ["taskId", "prompt", "entryPoint", "tests"]);
        assert.equal(bench[7].taskId, "miniflow/test/7");
        const bad = join(dir, "bad.jsonl");
        await Deno.writeTextFile(
          bad,
          `${JSON.stringify(bench[0])}\n{"taskId": "x", "prompt": 1}\n`,
        );
        await assert.rejects(() => readBenchmarkJsonl(bad), {
          message: `${bad}:2: field "prompt": expected string, found 1`,
        });
        const corpus = (await Deno.readTextFile(files[1])).trimEnd().split("\n").map((l) =>
          JSON.parse(l)
        );
        const buggy = corpus.filter((d) => d.buggy).length;
        assert.ok(buggy >= 18 && buggy <= 22, `${buggy} of 40 buggy at p = 0.5`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  } finally {
    await sandbox.close();
  }
});
