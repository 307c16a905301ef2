import assert from "node:assert/strict";
import {
  allowUnsafeIsolation,
  resolveIsolation,
  resolvePython,
  takeUnsafeIsolationFlag,
  unsafeIsolation,
} from "../../lib/sandbox/mod.ts";

Deno.test("resolvePython prefers /usr/bin/python3 and returns its realpath and prefix", () => {
  const py = resolvePython();
  assert.equal(py.path, Deno.realPathSync("/usr/bin/python3"));
  assert.equal(py.prefix, "/usr");
  assert.equal(resolvePython(), py); // cached: resolved once
  assert.throws(
    () => resolvePython("/no/such/python"),
    /pythonPath "\/no\/such\/python" does not exist/,
  );
});

Deno.test("resolveIsolation: auto picks bwrap here; explicit modes are checked", () => {
  const paths = { bwrapPath: "/usr/bin/bwrap", unsharePath: "/usr/bin/unshare" };
  assert.equal(resolveIsolation({ ...paths, isolation: "auto" }), "bwrap");
  assert.equal(resolveIsolation({ ...paths, isolation: "rlimits" }), "rlimits");
  assert.throws(
    () => resolveIsolation({ ...paths, bwrapPath: "/no/bwrap", isolation: "bwrap" }),
    /isolation "bwrap" requested but \/no\/bwrap does not run/,
  );
});

Deno.test("auto fails closed without bubblewrap, naming the fix; a weaker mode only when allowed", () => {
  const probe = {
    isolation: "auto" as const,
    bwrapPath: "/nonexistent/bwrap",
    unsharePath: "/usr/bin/unshare",
  };
  assert.throws(() => resolveIsolation(probe), /apt-get install bubblewrap.*--unsafe-isolation/s);
  try {
    assert.deepEqual(takeUnsafeIsolationFlag(["--a", "--unsafe-isolation", "rlimits", "b"]), [
      "--a",
      "b",
    ]);
    assert.equal(unsafeIsolation(), "rlimits");
    assert.equal(resolveIsolation(probe), "rlimits");
    assert.throws(() => takeUnsafeIsolationFlag(["--unsafe-isolation=none"]), /expected one of/);
    assert.throws(() => takeUnsafeIsolationFlag(["--unsafe-isolation"]), /expected one of/);
  } finally {
    allowUnsafeIsolation(undefined);
  }
  assert.throws(() => resolveIsolation(probe), /does not run here/);
});
