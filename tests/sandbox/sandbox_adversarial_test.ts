/**
 * Adversarial suite: hostile programs must never pass and must leave the host unharmed. It runs
 * once per launcher (`spawn`, `zygote`); the sandboxes of each run use their own uid range, so
 * each leak scan sees exactly the processes of that launcher's runs.
 *
 * The zygote arm keeps its two sandboxes (and their zygotes) alive across tests on purpose:
 * later runs must be unaffected by earlier hostile ones. Its tests therefore opt out of Deno's
 * per-test op and resource sanitizers; the last test closes both sandboxes and checks that no
 * process of ours (zygote or program) is left.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bcbEnvironment, bcbSandboxConfig } from "../../lib/eval/mod.ts";
import {
  type Launcher,
  Sandbox,
  type SandboxConfig,
  type SandboxResult,
} from "../../lib/sandbox/mod.ts";
import {
  countingLoopbackServer,
  exists,
  processesWithUid,
  TEST_UID_BASE,
  UID_RANGE,
} from "./_helpers.ts";

const MAX_OUTPUT = 64 * 1024;
/** Tests every hostile program runs against: a correct `f` would pass them. */
const TESTS = "assert f(1) == 2\nassert f(2) == 3\n";
const F = "\ndef f(x):\n    return x + 1\n";

function assertNotPass(r: SandboxResult): void {
  assert.notEqual(r.verdict, "pass", JSON.stringify(r).slice(0, 500));
}

/**
 * Pids of the live bwrap processes started by this process for sandboxes whose tmpfs size is
 * `tmpfsBytes` (a value unique to one arm of this suite, as test modules may run in parallel
 * in this same process).
 */
function ourBwraps(tmpfsBytes: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== Deno.pid || state === "Z") continue;
      const argv = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (argv.includes(`\0--size\0${tmpfsBytes}\0`)) found.push(Number(entry.name));
    } catch { /* exited meanwhile */ }
  }
  return found;
}

/**
 * BigCodeBench's programs run with its libraries pre-imported in the zygote (pandas, sklearn,
 * matplotlib…, lib/eval's bcbSandboxConfig): the same hostile programs must fare no better there.
 * Its address space is wider: the libraries alone take about 250 MiB of it.
 */
const { pythonPath, sitePackages, readOnlyPaths, preImport, env } = bcbSandboxConfig(
  await bcbEnvironment(),
);
const BCB: Partial<SandboxConfig> = {
  pythonPath,
  sitePackages,
  readOnlyPaths,
  preImport,
  env,
  memoryBytes: 1024 ** 3,
};

for (
  const [label, launcher, slot, extra] of [
    ["spawn", "spawn", 0, {}],
    ["zygote", "zygote", 4, {}],
    ["zygote, BigCodeBench libraries", "zygote", 8, BCB],
  ] as const
) {
  suite(label, launcher, TEST_UID_BASE + slot * UID_RANGE, extra);
}

