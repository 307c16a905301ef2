import assert from "node:assert/strict";
import { _decide, type _ProcessEnd } from "../../lib/sandbox/_verdict.ts";

const hex = (s: string) =>
  new TextEncoder().encode(s).reduce((a, b) => a + b.toString(16).padStart(2, "0"), "");
const PLAN2 = `P 2 ${hex("assert f(1) == 2\0assert f(2) == 3")}`;
const OK0 = "T 0 1 - - -";
const OK1 = "T 1 1 - - -";
const END: _ProcessEnd = {
  code: 0,
  signal: null,
  timedOut: false,
  truncated: false,
  timeoutMs: 1000,
  cpuSeconds: 2,
  maxOutputBytes: 100,
};

Deno.test("_decide: plan, every test passing, completion and exit 0 is a pass", () => {
  const d = _decide([PLAN2, OK0, OK1, "D"], END);
  assert.equal(d.verdict, "pass");
  assert.deepEqual(d.tests, [
    { index: 0, source: "assert f(1) == 2", passed: true, judged: "in-process" },
    { index: 1, source: "assert f(2) == 3", passed: true, judged: "in-process" },
  ]);
});

Deno.test("_decide: a missing record, completion or clean exit is never a pass", () => {
  const cases: [string[], Partial<_ProcessEnd>, string][] = [
    [[PLAN2, OK0, "D"], {}, "1 of 2 tests reported"],
    [[PLAN2, OK0, OK1], {}, "no completion record"],
    [[PLAN2, OK0, OK1, "D"], { code: 1 }, "exit code 1"],
    [[PLAN2, OK0, OK1, "D"], { code: 137 }, "killed by signal 9"],
    [[PLAN2, OK0, OK1, "D"], { signal: "SIGSEGV" }, "killed by SIGSEGV"],
    [[OK0, OK1, "D"], {}, "first harness record is not the plan"],
    [[PLAN2, OK0, OK0, OK1, "D"], {}, "unexpected record for test 0 of 2"],
    [[PLAN2, OK0, "D", OK1], {}, "no completion record"],
    [[PLAN2, OK0, OK1, "D", "D x"], {}, 'malformed harness record "D x"'],
  ];
  for (const [records, end, message] of cases) {
    const d = _decide(records, { ...END, ...end });
    assert.equal(d.verdict, "error", message);
    assert.equal(d.errorType, "HarnessIncomplete", message);
    assert.ok(d.errorMessage?.includes(message), `${d.errorMessage} lacks ${message}`);
  }
});

Deno.test("_decide: precedence timeout > output cap > stage error > failed test", () => {
  const failing = `T 1 0 ${hex("AssertionError")} - ${hex("tb")}`;
  const stage = `E candidate ${hex("NameError")} ${hex("name 'g' is not defined")} -`;
  assert.equal(_decide([PLAN2, OK0, failing], { ...END, timedOut: true }).verdict, "timeout");
  assert.equal(
    _decide([PLAN2], { ...END, code: 128 + 24 }).errorMessage,
    "CPU limit of 2 s exceeded",
  );
  const cut = _decide([PLAN2, OK0, OK1, "D"], { ...END, truncated: true });
  assert.deepEqual([cut.verdict, cut.errorType], ["error", "OutputLimitExceeded"]);
  const err = _decide([PLAN2, stage], END);
  assert.deepEqual([err.verdict, err.errorType, err.errorMessage], [
    "error",
    "NameError",
    "name 'g' is not defined",
  ]);
  const fail = _decide([PLAN2, OK0, failing, "D"], END);
  assert.deepEqual([fail.verdict, fail.errorType, fail.traceback], [
    "fail",
    "AssertionError",
    "tb",
  ]);
  assert.deepEqual(fail.tests[1], {
    index: 1,
    source: "assert f(2) == 3",
    passed: false,
    judged: "in-process",
    errorType: "AssertionError",
    errorMessage: "",
  });
});

Deno.test("_decide: an empty plan is NoTests", () => {
  const d = _decide(["P 0 -", "D"], END);
  assert.deepEqual([d.verdict, d.errorType], ["error", "NoTests"]);
});

Deno.test("_decide: planned tests that never reported are listed as NotRun", () => {
  const d = _decide([PLAN2, OK0], { ...END, timedOut: true });
  assert.equal(d.verdict, "timeout");
  assert.deepEqual(d.tests, [
    { index: 0, source: "assert f(1) == 2", passed: true, judged: "in-process" },
    {
      index: 1,
      source: "assert f(2) == 3",
      passed: false,
      errorType: "NotRun",
      judged: "in-process",
    },
  ]);
});

Deno.test("_decide: probes pass only with a judged value each; raised, unjudged or missing ones do not", () => {
  const PLAN0 = `P 0 -`;
  const hex = (s: string) =>
    Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, "0")).join("");
  const v = (i: number, value: string) => `V ${i} 0.000010 ${hex(value)}`;
  const probes = (results: (string | null | undefined)[]) => ({
    probes: [{ expr: "p0" }, { expr: "p1" }],
    results,
    fastCheck: false,
  });
  const ok = _decide([PLAN0, v(0, "1"), v(1, "2"), "D"], END, probes([null, null]));
  assert.equal(ok.verdict, "pass");
  assert.deepEqual(ok.tests.map((t) => [t.judged, t.passed, t.value]), [
    ["outside", true, "1"],
    ["outside", true, "2"],
  ]);
  const wrong = _decide(
    [PLAN0, v(0, "1"), v(1, "3"), "D"],
    END,
    probes([null, "expected 2, got 3"]),
  );
  assert.equal(wrong.verdict, "fail");
  assert.equal(wrong.errorMessage, "expected 2, got 3");
  const unjudged = _decide([PLAN0, v(0, "1"), v(1, "2"), "D"], END, probes([null, undefined]));
  assert.equal(unjudged.verdict, "error");
  const raised = _decide(
    [PLAN0, v(0, "1"), `X 1 0.000010 ${hex("KeyError")} ${hex("k")} -`, "D"],
    END,
    probes([null, undefined]),
  );
  assert.equal(raised.verdict, "fail");
  assert.equal(raised.errorType, "KeyError");
  const missing = _decide([PLAN0, v(0, "1"), "D"], END, probes([null, undefined]));
  assert.equal(missing.verdict, "error");
  assert.equal(missing.tests[1].errorType, "NotRun");
  const twice = _decide([PLAN0, v(0, "1"), v(0, "1"), v(1, "2"), "D"], END, probes([null, null]));
  assert.equal(twice.verdict, "error");
  assert.match(twice.errorMessage!, /unexpected record for probe 0/);
});
