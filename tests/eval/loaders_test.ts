import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { benchmarkDataDirs, resolveBenchmarkFile } from "../../lib/eval/data_dir.ts";
import { loadBenchmark } from "../../lib/eval/load_benchmark.ts";
import { readHumanEval } from "../../lib/eval/load_humaneval.ts";
import { readMbppSanitized } from "../../lib/eval/load_mbpp.ts";
import { readMbppPlus } from "../../lib/eval/load_evalplus.ts";

Deno.test({
  name: "HumanEval: 164 check-style tasks with prompts and entry points",
  fn: async () => {
    const tasks = await loadBenchmark("humaneval");
    assert.equal(tasks.length, 164);
    assert.equal(tasks[0].taskId, "HumanEval/0");
    assert.equal(tasks[0].entryPoint, "has_close_elements");
    assert.equal(tasks[163].taskId, "HumanEval/163");
    assert.ok(tasks.every((t) => t.testStyle === "check" && t.promptStyle === "complete"));
    assert.match(tasks[0].tests, /def check\(candidate\):/);
    assert.equal(tasks[0].source.line, 1);
    assert.equal(tasks[163].source.line, 164);
  },
});

Deno.test({
  name: "MBPP: sanitized 427 and full 974 tasks; entry points from the first test; setup kept",
  fn: async () => {
    const sanitized = await loadBenchmark("mbpp");
    assert.equal(sanitized.length, 427);
    assert.equal(sanitized[0].taskId, "2");
    assert.equal(sanitized[0].entryPoint, "similar_elements");
    assert.equal(sanitized[426].taskId, "809");
    assert.match(sanitized[0].prompt, /^"""\nWrite a function to find the shared elements/);
    const full = await loadBenchmark("mbpp-full");
    assert.equal(full.length, 974);
    const t367 = full.find((t) => t.taskId === "367")!;
    assert.match(t367.testSetup ?? "", /^root = Node\(1\) \n/); // CRLF normalised
    assert.equal(full.filter((t) => t.testSetup !== undefined).length, 2);
    assert.ok(!full.some((t) => t.canonicalSolution.includes("\r")));
  },
});

Deno.test({
  name: "EvalPlus: input counts, raw JSON inputs keep big integers and Infinity",
  fn: async () => {
    const he = await loadBenchmark("humaneval+");
    assert.equal(he.length, 164);
    assert.equal(he.reduce((a, t) => a + t.plus!.baseCount, 0), 1570);
    assert.equal(he.reduce((a, t) => a + t.plus!.plusCount, 0), 122683);
    const mb = await loadBenchmark("mbpp+");
    assert.equal(mb.length, 378);
    assert.equal(mb.reduce((a, t) => a + t.plus!.baseCount, 0), 1174);
    assert.equal(mb.reduce((a, t) => a + t.plus!.plusCount, 0), 39841);
    const t404 = mb.find((t) => t.taskId === "Mbpp/404")!;
    assert.ok(t404.plus!.plusInputJson.includes("[9999999999999999999999999, -1e+100]"));
    assert.ok(t404.plus!.plusInputJson.includes("[-Infinity, Infinity]"));
    const t793 = mb.find((t) => t.taskId === "Mbpp/793")!; // plus_input is {} in the file
    assert.equal(t793.plus!.plusInputJson, "[]");
    assert.equal(
      mb.find((t) => t.taskId === "Mbpp/252")!.plus!.decodeInputs,
      "[[complex(args[0])] for args in inputs]",
    );
    assert.equal(mb[0].plus!.atol, 0);
    const oracles = (tasks: typeof mb) =>
      tasks.filter((t) => t.plus!.oracle).map((t) => `${t.taskId} ${t.plus!.oracle}`);
    assert.deepEqual(oracles(mb), [
      "Mbpp/2 set-equal",
      "Mbpp/7 set-equal",
      "Mbpp/111 set-equal",
      "Mbpp/140 set-equal",
      "Mbpp/232 set-equal",
      "Mbpp/558 digit-distance",
      "Mbpp/579 set-equal",
      "Mbpp/581 surface-area",
      "Mbpp/737 not-none",
      "Mbpp/769 set-equal",
      "Mbpp/787 not-none",
      "Mbpp/794 not-none",
    ]);
    assert.deepEqual(oracles(he), ["HumanEval/32 poly-root"]);
    assert.equal(he[0].plus!.atol, 0);
  },
});

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  return await Array.fromAsync(gen);
}

Deno.test("loader errors name the file, the line and the field", async () => {
  const dir = await Deno.makeTempDir();
  const good = {
    task_id: "T/0",
    prompt: "def f():\n",
    entry_point: "f",
    canonical_solution: "  return 1\n",
    test: "",
  };
  const file = join(dir, "he.jsonl.gz");
  const lines = [JSON.stringify(good), JSON.stringify({ ...good, entry_point: 3 }), "{oops"];
  await Deno.writeFile(file, gzipSync(new TextEncoder().encode(lines.join("\n") + "\n")));
  await assert.rejects(
    collect(readHumanEval(file)),
    new Error(`${file}:2: field "entry_point": expected a string, found number 3`),
  );
  const bad = join(dir, "bad.jsonl");
  await Deno.writeTextFile(bad, JSON.stringify(good) + "\n\n{oops\n");
  await assert.rejects(
    collect(readHumanEval(bad)),
    (e: Error) => e.message.startsWith(`${bad}:3: invalid JSON:`),
  );

  const arr = join(dir, "sanitized.json");
  const el = {
    source_file: "x",
    task_id: 5,
    prompt: "Add.",
    code: "def add(a):\n    return a\n",
    test_imports: [],
    test_list: ["assert add(1) == 1"],
  };
  await Deno.writeTextFile(
    arr,
    `[\n${JSON.stringify(el)},\n${JSON.stringify({ ...el, test_list: "nope" })}\n]`,
  );
  await assert.rejects(
    collect(readMbppSanitized(arr)),
    new Error(`${arr}:3: field "test_list": expected an array of strings, found the string "nope"`),
  );
  await Deno.writeTextFile(arr, `[${JSON.stringify(el)}, ${JSON.stringify(el)}]`);
  const two = await collect(readMbppSanitized(arr));
  assert.deepEqual(two.map((t) => [t.taskId, t.entryPoint, t.source.line]), [["5", "add", 1], [
    "5",
    "add",
    1,
  ]]);
  await Deno.writeTextFile(arr, `[${JSON.stringify(el)}`);
  await assert.rejects(
    collect(readMbppSanitized(arr)),
    new Error(`${arr}: line 1: the JSON array is not closed`),
  );

  const plus = join(dir, "plus.jsonl");
  const rec = {
    task_id: "Mbpp/9",
    prompt: "",
    entry_point: "f",
    canonical_solution: "",
    base_input: [[1]],
    atol: 0,
    plus_input: 7,
    contract: "",
    assertion: "",
  };
  await Deno.writeTextFile(plus, JSON.stringify(rec) + "\n");
  await assert.rejects(
    collect(readMbppPlus(plus)),
    new Error(`${plus}:1: field "plus_input": expected an array of argument lists, found "7"`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("data directory order: explicit, <repo>/data/benchmarks, then <repo>/../shared/data", async () => {
  const root = await Deno.makeTempDir();
  const repo = join(root, "repo");
  const rel = "humaneval/HumanEval.jsonl.gz";
  await Deno.mkdir(join(root, "shared", "data", "humaneval"), { recursive: true });
  await Deno.writeTextFile(join(root, "shared", "data", rel), "");
  assert.deepEqual(benchmarkDataDirs({ repoRoot: repo }), [
    join(repo, "data", "benchmarks"),
    join(root, "shared", "data"),
  ]);
  assert.equal(resolveBenchmarkFile(rel, { repoRoot: repo }), join(root, "shared", "data", rel));
  await Deno.mkdir(join(repo, "data", "benchmarks", "humaneval"), { recursive: true });
  await Deno.writeTextFile(join(repo, "data", "benchmarks", rel), "");
  assert.equal(
    resolveBenchmarkFile(rel, { repoRoot: repo }),
    join(repo, "data", "benchmarks", rel),
  );
  assert.throws(
    () => resolveBenchmarkFile(rel, { dataDir: join(root, "elsewhere") }),
    new RegExp(`benchmark file ${rel} not found; looked at ${join(root, "elsewhere", rel)}\\.`),
  );
  await Deno.remove(root, { recursive: true });
});
