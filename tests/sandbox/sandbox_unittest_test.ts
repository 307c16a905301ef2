import assert from "node:assert/strict";
import { join } from "node:path";
import { type Launcher, Sandbox } from "../../lib/sandbox/mod.ts";

const ADD_ONE = "print('noise from the candidate')\ndef f(x):\n    return x + 1\n";

const TESTS = `import unittest
class Base(unittest.TestCase):
    def test_inherited(self):
        self.assertEqual(f(1), 2)
class TestCases(Base):
    def test_b_wrong(self):
        print("noise from a test")
        self.assertEqual(f(3), 5)
    def test_a_right(self):
        self.assertEqual(f(2), 3)
    def test_c_raises(self):
        {}["k"]
    def test_d_subtests(self):
        for x in (1, 2):
            with self.subTest(x=x):
                self.assertLess(f(x), 3)
    def helper(self):
        raise AssertionError("not a test")
`;

const LAUNCHERS: readonly Launcher[] = Deno.uid() === 0 ? ["spawn", "zygote"] : ["spawn"];

for (const launcher of LAUNCHERS) {
  Deno.test(`unittest (${launcher}): one outcome per test method, sorted, output swallowed`, async () => {
    const sandbox = new Sandbox({ workers: 1, launcher });
    try {
      const r = await sandbox.run({ code: ADD_ONE, tests: TESTS, unittest: "TestCases" });
      assert.equal(r.verdict, "fail");
      assert.deepEqual(
        r.tests.map((t) => [t.source, t.passed, t.errorType ?? null]),
        [
          ["TestCases.test_a_right", true, null],
          ["TestCases.test_b_wrong", false, "AssertionError"],
          ["TestCases.test_c_raises", false, "KeyError"],
          ["TestCases.test_d_subtests", false, "AssertionError"],
          ["TestCases.test_inherited", true, null],
        ],
      );
      assert.equal(r.errorType, "AssertionError");
      assert.match(r.tests[1].errorMessage ?? "", /4 != 5/);
      assert.ok(r.tests.every((t) => t.judged === "in-process"));
      assert.equal(r.stdout, "");
      const right = TESTS.replace("f(3), 5", "f(3), 4").replace('{}["k"]', "pass")
        .replace("assertLess(f(x), 3)", "assertLess(f(x), 4)");
      const ok = await sandbox.run({ code: ADD_ONE, tests: right, unittest: "TestCases" });
      assert.equal(ok.verdict, "pass", ok.errorMessage ?? "");
      assert.equal(ok.tests.length, 5);
    } finally {
      await sandbox.close();
    }
  });
}

Deno.test("unittest: fixture errors, a missing class and a program that exits never pass", async () => {
  const sandbox = new Sandbox({ workers: 2 });
  try {
    const fixture = TESTS.replace(
      "class TestCases(Base):\n",
      "class TestCases(Base):\n    @classmethod\n    def setUpClass(cls):\n        raise FileNotFoundError('data.csv')\n",
    );
    const [setUp, noClass, exits, skipped] = await Promise.all([
      sandbox.run({ code: ADD_ONE, tests: fixture, unittest: "TestCases" }),
      sandbox.run({ code: ADD_ONE, tests: TESTS, unittest: "Missing" }),
      sandbox.run({ code: "import os\nos._exit(0)\n", tests: TESTS, unittest: "TestCases" }),
      sandbox.run({
        code: ADD_ONE,
        tests: "import unittest\nclass TestCases(unittest.TestCase):\n" +
          "    @unittest.skip('why')\n    def test_s(self):\n        raise ValueError\n",
        unittest: "TestCases",
      }),
    ]);
    assert.equal(setUp.verdict, "error");
    assert.equal(setUp.errorType, "FileNotFoundError");
    assert.ok(setUp.tests.every((t) => !t.passed));
    assert.equal(noClass.verdict, "error");
    assert.match(noClass.errorMessage ?? "", /no class 'Missing'/);
    assert.notEqual(exits.verdict, "pass");
    // A skipped test counts as passed, as bigcodebench counts only failures and errors.
    assert.equal(skipped.verdict, "pass");
  } finally {
    await sandbox.close();
  }
});

Deno.test("sitePackages, preImport, env and localhost reach the program; /dev/shm is fresh per run", async () => {
  // Not under /tmp, which every run gets as a fresh tmpfs (the sandbox refuses such a folder).
  assert.throws(
    () => new Sandbox({ sitePackages: ["/tmp/site-packages"] }),
    /config\.sitePackages "\/tmp\/site-packages" lies under \/tmp/,
  );
  // Not the checkout's .cache either: a checkout may itself lie under /tmp (CI's fresh clone).
  const cache = join(Deno.env.get("HOME") ?? "/root", ".cache", "target-dpo-kit");
  await Deno.mkdir(cache, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: cache, prefix: "site-test-" });
  const site = join(dir, "site-packages");
  await Deno.mkdir(join(site, "extra"), { recursive: true });
  await Deno.writeTextFile(join(site, "kitmod.py"), "VALUE = 41\n");
  await Deno.writeTextFile(join(site, "extra", "kitextra.py"), "VALUE = 1\n");
  await Deno.writeTextFile(join(site, "kit.pth"), "extra\n"); // a .pth file runs as at start-up
  for (const launcher of LAUNCHERS) {
    const sandbox = new Sandbox({
      workers: 1,
      launcher,
      sitePackages: [site],
      preImport: ["kitmod"],
      env: { KIT_PROBE: "yes" },
    });
    try {
      const r = await sandbox.run({
        code: "import os, sys, kitmod, kitextra\n" +
          "def f():\n    return kitmod.VALUE + kitextra.VALUE\n" +
          "open('/dev/shm/left', 'w').write('x')\n" +
          "from multiprocessing import Lock\nLock()\n",
        tests: "assert f() == 42\nassert os.environ['KIT_PROBE'] == 'yes'\n" +
          // localhost resolves (programs serve and connect on it); the host's names do not show.
          "import socket\nassert socket.gethostbyname('localhost') == '127.0.0.1'\n" +
          "assert 'localhost' in open('/etc/hosts').read()\n" +
          "assert len(open('/etc/hosts').read().split()) == 6\n",
      });
      assert.equal(r.verdict, "pass", `${launcher}: ${r.errorType} ${r.errorMessage}`);
      const next = await sandbox.run({
        code: "import os, sys\n",
        tests: "assert os.listdir('/dev/shm') == []\n" +
          `assert ('kitmod' in sys.modules) == ${launcher === "zygote" ? "True" : "False"}\n`,
      });
      assert.equal(next.verdict, "pass", `${launcher}: ${next.errorType} ${next.errorMessage}`);
    } finally {
      await sandbox.close();
    }
  }
  await Deno.remove(dir, { recursive: true });
});
