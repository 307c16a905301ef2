import assert from "node:assert/strict";
import { type Launcher, Sandbox } from "../../lib/sandbox/mod.ts";
import { TEST_UID_BASE, UID_RANGE } from "./_helpers.ts";

const ADD_ONE = "def f(x):\n    return x + 1\n";

Deno.test("config is validated and names the offending field", () => {
  assert.throws(
    () => new Sandbox({ workers: 0 }),
    /config\.workers must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => new Sandbox({ timeoutMs: 1.5 }),
    /config\.timeoutMs must be an integer >= 1, got 1\.5/,
  );
  assert.throws(
    () => new Sandbox({ pythonPath: "/nonexistent/python3" }),
    /"\/nonexistent\/python3"/,
  );
});

Deno.test("launcher: auto picks the zygote with bwrap as root; zygote refuses weaker isolation", () => {
  const auto = new Sandbox({ workers: 1 });
  assert.equal(auto.launcher, Deno.uid() === 0 && auto.isolation === "bwrap" ? "zygote" : "spawn");
  assert.equal(new Sandbox({ workers: 1, launcher: "spawn" }).launcher, "spawn");
  assert.throws(
    () => new Sandbox({ isolation: "rlimits", launcher: "zygote" }),
    /launcher "zygote" needs bwrap isolation and root, got isolation "rlimits"/,
  );
});

for (const launcher of ["spawn", "zygote"] as const) suite(launcher);

