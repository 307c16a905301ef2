/**
 * `deno task export` (format v2) on pairs synthesised by the MiniFlow teacher: every line is valid
 * under schema/target-dpo-pairs.v2.schema.json (ajv, draft 2020-12), the sha256 fields are the
 * completions', each rejected span is exactly the code points of the `D-` lines (line breaks
 * included), and `--hybrid-seed` marks half the pairs for plain DPO, the same half every run.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { runDeno } from "../../testing/cli/mod.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCHEMA = JSON.parse(
  await Deno.readTextFile(join(ROOT, "schema", "target-dpo-pairs.v2.schema.json")),
);

const task = (args: string[]) => runDeno(["task", ...args]);

/** Code-point ranges of the listed lines of `text`, each with its line break. */
function lineCodePoints(text: string, lines: readonly number[]): [number, number][] {
  const cps = [...text];
  const starts = [0];
  cps.forEach((c, i) => c === "\n" && starts.push(i + 1));
  return lines.map((l) => [starts[l], starts[l + 1] ?? cps.length]);
}

Deno.test("deno task export: format v2 lines valid under the schema, spans exactly the D- lines, a seeded hybrid split", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-export-v2-" });
  try {
    await task([
      "synth",
      "--teacher",
      "miniflow",
      "--tasks",
      "60",
      "--max-pairs",
      "12",
      "--out",
      join(dir, "synth"),
    ]);
    const read = async (name: string) =>
      (await Deno.readTextFile(join(dir, name))).trim().split("\n").map((l) => JSON.parse(l));
    const log = await task([
      "export",
      "--pairs",
      join(dir, "synth", "pairs.jsonl"),
      "--out",
      join(dir, "a.jsonl"),
      "--hybrid-seed",
      "4",
    ]);
    assert.match(log, /export: \d+ pairs written/);
    await task([
      "export",
      "--pairs",
      join(dir, "synth", "pairs.jsonl"),
      "--out",
      join(dir, "b.jsonl"),
      "--hybrid-seed",
      "4",
    ]);
    const [a, b] = [await read("a.jsonl"), await read("b.jsonl")];
    assert.ok(a.length >= 8, `${a.length} pairs`);
    const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);
    let spansChecked = 0;
    for (const [i, r] of a.entries()) {
      assert.ok(validate({ ...r }), `line ${i + 1}: ${JSON.stringify(validate.errors)}`);
      for (const side of ["chosen", "rejected"]) {
        assert.equal(r[`${side}_sha256`], createHash("sha256").update(r[side]).digest("hex"));
      }
      if (r.empty_rejected === "non-empty" && r.context_lines === 0) {
        // Merged spans of the D- lines (adjacent lines join into one span).
        const want: [number, number][] = [];
        for (const [s, e] of lineCodePoints(r.rejected, r.rejected_lines)) {
          if (want.length > 0 && want.at(-1)![1] === s) want.at(-1)![1] = e;
          else want.push([s, e]);
        }
        assert.deepEqual(r.rejected_spans, want, `line ${i + 1}`);
        spansChecked++;
      }
    }
    assert.ok(spansChecked >= 5, `only ${spansChecked} pairs had their spans checked`);
    const plain = a.filter((r) => !r.target_masks).length;
    assert.equal(plain, Math.floor(a.length / 2), "half the pairs train as plain DPO");
    assert.deepEqual(
      a.map((r) => r.target_masks),
      b.map((r) => r.target_masks),
      "the split is seeded",
    );
    const bad = structuredClone(a[0]);
    bad.rejected_spans = [[0]];
    assert.equal(validate(bad), false, "the schema rejects a malformed span");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
