import assert from "node:assert/strict";
import { errorCategory, errorHistogram } from "../../lib/eval/error_histogram.ts";

Deno.test("error categories follow the paper's taxonomy; time limits count as timeout", () => {
  assert.equal(errorCategory({ verdict: "pass" }), undefined);
  assert.equal(errorCategory({ verdict: "fail", errorType: "AssertionError" }), "AssertionError");
  assert.equal(errorCategory({ verdict: "error", errorType: "SyntaxError" }), "SyntaxError");
  assert.equal(errorCategory({ verdict: "timeout", errorType: "TimeoutError" }), "timeout");
  assert.equal(errorCategory({ verdict: "fail", errorType: "TimeoutError" }), "timeout");
  assert.equal(errorCategory({ verdict: "error" }), "error");
});

Deno.test("histogram counts failures, largest first then by name", () => {
  const h = errorHistogram([
    { verdict: "fail", errorType: "NameError" },
    { verdict: "fail", errorType: "AssertionError" },
    { verdict: "pass" },
    { verdict: "error", errorType: "SyntaxError" },
    { verdict: "fail", errorType: "AssertionError" },
    { verdict: "timeout" },
    { verdict: "fail", errorType: "IndexError" },
    { verdict: "fail", errorType: "NameError" },
  ]);
  assert.deepEqual(h, [
    ["AssertionError", 2],
    ["NameError", 2],
    ["IndexError", 1],
    ["SyntaxError", 1],
    ["timeout", 1],
  ]);
});