/** Every behaviour below holds for both launchers. */
function suite(launcher: Launcher): void {
  if (launcher === "zygote" && Deno.uid() !== 0) {
    Deno.test({ name: "sandbox [zygote]: needs root", ignore: true, fn() {} });
    return;
  }
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${name} [${launcher}]`, fn);

  function sandbox(): Sandbox {
    return new Sandbox({
      launcher,
      workers: 2,
      timeoutMs: 5000,
      uidBase: TEST_UID_BASE + UID_RANGE,
    });
  }

  test("correct code passes with one outcome per assert; imports and defs are setup", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: ADD_ONE,
      tests:
        "import math\ndef g(y):\n    return y\nassert f(1) == 2\nassert f(g(2)) == 3; assert f(-1) == 0\n",
    });
    await sb.close();
    assert.equal(r.verdict, "pass");
    // Rewritten into probes: the values leave the program and the judge compares them.
    assert.deepEqual(
      r.tests.map(({ index, source, passed, judged, value }) => ({
        index,
        source,
        passed,
        judged,
        value,
      })),
      [
        { index: 0, source: "assert f(1) == 2", passed: true, judged: "outside", value: "2" },
        { index: 1, source: "assert f(g(2)) == 3", passed: true, judged: "outside", value: "3" },
        { index: 2, source: "assert f(-1) == 0", passed: true, judged: "outside", value: "0" },
      ],
    );
    assert.equal(r.errorType, undefined);
  });

  test("wrong code fails with AssertionError, the failing test's source and a traceback", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: "def f(x):\n    return x\n",
      tests: "assert f(0) == 0\nassert f(1) == 2, 'f(1) should be 2'\nassert f(5) == 5\n",
    });
    await sb.close();
    assert.equal(r.verdict, "fail");
    assert.equal(r.errorType, "AssertionError");
    assert.equal(r.errorMessage, "f(1) should be 2");
    assert.deepEqual(r.tests.map((t) => t.passed), [true, false, true]);
    assert.equal(r.tests[1].source, "assert f(1) == 2, 'f(1) should be 2'");
    assert.equal(
      r.traceback,
      '  File "<tests>", line 2, in <module>\n' +
        "    assert f(1) == 2, 'f(1) should be 2'\n" +
        "AssertionError: f(1) should be 2",
    );
  });

  test("an exception inside the candidate during a test is a fail with its type", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: "def f(xs):\n    return xs[10]\n",
      tests: "assert f([1, 2]) == 2\n",
    });
    await sb.close();
    assert.equal(r.verdict, "fail");
    assert.equal(r.errorType, "IndexError");
    assert.equal(r.errorMessage, "list index out of range");
    assert.match(r.traceback ?? "", /File "<candidate>", line 2, in f\n {4}return xs\[10\]/);
  });

  test("syntax error in the candidate is an error with SyntaxError", async () => {
    const sb = sandbox();
    const r = await sb.run({ code: "def f(x:\n    return x\n", tests: "assert f(1) == 1\n" });
    await sb.close();
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "SyntaxError");
    assert.equal(r.errorMessage, "'(' was never closed (<candidate>, line 1)");
    // The plan is known before the candidate is compiled: its test is listed as not run.
    assert.deepEqual(r.tests, [
      {
        index: 0,
        source: "assert f(1) == 1",
        passed: false,
        errorType: "NotRun",
        judged: "outside",
      },
    ]);
  });

  test("a candidate that raises at import time is an error with its type", async () => {
    const sb = sandbox();
    const r = await sb.run({ code: "import nonexistent_module_xyz\n", tests: "assert True\n" });
    await sb.close();
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "ModuleNotFoundError");
    assert.equal(r.errorMessage, "No module named 'nonexistent_module_xyz'");
  });

  test("check(candidate)-style tests: one probe per assert of check(), judged outside", async () => {
    const sb = sandbox();
    const tests = "METADATA = {}\n\ndef check(candidate):\n" +
      "    assert candidate(1) == 2\n    assert candidate(41) == 42\n";
    const [good, bad] = await sb.runMany([
      { code: ADD_ONE, tests, entryPoint: "f" },
      { code: "def f(x):\n    return x * 2\n", tests, entryPoint: "f" },
    ]);
    await sb.close();
    assert.equal(good.verdict, "pass");
    assert.deepEqual(good.tests.map((t) => [t.source, t.passed, t.judged]), [
      ["assert candidate(1) == 2", true, "outside"],
      ["assert candidate(41) == 42", true, "outside"],
    ]);
    assert.equal(bad.verdict, "fail");
    assert.equal(bad.errorType, "AssertionError");
    assert.match(bad.traceback ?? "", /line 5, in check\n {4}assert candidate\(41\) == 42/);
  });

  test("setup code runs before the candidate", async () => {
    const sb = sandbox();
    const r = await sb.run({
      setup: "import math\nK = 3\n",
      code: "def f(x):\n    return x + K + math.floor(0.5)\n",
      tests: "assert f(1) == 4\n",
    });
    await sb.close();
    assert.equal(r.verdict, "pass");
  });

  test("tests without any test statement are an error, never a pass", async () => {
    const sb = sandbox();
    const r = await sb.run({ code: ADD_ONE, tests: "import math\n" });
    await sb.close();
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "NoTests");
  });

  test("stdout and stderr of the program are captured without harness records", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n" + ADD_ONE,
      tests: "print('in test', end='')\nassert f(1) == 2\n",
    });
    await sb.close();
    assert.equal(r.verdict, "pass");
    assert.equal(r.stdout, "hello\nin test");
    assert.equal(r.stderr, "oops\n");
    assert.equal(r.tests.length, 2);
  });

  test("runMany keeps job order, reports each result once and runs in a fresh cwd", async () => {
    const sb = sandbox();
    const seen: number[] = [];
    const jobs = [0, 1, 2, 3].map((k) => ({
      code:
        `import os\nassert os.listdir('.') == [], os.listdir('.')\nopen('f.txt', 'w').write('${k}')\n` +
        `def f():\n    return open('f.txt').read()\n`,
      tests: `assert f() == '${k}'\n`,
    }));
    const results = await sb.runMany(jobs, { onResult: (i) => seen.push(i) });
    await sb.close();
    assert.deepEqual(results.map((r) => r.verdict), ["pass", "pass", "pass", "pass"]);
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  });

  test("run() after close() is rejected", async () => {
    const sb = sandbox();
    await sb.close();
    await assert.rejects(
      () => sb.run({ code: "", tests: "assert True" }),
      /run\(\) after close\(\)/,
    );
  });

  test("large inputs stream through stdin and records never count against the output cap", async () => {
    const sb = new Sandbox({
      launcher,
      workers: 1,
      maxOutputBytes: 1024,
      uidBase: TEST_UID_BASE + UID_RANGE,
    });
    const tests = Array.from({ length: 2000 }, (_, i) => `assert f(${i}) == ${i + 1}`).join("\n");
    const r = await sb.run({ code: ADD_ONE + "# " + "x".repeat(200_000) + "\n", tests });
    await sb.close();
    assert.equal(r.verdict, "pass");
    assert.equal(r.tests.length, 2000);
    assert.deepEqual(r.tests[1999].source, "assert f(1999) == 2000");
    assert.equal(r.tests[1999].passed, true);
  });

  test("output over the cap is an error even when every test passes", async () => {
    const sb = new Sandbox({
      launcher,
      workers: 1,
      maxOutputBytes: 1000,
      uidBase: TEST_UID_BASE + UID_RANGE,
    });
    const r = await sb.run({ code: "print('y' * 1001)\n" + ADD_ONE, tests: "assert f(1) == 2\n" });
    await sb.close();
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "OutputLimitExceeded");
    assert.equal(r.stdout, "y".repeat(1000));
  });

  test("an object whose __eq__ always returns True fails: its value is judged outside", async () => {
    const sb = sandbox();
    const always = "class Any:\n    def __eq__(self, other):\n        return True\n";
    const r = await sb.run({
      code: always + "def f(x):\n    return Any()\n",
      tests: "assert f(1) == 2\n",
    });
    // In-process (a test shape the judge cannot rewrite), the known limit stays: documented.
    const inProcess = await sb.run({
      code: always + "def f(x):\n    return Any()\n",
      tests: "assert f(1) == f(2) and f(1) == 2\n",
    });
    await sb.close();
    assert.equal(r.verdict, "fail");
    assert.match(r.errorMessage ?? "", /Any object>, which is not plain data/);
    assert.equal(inProcess.verdict, "pass");
    assert.equal(inProcess.tests[0].judged, "in-process");
  });

  test("call-free assignments are setup; assignments that call code are tests", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: ADD_ONE,
      tests:
        "xs = [1, 2]\ny: int = 3\nr = f(2)\nassert [f(x) for x in xs] == [2, 3]\nassert r == y\n",
    });
    await sb.close();
    assert.equal(r.verdict, "pass");
    assert.deepEqual(r.tests.map((t) => t.source), [
      "r = f(2)",
      "assert [f(x) for x in xs] == [2, 3]",
      "assert r == y",
    ]);
  });

  test("check-style tests ignore a stray top-level check(...) call", async () => {
    const sb = sandbox();
    const r = await sb.run({
      code: "def f(x):\n    return x\n",
      tests: "def check(candidate):\n    assert candidate(1) == 2\n\ncheck(f)\n",
      entryPoint: "f",
    });
    await sb.close();
    assert.equal(r.verdict, "fail");
    assert.deepEqual(r.tests.map((t) => [t.source, t.passed, t.errorMessage]), [
      ["assert candidate(1) == 2", false, "expected 2, got 1"],
    ]);
    assert.equal(
      r.traceback,
      '  File "<tests>", line 2, in check\n    assert candidate(1) == 2\nAssertionError: expected 2, got 1',
    );
  });
}
