import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const CHILD = new URL("./_interrupt_child.ts", import.meta.url).pathname;

/** Runs the child; sends SIGINT when it prints `ready <cell>` for `interruptAt`. */
async function runChild(runsDir: string, interruptAt?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, runsDir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (interruptAt !== undefined && line === `ready ${interruptAt}`) child.kill("SIGINT");
    }
  }
  return { code: (await child.status).code, lines };
}

Deno.test("SIGINT (Kernel > Interrupt) stops a study at the next step; a rerun resumes", async () => {
  const runsDir = await Deno.makeTempDir();
  const first = await runChild(runsDir, "a/2");
  assert.equal(first.code, 3, first.lines.join("\n"));
  const last = first.lines.at(-1) ?? "";
  assert.match(
    last,
    /^error Interrupted: study toy interrupted; finished cells are kept in .*results\.jsonl; run it again to resume$/,
  );
  const [folder] = await Array.fromAsync(Deno.readDir(runsDir));
  const results = join(runsDir, folder.name, "results.jsonl");
  const done = readFileSync(results, "utf8").trim().split("\n").map((l) => JSON.parse(l).taskId);
  assert.deepEqual(done, ["a/0", "a/1"]);
  const second = await runChild(runsDir);
  assert.equal(second.code, 0, second.lines.join("\n"));
  assert.deepEqual(second.lines, ["ready a/2", "ready b/0", "ready b/1", "ready b/2", "done 6"]);
  await Deno.remove(runsDir, { recursive: true });
});
