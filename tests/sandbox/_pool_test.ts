import assert from "node:assert/strict";
import { _SlotPool } from "../../lib/sandbox/_pool.ts";

Deno.test("_SlotPool runs at most `size` tasks at once and reuses freed slots", async () => {
  const pool = new _SlotPool(2);
  let running = 0;
  let peak = 0;
  const slots: number[] = [];
  const task = async (slot: number) => {
    running++;
    peak = Math.max(peak, running);
    slots.push(slot);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return slot;
  };
  const out = await Promise.all([0, 1, 2, 3, 4].map(() => pool.use(task)));
  assert.equal(peak, 2);
  assert.deepEqual(slots.slice(0, 2), [0, 1]);
  assert.deepEqual([...new Set(out)].sort(), [0, 1]);
});

Deno.test("_SlotPool rejects a size below 1, naming it", () => {
  assert.throws(() => new _SlotPool(0), /workers must be an integer >= 1, got 0/);
});
