import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { incrementScript, startTestServer } from "../../testing/openai/mod.ts";

const CLI = fileURLToPath(new URL("../../tools/synth.ts", import.meta.url));

async function synth(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("synth CLI: unknown flags and bad values fail naming the flag", async () => {
  const a = await synth(["--teacher", "miniflow", "--tasks", "1", "--out", "x", "--bogus"]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /^synth: Unknown option '--bogus'/);
  const b = await synth([
    "--teacher",
    "miniflow",
    "--tasks",
    "1",
    "--out",
    "x",
    "--selection",
    "worst",
  ]);
  assert.equal(b.code, 2);
  assert.match(
    b.stderr,
    /^synth: --selection: expected one of random, first, last, pass-vs-fail, found "worst"/,
  );
  const c = await synth(["--teacher", "gpt", "--tasks", "1", "--out", "x"]);
  assert.match(c.stderr, /^synth: --teacher: expected one of miniflow, openai, model, found "gpt"/);
  const d = await synth([
    "--teacher",
    "openai",
    "--tasks",
    "1",
    "--out",
    "x",
    "--api-key-env",
    "NO_SUCH_VAR_X",
  ]);
  assert.equal(d.code, 2);
  assert.match(
    d.stderr,
    /^synth: environment variable NO_SUCH_VAR_X \(named by --api-key-env\) is empty or unset/,
  );
});

Deno.test("synth CLI: openai teacher against the test server, key from the named env var, judges on", async () => {
  const dir = await Deno.makeTempDir();
  const server = startTestServer({ fallback: incrementScript, apiKey: "sk-test-123" });
  try {
    const r = await synth([
      "--teacher",
      "openai",
      "--tasks",
      "6",
      "--out",
      dir,
      "--base-url",
      server.baseUrl,
      "--model",
      "scripted",
      "--api-key-env",
      "SYNTH_TEST_KEY",
      "--judge",
      "--test-judge-min",
      "3",
      "--selection",
      "first",
      "--workers",
      "2",
    ], { SYNTH_TEST_KEY: "sk-test-123" });
    assert.equal(r.code, 0, r.stderr);
    // Ids ending in 0..5: d % 3 failing versions, so pass at iterations 0,1,2,0,1,2.
    assert.match(r.stdout, /pass rate by iteration 0 +33\.3% \(2\)/);
    assert.match(r.stdout, /pass rate by iteration 1 +66\.7% \(4\)/);
    assert.match(r.stdout, /pass rate by iteration 2 +100\.0% \(6\)/);
    assert.match(r.stdout, /funnel: after judge \(pairs\) +4/);
    assert.match(r.stdout, /model calls 22 \(requests 22, retries 0\)/); // 6 tasks + 6 test judges + 6 fixes + 4 pair judges
    assert.equal(server.statuses.get(401), undefined);
    const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
    assert.equal(config.selection, "first");
    assert.equal(JSON.stringify(config).includes("sk-test-123"), false); // the key is never stored
    const stats = JSON.parse(await Deno.readTextFile(join(dir, "stats.json")));
    assert.equal(stats.session.teacherUsage.calls, 22);
    const log = await Deno.readTextFile(join(dir, "requests.jsonl"));
    assert.equal(log.trim().split("\n").length, 44);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
