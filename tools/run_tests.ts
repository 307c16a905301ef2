/**
 * The test command (`deno task test`): check system prerequisites, run the whole suite,
 * and end with the plain line `N passed, M failed`.
 *
 * Usage: deno task test [extra deno test args, e.g. a path or --filter NAME]
 *
 * @module
 */
import { checkPrereqs } from "./prereqs.ts";

try {
  const report = checkPrereqs({ install: true });
  if (report.installed.length > 0) {
    console.error(`prereqs: installed ${report.installed.join(", ")}`);
  }
} catch (e) {
  console.error((e as Error).message);
  console.log("0 passed, 1 failed");
  Deno.exit(1);
}

// The suite is tests/ plus every JSDoc example in lib/, experiments/, testing/ and tools/
// (type-checked and run).
const extra = Deno.args.length > 0
  ? Deno.args
  : ["--doc", "tests/", "lib/", "experiments/", "testing/", "tools/"];
const cmd = new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", "--parallel", ...extra],
  env: { NO_COLOR: "1", DENO_JOBS: "2" },
  stdout: "piped",
  stderr: "inherit",
});
const child = cmd.spawn();
const decoder = new TextDecoder();
let tail = "";
for await (const chunk of child.stdout) {
  const text = decoder.decode(chunk, { stream: true });
  await Deno.stdout.write(chunk);
  tail = (tail + text).slice(-4000);
}
const status = await child.status;
// deno test ends with `ok | 12 passed (3 steps) | 0 failed (2s)` or `FAILED | …`.
const m = /(ok|FAILED) \| (\d+) passed(?: \([^)]*\))? \| (\d+) failed/.exec(tail);
if (!m) {
  console.log(`0 passed, 1 failed`);
  console.error(`test: could not read deno test's summary (exit code ${status.code})`);
  Deno.exit(1);
}
const allPassed = m[1] === "ok" && m[3] === "0";
if (allPassed && !status.success) {
  // Seen rarely: the process aborts in native teardown (glibc "corrupted size vs. prev_size"
  // after the WebGPU/lavapipe tests) AFTER deno printed its final verdict. Every test ran and
  // passed, so the run stands, but say so loudly. A crash during the tests never prints "ok |".
  console.error(
    `test: WARNING: deno test exited with code ${status.code}` +
      `${status.signal ? ` (${status.signal})` : ""} after reporting "ok": ` +
      `a crash while the process shut down, not a test failure`,
  );
}
console.log(`${m[2]} passed, ${m[3]} failed`);
Deno.exit(allPassed ? 0 : 1);
