/**
 * The weaker isolation modes (`unshare`, `rlimits`) still contain processes, enforce limits
 * and fail closed. They need root here (the harness drops to a per-slot uid).
 */
import assert from "node:assert/strict";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { countingLoopbackServer, processesWithUid, TEST_UID_BASE, UID_RANGE } from "./_helpers.ts";

const TESTS = "assert f(1) == 2\n";
const F = "\ndef f(x):\n    return x + 1\n";
const DAEMON = "import os, time\n" +
  "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n" +
  "        while True:\n            time.sleep(0.05)\n    os._exit(0)\n" +
  "time.sleep(0.2)\ndef f(x):\n    return x\n";
const root = Deno.uid() === 0;

for (const [mode, base] of [["unshare", 2], ["rlimits", 3]] as const) {
  const uidBase = TEST_UID_BASE + base * UID_RANGE;
  Deno.test({
    name: `${mode}: fork bomb, daemon and a SIGTERM-proof loop are contained`,
    ignore: !root,
    fn: async () => {
      const limits = { isolation: mode, workers: 2, killGraceMs: 100, uidBase };
      const sandbox = new Sandbox({ ...limits, timeoutMs: 15_000 });
      const shortSandbox = new Sandbox({ ...limits, timeoutMs: 1500 });
      assert.equal(sandbox.isolation, mode);
      const stubbornRun = shortSandbox.run({
        code: "import signal, subprocess, sys\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" +
          "subprocess.Popen([sys.executable, '-c', 'import signal\\n" +
          "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\nwhile True: pass'])\n" +
          "while True:\n    pass\n",
        tests: TESTS,
      });
      const [good, bomb, daemon, parent] = await sandbox.runMany([
        { code: F, tests: TESTS },
        { code: "import os\nwhile True:\n    os.fork()\n" + F, tests: TESTS },
        { code: DAEMON, tests: TESTS },
        {
          code:
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef f(x):\n    return x\n",
          tests: TESTS,
        },
      ]);
      const stubborn = await stubbornRun;
      await sandbox.close();
      await shortSandbox.close();
      assert.equal(good.verdict, "pass");
      assert.equal(bomb.verdict, "error");
      assert.equal(bomb.errorType, "BlockingIOError");
      assert.equal(daemon.verdict, "fail");
      assert.equal(stubborn.verdict, "timeout", JSON.stringify(stubborn));
      assert.notEqual(parent.verdict, "pass");
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(processesWithUid(uidBase, UID_RANGE), []);
    },
  });
}

Deno.test({
  name: "unshare: a TCP connect to a host loopback server never arrives",
  ignore: !root,
  fn: async () => {
    const server = countingLoopbackServer();
    const sandbox = new Sandbox({
      isolation: "unshare",
      workers: 1,
      uidBase: TEST_UID_BASE + 2 * UID_RANGE,
    });
    const r = await sandbox.run({
      code: `import socket\nsocket.create_connection(("127.0.0.1", ${server.port}), timeout=1)\n` +
        F,
      tests: TESTS,
    });
    await sandbox.close();
    const connections = await server.close();
    assert.equal(r.verdict, "error");
    assert.equal(connections, 0);
  },
});
