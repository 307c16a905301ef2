import assert from "node:assert/strict";
import { studentTCdf, studentTQuantile } from "../../lib/stats/mod.ts";

Deno.test("studentTQuantile matches the printed t-table to 3 decimals", () => {
  // Two-sided 95% (p = 0.975) and other levels, from standard t-tables.
  const table: [number, number, string][] = [
    [0.975, 1, "12.706"],
    [0.975, 2, "4.303"],
    [0.975, 3, "3.182"],
    [0.975, 4, "2.776"],
    [0.975, 9, "2.262"],
    [0.975, 29, "2.045"],
    [0.975, 120, "1.980"],
    [0.95, 10, "1.812"],
    [0.995, 5, "4.032"],
    [0.9995, 1, "636.619"],
  ];
  for (const [p, df, want] of table) assert.equal(studentTQuantile(p, df).toFixed(3), want);
});

Deno.test("studentTQuantile is antisymmetric and tends to the normal quantile", () => {
  assert.equal(studentTQuantile(0.5, 7), 0);
  assert.equal(studentTQuantile(0.025, 2), -studentTQuantile(0.975, 2));
  assert.equal(studentTQuantile(0.975, 1e7).toFixed(3), "1.960");
});

Deno.test("studentTCdf: df=1 is the Cauchy CDF 1/2 + atan(t)/pi", () => {
  for (const t of [-3, -0.5, 0.25, 1, 10]) {
    assert.ok(Math.abs(studentTCdf(t, 1) - (0.5 + Math.atan(t) / Math.PI)) < 1e-12, `t=${t}`);
  }
});

Deno.test("studentT rejects bad arguments, naming the value", () => {
  assert.throws(() => studentTQuantile(1, 3), /probability in \(0, 1\), found 1/);
  assert.throws(() => studentTQuantile(0.9, 0), /degrees of freedom > 0 \(finite\), found 0/);
});
