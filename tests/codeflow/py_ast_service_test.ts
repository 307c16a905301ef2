import assert from "node:assert/strict";
import { JsonLinesProcess } from "../../lib/core/mod.ts";
import { PyAstService } from "../../lib/codeflow/py_ast_service.ts";

Deno.test("PyAstService pipelines many concurrent calls through one process", async () => {
  const py = new PyAstService();
  await py.start();
  try {
    const calls = Array.from(
      { length: 50 },
      (_, i) => py.codeLines([`x = ${i}\n# c\n`, `# only\n\ny = ${i}\n`]),
    );
    const results = await Promise.all(calls);
    for (const [a, b] of results) {
      assert.deepEqual(a.codeLines, [0]);
      assert.deepEqual(b.codeLines, [2]);
    }
    // Parse-only: code that would loop forever or exit is never run.
    const [cmp] = await py.sameAst([["while True: pass\n", "import os; os._exit(3)\n"]]);
    assert.deepEqual(cmp, { same: false, parseError: null });
    const [bad] = await py.sameAst([["def f(:\n", "x = 1\n"]]);
    assert.equal(bad.same, false);
    assert.match(bad.parseError ?? "", /^SyntaxError: /);
    const [torn] = await py.codeLines(["x = (1,\n# c\ny = 2\n"]);
    assert.match(torn.tokenizeError ?? "", /^TokenError: /);
    assert.deepEqual(torn.codeLines, [0, 2]);
  } finally {
    await py.close();
  }
  assert.equal(py.running, false);
  await assert.rejects(() => py.codeLines(["x"]), /Python helper is down: Python helper closed/);
});

Deno.test("PyAstService fails pending requests when the helper dies or stalls", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dies = `${dir}/dies.py`;
    await Deno.writeTextFile(dies, "import sys\nsys.stderr.write('boom\\n')\nsys.exit(3)\n");
    const a = new PyAstService({ script: dies });
    await a.start();
    await assert.rejects(() => a.codeLines(["x"]), /Python helper exited \(code 3\): boom/);
    await a.close();

    const stalls = `${dir}/stalls.py`;
    await Deno.writeTextFile(stalls, "import time\ntime.sleep(60)\n");
    const b = new PyAstService({ script: stalls, timeoutMs: 300 });
    await b.start();
    await assert.rejects(() => b.codeLines(["x"]), /gave no answer within 300 ms/);
    await b.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonLinesProcess with restartAfterFailure: a request after the helper died gets a fresh one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/once.py`;
    // Answers one request, then dies on the second.
    await Deno.writeTextFile(
      script,
      "import json, sys\nfor i, l in enumerate(sys.stdin):\n    r = json.loads(l)\n" +
        "    if i == 1:\n        sys.exit(4)\n    print(json.dumps({'id': r['id'], 'ok': True, 'n': i}), flush=True)\n",
    );
    const p = new JsonLinesProcess({
      name: "once",
      command: "/usr/bin/python3",
      args: [script],
      restartAfterFailure: true,
    });
    assert.equal((await p.request({})).n, 0);
    await assert.rejects(() => p.request({}), /once exited \(code 4\)/);
    assert.equal((await p.request({})).n, 0, "a fresh process answered");
    await p.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
