/**
 * Aggregate limits per run (issue #20): as root with a writable cgroup hierarchy, a run's forked
 * children share one memory limit; elsewhere the stated bound (workers × processes × memory)
 * fits the host. Only one branch can run on a given machine; both state which.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import { TEST_UID_BASE, UID_RANGE } from "./_helpers.ts";

const CHILDREN = `import os
def f():
    kids = []
    for i in range(4):
        pid = os.fork()
        if pid == 0:
            b = bytearray(300 * 1024 * 1024)
            for j in range(0, len(b), 4096):
                b[j] = 1
            os._exit(0)
        kids.append(pid)
    return [os.waitpid(p, 0)[1] for p in kids]
`;

Deno.test("a run's forked children share one memory bound (cgroup), or the stated bound fits", async () => {
  const sb = new Sandbox({
    workers: 1,
    memoryBytes: 512 * 1024 * 1024,
    timeoutMs: 30_000,
    uidBase: TEST_UID_BASE + 7 * UID_RANGE,
  });
  try {
    const bound = sb.info.memory;
    if (bound.kind === "rlimit") {
      assert.ok(bound.total <= Deno.systemMemoryInfo().total || sb.config.maxProcesses === 4);
      return;
    }
    assert.equal(bound.bytesPerRun, 512 * 1024 * 1024 + 64 * 1024 * 1024);
    const r = await sb.run({ code: CHILDREN, tests: "", probes: [{ expr: "f()" }] });
    const codes = JSON.parse(r.tests[0].value ?? "null") as number[] | null;
    // 4 × 300 MiB does not fit in 576 MiB: the kernel kills some children (status 9, SIGKILL).
    assert.ok(codes !== null && codes.some((c) => c !== 0), JSON.stringify(r).slice(0, 400));
    const ok = await sb.run({ code: "def g():\n    return 1\n", tests: "assert g() == 1\n" });
    assert.equal(ok.verdict, "pass");
  } finally {
    await sb.close();
  }
});
