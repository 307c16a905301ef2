import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { applyOverrides } from "../../lib/experiment/overrides.ts";

const base = { preset: "smoke", train: { beta: 0.1, steps: 10, variant: "dpo" }, seeds: [0, 1, 2] };

Deno.test("applyOverrides sets nested numbers, strings and arrays without touching the input", () => {
  const c = applyOverrides(base, ["train.beta=0.5", "--train.variant=target-dpo", "seeds=[7]"]);
  assertEquals(c, {
    preset: "smoke",
    train: { beta: 0.5, steps: 10, variant: "target-dpo" },
    seeds: [7],
  });
  assertEquals(base.train.beta, 0.1);
});

Deno.test("applyOverrides rejects unknown keys, naming the key and the known ones", () => {
  assertThrows(
    () => applyOverrides(base, ["train.betta=0.5"]),
    (e: Error) =>
      e.message ===
        'override "train.betta": unknown key "betta" in train (known: beta, steps, variant)',
  );
});

Deno.test("applyOverrides rejects a value of the wrong type, naming both", () => {
  assertThrows(
    () => applyOverrides(base, ["train.steps=ten"]),
    (e: Error) =>
      e.message === 'override "train.steps": expected number (like 10), found string "ten"',
  );
  assertThrows(() => applyOverrides(base, ["train.steps"]), /expected key=value/);
});
