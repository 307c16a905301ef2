import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readCodeFiles, structureViolations } from "../../tools/check_structure.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("the checkout keeps the layout rules: no private import across folders, floors respected", () => {
  const files = readCodeFiles(ROOT);
  assert.ok(files.size > 300, `read ${files.size} files`);
  assert.ok(files.has("lib/core/mod.ts") && files.has("lib/backend/mod.ts"));
  assert.deepEqual(structureViolations(files), []);
});

Deno.test("each rule is reported with the file, line and target", () => {
  const files = new Map([
    ["bench/peer/compare.ts", '// import "../_x.ts"\nimport { a } from "../_cli.ts";'],
    ["lib/core/jsonl.ts", 'import { b } from "../codeflow/mod.ts";'],
    ["lib/diff/context.ts", 'import type { Hunk } from "../codeflow/types.ts";'],
    ["lib/eval/x.ts", 'const m = await import("../../testing/openai/mod.ts");'],
    ["lib/eval/y.ts", 'import { c } from "./_record.ts";\nimport "../sandbox/_harness_code.ts";'],
  ]);
  assert.deepEqual(
    structureViolations(files).map((v) => `${v.file}:${v.line}:${v.rule}:${v.target}`),
    [
      "bench/peer/compare.ts:2:private-import:bench/_cli.ts",
      "lib/core/jsonl.ts:1:core-floor:lib/codeflow/mod.ts",
      "lib/diff/context.ts:1:diff-floor:lib/codeflow/types.ts",
      "lib/eval/x.ts:1:test-code-in-lib:testing/openai/mod.ts",
      "lib/eval/y.ts:2:private-import:lib/sandbox/_harness_code.ts",
    ],
  );
});
