import assert from "node:assert/strict";
import { join } from "node:path";
import { readLiveCodeBench, unpickleString } from "../../lib/eval/mod.ts";
import { KIT_ROOT } from "../../testing/cli/mod.ts";

/**
 * Writes a release-format fixture (`code_generation_lite` fields): private tests as plain JSON or
 * as base64 of zlib of a pickle, made by Python's own pickle.
 */
const FIXTURE = String.raw`
import base64, json, pickle, sys, zlib
def packed(tests):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()
def problem(qid, date, difficulty, starter, public, private, meta, pack=True):
    return {"question_title": qid, "question_content": "Solve " + qid, "platform": "atcoder",
            "question_id": qid, "contest_id": "c1", "contest_date": date, "starter_code": starter,
            "difficulty": difficulty, "public_test_cases": json.dumps(public),
            "private_test_cases": packed(private) if pack else json.dumps(private),
            "metadata": json.dumps(meta)}
stdin = lambda i, o: {"input": i, "output": o, "testtype": "stdin"}
fn = lambda i, o: {"input": i, "output": o, "testtype": "functional"}
rows = [
    problem("add", "2023-06-01T00:00:00", "easy", "", [stdin("1 2\n", "3\n")],
            [stdin("5 7\n", "12\n"), stdin("0.5 1\n", "1.50\n")], {}),
    problem("twosum", "2024-03-01T00:00:00", "medium",
            "class Solution:\n    def twoSum(self, nums, target):\n        ",
            [fn("[2,7,11,15]\n9", "[0, 1]")], [fn("[3,2,4]\n6", "[1, 2]")],
            {"func_name": "twoSum"}, pack=False),
    problem("old", "2022-01-01T00:00:00", "hard", "", [stdin("\n", "x\n")], [], {}),
]
for r in rows:
    print(json.dumps(r))
if sys.argv[1:] == ["evil"]:
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ("touch /tmp/lcb-pwned",))
    bad = dict(rows[0], question_id="evil",
               private_test_cases=base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode())
    print(json.dumps(bad))
`;

async function fixture(dir: string, evil = false): Promise<string> {
  const out = await new Deno.Command("python3", {
    args: ["-c", FIXTURE, ...(evil ? ["evil"] : [])],
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  const path = join(dir, "livecodebench", evil ? "evil.jsonl" : "test.jsonl");
  await Deno.mkdir(join(dir, "livecodebench"), { recursive: true });
  await Deno.writeFile(path, out.stdout);
  return path;
}

Deno.test("LiveCodeBench: release files load, private tests decode, the date window applies", async () => {
  const dir = await Deno.makeTempDir();
  const file = await fixture(dir);
  const all = await readLiveCodeBench(file);
  assert.deepEqual(all.map((p) => [p.questionId, p.testType, p.difficulty, p.tests.length]), [
    ["add", "stdin", "easy", 3],
    ["twosum", "functional", "medium", 2],
    ["old", "stdin", "hard", 1],
  ]);
  assert.equal(all[1].funcName, "twoSum");
  assert.deepEqual(all[0].tests[1], { input: "5 7\n", output: "12\n" });
  const v5 = await readLiveCodeBench(join(dir, "livecodebench"), {
    from: "2023-05-01",
    to: "2025-01-31",
  });
  assert.deepEqual(v5.map((p) => p.questionId), ["add", "twosum"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("LiveCodeBench: a malicious pickle is refused, naming file, line and field; nothing runs", async () => {
  const dir = await Deno.makeTempDir();
  const file = await fixture(dir, true);
  await Deno.remove("/tmp/lcb-pwned").catch(() => {});
  await assert.rejects(
    () => readLiveCodeBench(file),
    /evil\.jsonl:4: field "private_test_cases": pickle: refused opcode (STACK_GLOBAL|GLOBAL|REDUCE) at byte \d+/,
  );
  assert.throws(() => Deno.statSync("/tmp/lcb-pwned"));
  // A field that is not JSON is named too.
  const broken = join(dir, "broken.jsonl");
  const first = (await Deno.readTextFile(file)).split("\n")[0];
  await Deno.writeTextFile(broken, first.replace('"metadata": "{}"', '"metadata": "{oops"'));
  await assert.rejects(
    () => readLiveCodeBench(broken),
    /broken\.jsonl:1: field "metadata": invalid JSON/,
  );
  // Only one plain string is admitted: a pickled list or number is refused too.
  assert.throws(
    () => unpickleString(new Uint8Array([0x80, 4, 0x5d, 0x94, 0x2e])),
    /refused opcode 0x5d/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "LiveCodeBench via deno task eval --samples: graded like lcb_runner, pass@1 by difficulty",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    await fixture(dir);
    const samples = join(dir, "samples.jsonl");
    const rows = [
      // Reads stdin, prints 1.5 where 1.50 is expected: equal as Decimals.
      {
        task_id: "add",
        solution:
          "a, b = map(float, input().split())\nr = a + b\nprint(int(r) if r == int(r) else r)\n",
      },
      { task_id: "add", solution: "print(3)\n" },
      {
        task_id: "twosum",
        solution:
          "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return (seen[target - x], i)\n            seen[x] = i\n",
      },
      {
        task_id: "twosum",
        solution: "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n",
      },
    ];
    await Deno.writeTextFile(samples, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(KIT_ROOT, "tools", "eval.ts"),
        "--bench",
        "livecodebench",
        "--data-dir",
        dir,
        "--from",
        "2023-05-01",
        "--to",
        "2025-01-31",
        "--samples",
        samples,
        "--k",
        "1",
        "--out",
        join(dir, "out"),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(stdout, /\| livecodebench \| samples samples\.jsonl \| 2 \| 2 \| 50\.0 \|/);
    assert.match(stdout, /\| easy \| 1 \| 50\.0 \|/);
    assert.match(stdout, /\| medium \| 1 \| 50\.0 \|/);
    const lines = (await Deno.readTextFile(join(dir, "out", "samples.jsonl"))).trim().split("\n")
      .map((l) =>
        JSON.parse(l) as {
          taskId: string;
          sampleIndex: number;
          verdict: string;
          passedTests: number;
        }
      );
    const verdicts = Object.fromEntries(
      lines.map((l) => [`${l.taskId}/${l.sampleIndex}`, [l.verdict, l.passedTests]]),
    );
    assert.deepEqual(verdicts, {
      "add/0": ["pass", 3],
      "add/1": ["fail", 1],
      "twosum/0": ["pass", 2],
      "twosum/1": ["fail", 1],
    });
    await Deno.remove(dir, { recursive: true });
  },
});
