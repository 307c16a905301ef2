import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { _withCacheLock } from "../../lib/pipeline/_cache_lock.ts";
import { trajectoriesCacheDir } from "../../lib/pipeline/cached_trajectories.ts";

Deno.test("_withCacheLock: concurrent callers build once; a dead holder's lock is taken over", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "entry");
  let builds = 0;
  let built = false;
  const options = {
    path,
    done: () => Promise.resolve(built),
    build: async () => {
      builds++;
      assert.ok(existsSync(`${path}.lock`), "the lock is held while building");
      await new Promise((r) => setTimeout(r, 50));
      built = true;
    },
    pollMs: 10,
  };
  await Promise.all([_withCacheLock(options), _withCacheLock(options), _withCacheLock(options)]);
  assert.equal(builds, 1);
  assert.equal(existsSync(`${path}.lock`), false);

  // a lock left by a process that no longer runs (pid 2^31 - 2 never exists)
  built = false;
  await writeFile(`${path}.lock`, String(2 ** 31 - 2));
  await _withCacheLock(options);
  assert.equal(builds, 2);
  assert.equal(existsSync(`${path}.lock`), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trajectoriesCacheDir: one folder per teacher seed, first index, tasks, refinements", () => {
  assert.equal(
    trajectoriesCacheDir("/c", { seed: 1, tasks: 1200, firstIndex: 3000, maxRefinements: 5 }),
    "/c/miniflow-1-3000-1200-r5",
  );
  assert.equal(trajectoriesCacheDir("/c", { seed: 2, tasks: 48 }), "/c/miniflow-2-0-48-r5");
});
