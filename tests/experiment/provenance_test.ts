import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitInfo } from "../../lib/core/mod.ts";
import { type ResultRecord, runStudy } from "../../lib/experiment/mod.ts";
import { TOY, toyCell } from "./_toy_study.ts";

const header = (table: string) => table.split("\n").find((l) => l.startsWith("config")) ?? "";

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], {
    cwd,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function repo(): Promise<string> {
  const dir = await Deno.makeTempDir();
  Deno.mkdirSync(join(dir, "notebooks"));
  writeFileSync(join(dir, "notebooks", "a.ipynb"), "{}\n");
  writeFileSync(join(dir, "code.ts"), "export {};\n");
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-qm", "one");
  return dir;
}

Deno.test("gitInfo: an autosaved notebook leaves the tree clean, a code change makes it dirty", async () => {
  const dir = await repo();
  const sub = join(dir, "notebooks");
  writeFileSync(join(sub, "a.ipynb"), '{"cells": []}\n');
  assert.deepEqual(gitInfo(sub), { commit: git(dir, "rev-parse", "HEAD"), dirty: false });
  writeFileSync(join(dir, "code.ts"), "export const x = 1;\n");
  assert.equal(gitInfo(sub).dirty, true, "a change above the notebook's folder counts");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("table.md names the commits and the dirty flag of its records on a resumed run", async () => {
  const dir = await repo();
  const runsDir = await Deno.makeTempDir();
  const first = git(dir, "rev-parse", "HEAD");
  const options = { study: TOY, runsDir, repoDir: dir, quiet: true, writePlots: false } as const;
  // The first process finishes two cells, then dies (the cell throws).
  let n = 0;
  const cell = toyCell([]);
  await assert.rejects(
    runStudy({
      ...options,
      cell: (ctx) => {
        if (++n > 2) throw new Error("killed");
        return cell(ctx);
      },
    }),
    /killed/,
  );
  writeFileSync(join(dir, "code.ts"), "export const x = 2;\n");
  const run = await runStudy({ ...options, cell });
  const records: ResultRecord[] = readFileSync(join(run.runDir, "results.jsonl"), "utf8")
    .trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.gitDirty), [false, false, true, true, true, true]);
  assert.ok(
    run.table.includes(`git \`${first.slice(0, 12)}\` (dirty) ·`),
    header(run.table),
  );
  git(dir, "commit", "-qam", "two");
  const second = git(dir, "rev-parse", "HEAD");
  const cells = join(run.runDir, "results.jsonl");
  const kept = readFileSync(cells, "utf8").trim().split("\n").slice(0, 5).join("\n") + "\n";
  writeFileSync(cells, kept);
  const again = await runStudy({ ...options, cell });
  assert.ok(
    again.table.includes(
      `git \`${first.slice(0, 12)}\`, \`${second.slice(0, 12)}\` (dirty) (cells from 2 commits)`,
    ),
    header(again.table),
  );
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(runsDir, { recursive: true });
});
