import assert from "node:assert/strict";
import { backoffDelayMs, parseRetryAfterMs, Semaphore } from "../../lib/synth/mod.ts";

Deno.test("Semaphore serves waiters first come, first served, and rejects bad sizes", async () => {
  const sem = new Semaphore(1);
  const order: number[] = [];
  const release0 = await sem.acquire();
  const waiters = [1, 2, 3].map((i) => sem.acquire().then((rel) => (order.push(i), rel())));
  assert.equal(sem.waiting, 3);
  release0();
  release0(); // a second release is ignored
  await Promise.all(waiters);
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(sem.active, 0);
  assert.throws(() => new Semaphore(0), {
    message: "Semaphore permits must be an integer >= 1, got 0",
  });
});

Deno.test("backoffDelayMs: exponential ceiling, full jitter, cap and Retry-After", () => {
  const d = (attempt: number, random: number, retryAfterMs?: number) =>
    backoffDelayMs({ attempt, baseMs: 100, maxMs: 1000, random, retryAfterMs });
  assert.deepEqual([0, 1, 2, 3, 4].map((a) => d(a, 0.999999)), [99, 199, 399, 799, 999]);
  assert.equal(d(2, 0.25), 100);
  assert.equal(d(0, 0), 1); // never 0: retries do not spin
  assert.equal(d(5, 0.5, 0), 0);
  assert.equal(d(5, 0.5, 250), 250);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(
    parseRetryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now),
    3000,
  );
  assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "soon" }), now), undefined);
});
