/**
 * Bit-reproducibility from a fresh checkout (issue #20): the demo's smoke study, run twice with
 * empty caches and run folders (so trajectories, pairs, reference log-probs and evaluation splits
 * are all recomputed), gives identical metrics in every cell, wall times aside.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runDemo } from "../../tools/demo.ts";

function metricsWithoutTimes(m: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("wallS/")));
}

Deno.test("the demo's smoke study is bit-reproducible from empty caches", async () => {
  const root = await Deno.makeTempDir({ prefix: "demo-repro-" });
  try {
    const run = (k: number) =>
      runDemo({
        preset: "smoke",
        runsDir: join(root, `runs-${k}`),
        cacheDir: join(root, `cache-${k}`),
        quiet: true,
      });
    const a = await run(0);
    const b = await run(1);
    assert.equal(a.ran, a.results.length);
    assert.equal(b.ran, b.results.length);
    assert.deepEqual(
      b.results.map((r) => [r.variant, r.seed, metricsWithoutTimes(r.metrics)]),
      a.results.map((r) => [r.variant, r.seed, metricsWithoutTimes(r.metrics)]),
    );
    assert.ok(a.results.length >= 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
