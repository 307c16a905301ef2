import assert from "node:assert/strict";
import { join } from "node:path";
import { loadHumanEval } from "../../lib/eval/load_humaneval.ts";
import { startOpenAITestServer } from "../../testing/openai/mod.ts";

const TOOL = new URL("../../tools/eval.ts", import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOOL, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("eval CLI: unknown flags and bad values fail with a message naming them", async () => {
  const bogus = await cli(["--bench", "humaneval", "--bogus", "1"]);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /eval: Unknown option '--bogus'/);
  const bench = await cli([
    "--bench",
    "nope",
    "--endpoint",
    "http://127.0.0.1:9/v1",
    "--model",
    "m",
  ]);
  assert.equal(bench.code, 1);
  assert.match(
    bench.stderr,
    /--bench: expected one of humaneval, humaneval\+, mbpp, mbpp-full, mbpp\+, bigcodebench-complete, bigcodebench-instruct, livecodebench, miniflow-test, found "nope"/,
  );
  const k = await cli([
    "--bench",
    "mbpp",
    "--endpoint",
    "http://127.0.0.1:9/v1",
    "--model",
    "m",
    "--k",
    "5",
  ]);
  assert.match(k.stderr, /--k: 5 is larger than --n 1/);
});

Deno.test({
  name: "eval CLI: table, resumable samples file, and refusal to resume with other settings",
  fn: async () => {
    const tasks = (await loadHumanEval()).slice(0, 2);
    const server = startOpenAITestServer([
      { prompt: tasks[0].prompt, answer: tasks[0].canonicalSolution },
      { prompt: tasks[1].prompt, answer: "    return []\n" },
    ]);
    const dir = await Deno.makeTempDir();
    const out = join(dir, "run");
    const args = [
      "--bench",
      "humaneval",
      "--limit",
      "2",
      "--endpoint",
      server.baseURL,
      "--model",
      "test-model",
      "--out",
      out,
      "--workers",
      "2",
    ];
    try {
      const first = await cli(args);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /\| humaneval \| test-model \| 2 \| 1 \| 50\.0 \|/);
      assert.match(first.stdout, /\| AssertionError \| 1 \|/);
      assert.match(first.stderr, /\[#{30}\] 2\/2 100%/);
      const lines = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n");
      assert.deepEqual(lines.map((l) => JSON.parse(l).verdict).sort(), ["fail", "pass"]);
      const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
      assert.deepEqual(summary.passAtK, { "pass@1": 0.5 });

      const again = await cli(args);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(server.requests, [1, 1]); // resumed: nothing generated twice

      const other = await cli([...args, "--n", "2", "--temperature", "0.8"]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /cannot resume: n was 1, now 2; use another --out/);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("eval CLI: an --out folder another process evaluates into fails at once naming it", async () => {
  const { lockFolder } = await import("../../lib/core/mod.ts");
  const out = await Deno.makeTempDir({ prefix: "eval-lock-" });
  const held = await lockFolder(out, "eval humaneval");
  try {
    const r = await cli([
      "--bench",
      "humaneval",
      "--endpoint",
      "http://127.0.0.1:9/v1",
      "--model",
      "m",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`eval: ${out} is in use by pid ${Deno.pid} \\(eval humaneval`),
    );
  } finally {
    await held.release();
  }
  await Deno.remove(out, { recursive: true });
});

Deno.test("eval CLI --samples: given solutions and completions, resumable, same table", async () => {
  const tasks = (await loadHumanEval()).slice(0, 3);
  const dir = await Deno.makeTempDir();
  const samples = join(dir, "samples.jsonl");
  await Deno.writeTextFile(
    samples,
    [
      { task_id: tasks[0].taskId, completion: tasks[0].canonicalSolution },
      { task_id: tasks[1].taskId, solution: tasks[1].prompt + "    return None\n" },
      { task_id: tasks[2].taskId, solution: tasks[2].prompt + tasks[2].canonicalSolution },
      { task_id: "HumanEval/100", solution: "x" }, // outside --limit: left out
    ].map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const out = join(dir, "out");
  const args = ["--bench", "humaneval", "--samples", samples, "--limit", "3", "--out", out];
  const first = await cli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /\| humaneval \| samples samples\.jsonl \| 3 \| 1 \| 66\.7 \|/);
  assert.match(first.stdout, /\| AssertionError \| 1 \|/);
  const again = await cli(args);
  assert.equal(again.stdout, first.stdout);
  const lines = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n");
  assert.equal(lines.length, 3, "the rerun checked nothing again");
  const other = await cli([...args.slice(0, 4), "--limit", "2", "--out", out]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /cannot resume: limit was "3", now "2"/);
  const canonical = await cli([
    "--bench",
    "humaneval",
    "--samples",
    "canonical",
    "--limit",
    "3",
    "--out",
    join(dir, "c"),
  ]);
  assert.match(canonical.stdout, /\| humaneval \| samples canonical \| 3 \| 1 \| 100\.0 \|/);
  await Deno.remove(dir, { recursive: true });
});
