import assert from "node:assert/strict";
import { meanPassAtK, passAtK } from "../../lib/eval/pass_at_k.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("pass@k matches 1 - C(n-c,k)/C(n,k) computed by hand", () => {
  close(passAtK(5, 2, 1), 1 - 3 / 5); // C(3,1)/C(5,1)
  close(passAtK(5, 2, 2), 1 - 3 / 10); // C(3,2)=3, C(5,2)=10
  close(passAtK(10, 3, 5), 1 - 21 / 252); // C(7,5)=21, C(10,5)=252
  close(passAtK(200, 1, 1), 1 / 200);
  close(passAtK(200, 10, 100), 1 - 0.0007710260627178503); // C(190,100)/C(200,100) (Python math.comb)
});

Deno.test("pass@k edge cases: n = k, c = 0, c = n", () => {
  assert.equal(passAtK(4, 0, 4), 0); // n = k, no correct sample
  assert.equal(passAtK(4, 1, 4), 1); // n = k, any correct sample is drawn
  assert.equal(passAtK(1, 1, 1), 1);
  assert.equal(passAtK(1, 0, 1), 0);
  assert.equal(passAtK(10, 0, 3), 0);
  assert.equal(passAtK(10, 10, 3), 1);
  assert.equal(passAtK(10, 8, 3), 1); // n - c = 2 < k
});

Deno.test("pass@k rejects impossible counts with the offending value", () => {
  assert.throws(() => passAtK(3, 4, 1), /c must be an integer in \[0, n=3\], found 4/);
  assert.throws(() => passAtK(3, 1, 5), /k must be an integer in \[1, n=3\], found 5/);
  assert.throws(() => passAtK(0, 0, 1), /n must be an integer >= 1, found 0/);
});

Deno.test("mean pass@k averages over tasks", () => {
  close(meanPassAtK([{ n: 2, c: 1 }, { n: 2, c: 0 }, { n: 2, c: 2 }], 1), (0.5 + 0 + 1) / 3);
  assert.throws(() => meanPassAtK([], 1), /no tasks/);
});
