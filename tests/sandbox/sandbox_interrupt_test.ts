/**
 * An interrupt meant for the caller (Ctrl-C, or a notebook's Kernel > Interrupt, which jupyter
 * sends as SIGINT to the kernel's whole process group) must not reach the programs the sandbox
 * runs or the kit's helper processes: killed mid-run, a correct program would be recorded as an
 * error or a failure. The caller stops between steps instead (lib/core's InterruptWatch).
 */
import assert from "node:assert/strict";
import { TEST_UID_BASE, UID_RANGE } from "./_helpers.ts";

const CHILD = new URL("./_interrupt_child.ts", import.meta.url).pathname;
const root = Deno.uid() === 0;

const CASES = [
  ["bwrap", "zygote", 8, true],
  ["bwrap", "spawn", 9, true],
  ["unshare", "spawn", 10, root],
  ["rlimits", "spawn", 11, root],
] as const;

for (const [isolation, launcher, slot, runnable] of CASES) {
  Deno.test({
    name:
      `${isolation}/${launcher}: SIGINT to the caller's process group leaves the run and helpers alone`,
    ignore: !runnable,
    fn: async () => {
      const out = await _interruptedChild([
        isolation,
        launcher,
        String(TEST_UID_BASE + slot * UID_RANGE),
      ]);
      assert.match(out, /slow run: pass; signals seen: 1/);
      assert.match(out, /AST helper afterwards: ok/);
    },
  });
}

/** Runs the child in a process group of its own and sends SIGINT to that group once it is ready. */
async function _interruptedChild(args: string[]): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args],
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  if (out.includes("ready\n")) {
    await new Promise((resolve) => setTimeout(resolve, 500)); // the slow run is under way
    Deno.kill(-child.pid, "SIGINT");
  }
  for (let r = await reader.read(); !r.done; r = await reader.read()) out += r.value;
  const status = await child.status;
  assert.equal(status.code, 0, `child failed: ${out}\n${await stderr}`);
  return out;
}