function suite(
  label: string,
  launcher: Launcher,
  uidBase: number,
  extra: Partial<SandboxConfig>,
): void {
  if (launcher === "zygote" && Deno.uid() !== 0) {
    Deno.test({ name: `adversarial (${label}): needs root`, ignore: true, fn() {} });
    return;
  }
  /** The arm's own tmpfs size, so its bwrap processes can be told apart (see ourBwraps). */
  const tmpfsBytes = 64 * 1024 * 1024 + 4096 * (1 + Math.floor(Math.random() * 1_000_000));
  const LIMITS = {
    launcher,
    tmpfsBytes,
    workers: 2,
    killGraceMs: 100,
    cpuSeconds: 5,
    memoryBytes: 256 * 1024 * 1024,
    maxOutputBytes: MAX_OUTPUT,
    uidBase,
    ...extra,
  };
  /** Both arms share their sandboxes (and judge processes) across tests (see the module doc). */
  const sanitize = false; // each sandbox keeps its judge process alive across tests
  const test = (name: string, fn: () => void | Promise<void>) =>
    Deno.test({
      name: `adversarial (${label}): ${name}`,
      sanitizeOps: sanitize,
      sanitizeResources: sanitize,
      fn,
    });
  /** Generous wall clock, so a loaded machine cannot turn an expected error into a timeout. */
  const sandbox = new Sandbox({ ...LIMITS, timeoutMs: 15_000 });
  /** Short wall clock for the programs that are expected to time out. */
  const TIMEOUT_MS = 1500;
  const shortSandbox = new Sandbox({ ...LIMITS, timeoutMs: TIMEOUT_MS });
  const hostDir = Deno.makeTempDirSync({ prefix: "sandbox-adversarial-" });
  const SECRET = `secret-${crypto.randomUUID()}`;
  const secretPath = join(hostDir, "secret.txt");
  Deno.writeTextFileSync(secretPath, SECRET);
  /** Target for writes from inside: a host path the sandbox must not create. */
  const outsidePath = join(hostDir, "pwned.txt");
  const projectProbe = join(Deno.cwd(), `.sandbox-pwned-${crypto.randomUUID()}`);

  async function assertNoLeftovers(): Promise<void> {
    // Processes are reaped asynchronously after a namespace dies: allow a moment.
    for (let i = 0; i < 20; i++) {
      if (processesWithUid(uidBase, UID_RANGE).length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(processesWithUid(uidBase, UID_RANGE), [], "sandbox processes survived");
  }

  test("the sandbox applies bwrap isolation and the requested launcher here", () => {
    assert.equal(sandbox.isolation, "bwrap");
    assert.equal(sandbox.launcher, launcher);
    assert.equal(shortSandbox.launcher, launcher);
  });

  test("fork bomb is contained and leaves no process behind", async () => {
    const r = await sandbox.run({
      code: "import os\nwhile True:\n    os.fork()\n" + F,
      tests: TESTS,
    });
    assertNotPass(r);
    assert.ok(r.verdict === "error" || r.verdict === "timeout", r.verdict);
    await assertNoLeftovers();
  });

  test("infinite loop times out within the wall-clock limit", async () => {
    const r = await shortSandbox.run({ code: "while True:\n    pass\n" + F, tests: TESTS });
    assert.equal(r.verdict, "timeout");
    assert.equal(r.errorType, "TimeoutError");
    assert.ok(r.wallMs >= TIMEOUT_MS && r.wallMs < TIMEOUT_MS + 1500, `${r.wallMs} ms`);
  });

  test("infinite loop inside a test times out after earlier tests reported", async () => {
    const r = await shortSandbox.run({
      code: "def f(x):\n    while x == 2:\n        pass\n    return x + 1\n",
      tests: TESTS,
    });
    assert.equal(r.verdict, "timeout");
    assert.deepEqual(r.tests.map((t) => [t.source, t.passed, t.errorType]), [
      ["assert f(1) == 2", true, undefined],
      ["assert f(2) == 3", false, "NotRun"],
    ]);
  });

  test("memory bomb hits RLIMIT_AS and raises MemoryError", async () => {
    const r = await sandbox.run({
      code: "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))\n" + F,
      tests: TESTS,
    });
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "MemoryError");
  });

  test("writes outside the temp dir fail and create nothing on the host", async () => {
    for (const target of [outsidePath, projectProbe, "/etc/sandbox-pwned", "/usr/sandbox-pwned"]) {
      const r = await sandbox.run({
        code: `open(${JSON.stringify(target)}, "w").write("pwned")\n` + F,
        tests: TESTS,
      });
      assert.equal(r.verdict, "error", target);
      assert.match(r.errorType ?? "", /^(PermissionError|FileNotFoundError|OSError)$/, target);
      assert.equal(exists(target), false, target);
    }
  });

  test("/dev/shm and /var/tmp are the run's own: writable, gone for the host and the next run", async () => {
    for (const target of ["/dev/shm/sandbox-pwned", "/var/tmp/sandbox-pwned"]) {
      const write = await sandbox.run({
        code: `open(${JSON.stringify(target)}, "w").write("pwned")\n` + F,
        tests: TESTS,
      });
      assert.equal(write.verdict, "pass", `${target}: ${write.errorType} ${write.errorMessage}`);
      assert.equal(exists(target), false, target);
      const read = await sandbox.run({
        code: `import os\nassert not os.path.exists(${JSON.stringify(target)})\n` + F,
        tests: TESTS,
      });
      assert.equal(read.verdict, "pass", `${target} outlived its run`);
    }
  });

  test("secrets outside the sandbox cannot be read", async () => {
    for (const target of [secretPath, join(Deno.cwd(), "deno.json"), "/etc/shadow"]) {
      const r = await sandbox.run({
        code: `print(open(${JSON.stringify(target)}).read())\n` + F,
        tests: TESTS,
      });
      assert.equal(r.verdict, "error", target);
      assert.match(r.errorType ?? "", /^(PermissionError|FileNotFoundError)$/, target);
      assert.equal(r.stdout.includes(SECRET), false);
      assert.equal(r.stdout.includes('"imports"'), false);
    }
    // The directory listing of the hidden test dir is empty too.
    const r = await sandbox.run({
      code: "import os\nprint(sorted(os.listdir('/tmp')))\n" + F,
      tests: TESTS,
    });
    assert.equal(r.verdict, "pass");
    assert.equal(r.stdout, "[]\n");
  });

  test("the benchmark data beside the kit (../shared) is hidden", async () => {
    const shared = fileURLToPath(new URL("../../../shared", import.meta.url));
    const r = await sandbox.run({
      code:
        `import os\nprint(os.path.isdir(${JSON.stringify(shared)}), os.listdir(${
          JSON.stringify(shared)
        }) if os.path.isdir(${JSON.stringify(shared)}) else None)\n` + F,
      tests: TESTS,
    });
    assert.equal(r.verdict, "pass");
    // Either absent or an empty tmpfs: the HumanEval/MBPP files must never be readable.
    assert.match(r.stdout, /^(False None|True \[\])\n$/);
  });

  test("a TCP connect to a host loopback server never arrives", async () => {
    const server = countingLoopbackServer();
    const r = await sandbox.run({
      code: "import socket\n" +
        `s = socket.create_connection(("127.0.0.1", ${server.port}), timeout=1)\n` +
        "s.sendall(b'exfiltrated')\n" + F,
      tests: TESTS,
    });
    await new Promise((res) => setTimeout(res, 100));
    const connections = await server.close();
    assert.equal(r.verdict, "error");
    assert.match(r.errorType ?? "", /^(ConnectionRefusedError|OSError|TimeoutError)$/);
    assert.equal(connections, 0);
  });

  test("killing the parent or every process cannot hurt the test process", async () => {
    const [parent, all] = await sandbox.runMany([
      { code: "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + F, tests: TESTS },
      { code: "import os, signal\nos.kill(-1, signal.SIGKILL)\n" + F, tests: TESTS },
    ]);
    assertNotPass(parent);
    assertNotPass(all);
    assert.equal(Deno.pid > 0 && exists(`/proc/${Deno.pid}`), true);
    const after = await sandbox.runMany([{ code: F, tests: TESTS }, { code: F, tests: TESTS }]);
    assert.deepEqual(after.map((r) => r.verdict), ["pass", "pass"]);
  });

  test("a program sees only its own pid namespace and can signal or ptrace nothing", async () => {
    // Under the zygote: its workers' zygotes, which must survive every attack below unchanged.
    const warm = await sandbox.runMany([{ code: F, tests: TESTS }, { code: F, tests: TESTS }]);
    assert.deepEqual(warm.map((r) => r.verdict), ["pass", "pass"]);
    const before = ourBwraps(tmpfsBytes).sort();
    assert.ok(launcher === "zygote" ? before.length >= 2 : before.length === 0, `${before}`);
    const [view, sweep, init, trace] = await sandbox.runMany([
      {
        code: "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), " +
          "os.getpid(), os.getppid())\n" + F,
        tests: TESTS,
      },
      {
        code: "import os, signal\nhit = []\nfor p in range(1, 4096):\n" +
          "    if p != os.getpid():\n        try:\n            os.kill(p, signal.SIGKILL)\n" +
          "            hit.append(p)\n        except OSError:\n            pass\nprint(hit)\n" + F,
        tests: TESTS,
      },
      { code: "import os, signal\nos.kill(1, signal.SIGKILL)\n" + F, tests: TESTS },
      {
        code: "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n" +
          "for pid in (1, os.getppid()):\n    if libc.ptrace(16, pid, 0, 0) == 0:\n" +
          "        print('ATTACHED', pid)\n" +
          "    else:\n        raise PermissionError(ctypes.get_errno(), 'ptrace', pid)\n" + F,
        tests: TESTS,
      },
    ]);
    // pid 1 is the namespace's init (bwrap's, or the zygote fork's), pid 2 the program.
    assert.equal(view.verdict, "pass");
    assert.equal(view.stdout, "[1, 2] 2 1\n");
    assert.equal(sweep.verdict, "pass");
    assert.equal(sweep.stdout, "[]\n");
    assert.equal(init.verdict, "error");
    assert.equal(init.errorType, "PermissionError");
    assert.equal(trace.verdict, "error");
    assert.equal(trace.errorType, "PermissionError");
    assert.equal(trace.stdout.includes("ATTACHED"), false);
    const after = await sandbox.run({ code: F, tests: TESTS });
    assert.equal(after.verdict, "pass");
    assert.deepEqual(ourBwraps(tmpfsBytes).sort(), before);
  });

  test("a run cannot see the files, SysV IPC or interpreter state of a concurrent or an earlier run", async () => {
    // The writer also taints its interpreter: a later fork of the same zygote must not see it.
    const writer =
      "import builtins, ctypes, os, sys, time\nopen('/tmp/leak', 'w').write('LEAK')\n" +
      "libc = ctypes.CDLL(None, use_errno=True)\nassert libc.shmget(0x5EED, 4096, 0o1666) >= 0\n" +
      "builtins.LEAK = 1\nos.environ['LEAK'] = '1'\nsys.modules['json'] = None\n" +
      "time.sleep(0.5)\n" + F;
    const reader = "import builtins, ctypes, os, sys\nlibc = ctypes.CDLL(None, use_errno=True)\n" +
      "print(os.listdir('/tmp'), os.path.exists('/tmp/leak'), libc.shmget(0x5EED, 0, 0), " +
      "hasattr(builtins, 'LEAK'), 'LEAK' in os.environ, sys.modules.get('json', 0) is None)\n" +
      F;
    const [wrote, concurrent] = await sandbox.runMany([
      { code: writer, tests: TESTS },
      { code: reader, tests: TESTS },
    ]);
    // Sequential runs take the same pool slot: under the zygote, the writer's zygote.
    const later = await sandbox.run({ code: reader, tests: TESTS });
    assert.equal(wrote.verdict, "pass", JSON.stringify(wrote));
    for (const r of [concurrent, later]) {
      assert.equal(r.verdict, "pass");
      assert.equal(r.stdout, "[] False -1 False False False\n");
    }
  });

  // only the zygote launcher has a zygote to kill
  if (launcher === "zygote") {
    test(
      "a zygote killed mid-run fails that run closed and a fresh one serves the next runs",
      async () => {
        const running = sandbox.run({ code: "import time\ntime.sleep(3)\n" + F, tests: TESTS });
        await new Promise((r) => setTimeout(r, 500));
        const zygotes = ourBwraps(tmpfsBytes);
        assert.ok(zygotes.length >= 1, "no zygote found");
        for (const pid of zygotes) Deno.kill(pid, "SIGKILL");
        const r = await running;
        assert.equal(r.verdict, "error");
        assert.equal(r.errorType, "HarnessIncomplete");
        assert.match(r.stderr, /zygote died/);
        await new Promise((r) => setTimeout(r, 100));
        const after = await sandbox.runMany([{ code: F, tests: TESTS }, { code: F, tests: TESTS }]);
        assert.deepEqual(after.map((x) => x.verdict), ["pass", "pass"]);
        await assertNoLeftovers();
      },
    );
  }

  test("100 MB on stdout or stderr is capped, killed fast and not a pass", async () => {
    for (const stream of ["stdout", "stderr"]) {
      const r = await sandbox.run({
        code: `import sys\nfor _ in range(100):\n    sys.${stream}.write("x" * 1_000_000)\n` + F,
        tests: TESTS,
      });
      assert.equal(r.verdict, "error", stream);
      assert.equal(r.errorType, "OutputLimitExceeded");
      assert.ok(r.stdout.length + r.stderr.length <= 2 * MAX_OUTPUT, stream);
      assert.ok(r.wallMs < 5000, `${stream}: ${r.wallMs} ms`);
    }
  });

  test("exit(0), sys.exit(0) and os._exit(0) before the tests never pass", async () => {
    const [exit0, sysExit, osExit, inTest] = await sandbox.runMany([
      { code: F + "exit(0)\n", tests: TESTS },
      { code: F + "import sys\nsys.exit(0)\n", tests: TESTS },
      { code: F + "import os\nos._exit(0)\n", tests: TESTS },
      { code: "import os\ndef f(x):\n    os._exit(0)\n", tests: TESTS },
    ]);
    assert.equal(exit0.verdict, "error");
    assert.equal(exit0.errorType, "SystemExit");
    assert.equal(sysExit.errorType, "SystemExit");
    assert.equal(osExit.verdict, "error");
    assert.equal(osExit.errorType, "HarnessIncomplete");
    assert.equal(inTest.verdict, "error");
    assert.equal(inTest.errorMessage, "0 of 2 tests reported; no completion record");
  });

  test("overriding AssertionError, exec or builtins cannot make asserts pass", async () => {
    const wrong = "\ndef f(x):\n    return 0\n";
    const results = await sandbox.runMany([
      {
        code: "import builtins\nclass E(Exception):\n    pass\nbuiltins.AssertionError = E\n" +
          wrong,
        tests: TESTS,
      },
      { code: "import builtins\nbuiltins.exec = lambda *a, **k: None\n" + wrong, tests: TESTS },
      {
        code: "import builtins\nbuiltins.BaseException = type('X', (Exception,), {})\n" +
          "builtins.Exception = builtins.BaseException\n" + wrong,
        tests: TESTS,
      },
      { code: "import __main__, sys\nsys.modules['__main__'] = None\n" + wrong, tests: TESTS },
      { code: "def f(x):\n    raise SystemExit(0)\n", tests: TESTS },
    ]);
    for (const r of results) {
      assert.equal(r.verdict, "fail", JSON.stringify(r).slice(0, 300));
      assert.deepEqual(r.tests.map((t) => t.passed), [false, false]);
    }
    assert.equal(results[0].errorType, "AssertionError");
    assert.equal(results[4].errorType, "SystemExit");
  });

  test("forged completion records on stdout are ignored", async () => {
    const r = await sandbox.run({
      code: "import os\n" +
        "for n in ['0' * 32, 'f' * 32]:\n" +
        "    os.write(1, ('\\x1e' + n + ' P 0 -\\n\\x1e' + n + ' D\\n').encode())\n" +
        "print('\\x1e' + '0' * 32 + ' D')\n" +
        "os._exit(0)\n",
      tests: TESTS,
    });
    assert.equal(r.verdict, "error");
    assert.equal(r.errorType, "HarnessIncomplete");
  });

  test("SIGTERM ignored in an infinite loop is killed at the timeout", async () => {
    const r = await shortSandbox.run({
      code:
        "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n" +
        F,
      tests: TESTS,
    });
    assert.equal(r.verdict, "timeout");
    assert.ok(r.wallMs < TIMEOUT_MS + 1500, `${r.wallMs} ms`);
    await assertNoLeftovers();
  });

  test("a daemonised child (double fork + setsid) does not outlive the run", async () => {
    const r = await sandbox.run({
      code: "import os, time\n" +
        "if os.fork() == 0:\n" +
        "    os.setsid()\n" +
        "    if os.fork() == 0:\n" +
        "        while True:\n" +
        "            time.sleep(0.05)\n" +
        "    os._exit(0)\n" +
        "time.sleep(0.2)\n" +
        "def f(x):\n    return x\n",
      tests: TESTS,
    });
    assert.equal(r.verdict, "fail");
    await assertNoLeftovers();
  });

  test("deep recursion and a C-stack overflow are errors; the pool survives", async () => {
    const [recursion, segfault] = await sandbox.runMany([
      { code: "def g(n):\n    return g(n + 1)\ng(0)\n" + F, tests: TESTS },
      {
        code: "import sys\nsys.setrecursionlimit(10 ** 6)\n" +
          "def g(n):\n    return sorted([1, 2], key=lambda x: g(n + 1))\ng(0)\n" + F,
        tests: TESTS,
      },
    ]);
    assert.equal(recursion.verdict, "error");
    assert.equal(recursion.errorType, "RecursionError");
    assert.equal(segfault.verdict, "error");
    assert.equal(segfault.errorType, "HarnessIncomplete");
    assert.match(segfault.errorMessage ?? "", /killed by signal 11/);
    const after = await sandbox.run({ code: F, tests: TESTS });
    assert.equal(after.verdict, "pass");
  });

  test("file-size, open-file and process limits raise inside the program", async () => {
    const [big, fds, procs] = await sandbox.runMany([
      { code: "open('big', 'wb').write(b'x' * (64 * 1024 * 1024))\n" + F, tests: TESTS },
      { code: "fs = [open('/dev/null') for _ in range(100_000)]\n" + F, tests: TESTS },
      {
        code: "import threading, time\n" +
          "ts = [threading.Thread(target=time.sleep, args=(1,)) for _ in range(500)]\n" +
          "[t.start() for t in ts]\n" + F,
        tests: TESTS,
      },
    ]);
    assert.equal(big.verdict, "error");
    assert.equal(big.errorType, "OSError");
    assert.match(big.errorMessage ?? "", /File too large/);
    assert.equal(fds.verdict, "error");
    assert.equal(fds.errorType, "OSError");
    assert.match(fds.errorMessage ?? "", /Too many open files/);
    assert.equal(procs.verdict, "error");
    assert.equal(procs.errorType, "RuntimeError");
    assert.match(procs.errorMessage ?? "", /can't start new thread/);
  });

  test("CPU burn in a child process hits RLIMIT_CPU or the wall clock", async () => {
    const r = await shortSandbox.run({
      code: "import subprocess, sys\n" +
        "subprocess.run([sys.executable, '-c', 'while True: pass'])\n" + F,
      tests: TESTS,
    });
    assert.equal(r.verdict, "timeout");
    await assertNoLeftovers();
  });

  test("an exception whose message is a hostile str subclass cannot inject fields", async () => {
    const r = await sandbox.run({
      code: "class S(str):\n" +
        "    def encode(self, *a, **k):\n        return b' 1 - - -'\n" +
        "    def __getitem__(self, k):\n        return self\n" +
        "class E(Exception):\n    def __str__(self):\n        return S('x')\n" +
        "def f(x):\n    raise E()\n",
      tests: TESTS,
    });
    assert.equal(r.verdict, "fail");
    assert.equal(r.errorType, "E");
    assert.equal(r.errorMessage, "x");
    assert.deepEqual(r.tests.map((t) => t.passed), [false, false]);
  });

  test("after the suite no sandbox process is alive and the host is intact", async () => {
    await sandbox.close();
    await shortSandbox.close();
    await assertNoLeftovers();
    assert.deepEqual(ourBwraps(tmpfsBytes), [], "a sandbox or zygote process survived close()");
    assert.equal(Deno.readTextFileSync(secretPath), SECRET);
    assert.equal(exists(outsidePath), false);
    assert.equal(exists(projectProbe), false);
    Deno.removeSync(hostDir, { recursive: true });
  });
}
