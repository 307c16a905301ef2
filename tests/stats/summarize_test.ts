import assert from "node:assert/strict";
import { formatMeanCi, mean, sampleStd, summarize } from "../../lib/stats/mod.ts";

Deno.test("summarize([1,2,3]): mean 2, std 1, half-width 4.303/sqrt(3)", () => {
  const s = summarize([1, 2, 3]);
  assert.equal(s.n, 3);
  assert.equal(s.mean, 2);
  assert.equal(s.std, 1);
  assert.equal(s.halfWidth.toFixed(3), "2.484");
  assert.equal(s.ciLow.toFixed(3), "-0.484");
  assert.equal(s.ciHigh.toFixed(3), "4.484");
});

Deno.test("summarize: two seeds use t(0.975, 1) = 12.706", () => {
  // mean 0.5, std = sqrt(((0.4-0.5)^2 + (0.6-0.5)^2) / 1) = 0.141421, hw = 12.706 * 0.1414 / sqrt 2
  const s = summarize([0.4, 0.6]);
  assert.equal(s.mean.toFixed(6), "0.500000");
  assert.equal(s.std.toFixed(6), "0.141421");
  assert.equal(s.halfWidth.toFixed(3), "1.271");
});

Deno.test("summarize: confidence 0.90 with 5 seeds uses t(0.95, 4) = 2.132", () => {
  const values = [2, 4, 4, 4, 6]; // mean 4, std sqrt(8/4) = 1.41421
  const s = summarize(values, { confidence: 0.9 });
  assert.equal(s.std.toFixed(5), "1.41421");
  assert.equal(s.halfWidth.toFixed(3), (2.132 * Math.SQRT2 / Math.sqrt(5)).toFixed(3));
});

Deno.test("summarize: one seed gives NaN spread, not a zero-width interval", () => {
  const s = summarize([0.7]);
  assert.equal(s.mean, 0.7);
  assert.ok(Number.isNaN(s.std) && Number.isNaN(s.halfWidth) && Number.isNaN(s.ciLow));
  assert.equal(formatMeanCi(s), "0.700 (n=1)");
});

Deno.test("mean/sampleStd/summarize reject empty and non-finite input, naming the index", () => {
  assert.throws(() => mean([]), /at least one value, found none/);
  assert.throws(() => sampleStd([1, NaN]), /found NaN at index 1/);
  assert.throws(() => summarize([1, Infinity, 2]), /found Infinity at index 1/);
  assert.throws(() => summarize([1, 2], { confidence: 95 }), /confidence in \(0, 1\), found 95/);
});

Deno.test("formatMeanCi: digits and percentage scale", () => {
  assert.equal(formatMeanCi(summarize([1, 2, 3])), "2.000 ± 2.484");
  assert.equal(formatMeanCi(summarize([0.3, 0.4, 0.5]), { digits: 1, scale: 100 }), "40.0 ± 24.8");
});
