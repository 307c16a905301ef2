/**
 * The kit's command-line tasks as the tests run them: `deno task …` (or `deno run …`) from the
 * repository root, with the output checked, and MiniFlow pairs synthesised once per test process.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const KIT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs `deno <args>` (for example `["task", "export", …]`) in the repository root and returns
 * stdout + stderr; fails unless its success is `expectOk`.
 */
export async function runDeno(args: readonly string[], expectOk = true): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd: KIT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.success, expectOk, text);
  return text;
}

/** What a CLI run printed, and its exit code. */
export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `deno run -A <script> <args>` and returns its exit code and output, whatever the code. */
export async function runTool(script: string, args: readonly string[]): Promise<ToolRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

let _pairs: Promise<string> | undefined;

/**
 * `pairs.jsonl` of `deno task synth --teacher miniflow --tasks 60 --max-pairs 6`, made once per
 * test process in a temp folder (removed when the process ends); callers must not change it.
 */
export function miniflowPairsFile(): Promise<string> {
  _pairs ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "kit-miniflow-pairs-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    await runDeno([
      "task",
      "synth",
      "--teacher",
      "miniflow",
      "--tasks",
      "60",
      "--max-pairs",
      "6",
      "--out",
      dir,
    ]);
    return join(dir, "pairs.jsonl");
  })();
  return _pairs;
}
