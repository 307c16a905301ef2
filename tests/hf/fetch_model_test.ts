/**
 * `fetchModel` against a 127.0.0.1 server laid out like the Hugging Face hub (testing/hub): every
 * file checked against the hub's size and LFS sha256 or git blob id, a broken transfer resumed
 * with a Range request, verified files not fetched again, a corrupt download removed with an
 * error naming both hashes, and `deno task fetch-model` doing the same from the command line.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fetchModel } from "../../lib/hf/mod.ts";
import { startHubServer } from "../../testing/hub/mod.ts";

const REPO = "kit-test/tiny-coder";
const weights = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
const FILES = [
  { path: "config.json", bytes: new TextEncoder().encode('{"model_type": "qwen2"}\n'), lfs: false },
  { path: "model.safetensors", bytes: weights, lfs: true, breakAfter: 100_000 },
  { path: "sub/tokenizer.json", bytes: new TextEncoder().encode("{}"), lfs: false },
];

Deno.test("fetchModel: verified files, a broken transfer resumed by Range, nothing fetched twice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-fetch-" });
  await using hub = startHubServer({ repo: REPO, revision: "main", files: FILES });
  const options = { repo: REPO, dir, endpoint: hub.url };
  await assert.rejects(fetchModel(options), /connection broken by the test|error reading a body/);
  const partial = await readFile(join(dir, "model.safetensors.partial"));
  assert.equal(partial.length, 100_000, "the bytes before the break are kept");
  const done = await fetchModel(options);
  assert.deepEqual(done.map((d) => [d.file.path, d.fetched]), [
    ["config.json", false],
    ["model.safetensors", true],
    ["sub/tokenizer.json", true],
  ]);
  assert.ok(
    hub.requests.includes(`GET /${REPO}/resolve/main/model.safetensors bytes=100000-`),
    hub.requests.join("\n"),
  );
  for (const f of FILES) assert.deepEqual(await readFile(join(dir, f.path)), Buffer.from(f.bytes));
  const count = hub.requests.length;
  const again = await fetchModel(options);
  assert.ok(again.every((d) => !d.fetched));
  assert.equal(hub.requests.length, count + 1, "only the file list was asked for");
  // A corrupt file in place is fetched anew; a corrupt download is removed, naming both hashes.
  await writeFile(join(dir, "config.json"), "{}");
  assert.equal(
    (await fetchModel(options)).find((d) => d.file.path === "config.json")?.fetched,
    true,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fetchModel: a download that does not match the hub's hash is removed, naming both", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-fetch-" });
  const lying = [{ path: "model.safetensors", bytes: weights, lfs: true }];
  await using hub = startHubServer({ repo: REPO, revision: "main", files: lying });
  // A stale partial of other bytes: the resumed file has the right size but the wrong hash.
  await writeFile(join(dir, "model.safetensors.partial"), new Uint8Array(1000).fill(1));
  await assert.rejects(
    fetchModel({ repo: REPO, dir, endpoint: hub.url }),
    /model\.safetensors: downloaded 300000 bytes with sha256:[0-9a-f]{64}, the hub lists 300000 bytes with sha256:[0-9a-f]{64}; removed, run again/,
  );
  assert.equal((await Array.fromAsync(Deno.readDir(dir))).length, 0);
  await assert.rejects(
    fetchModel({ repo: "kit-test/missing", dir, endpoint: hub.url }),
    /HTTP 404/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task fetch-model ORG/NAME --revision R --dir DIR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kit-fetch-" });
  await using hub = startHubServer({
    repo: REPO,
    revision: "v1",
    files: FILES.map((f) => ({ ...f, breakAfter: undefined })),
  });
  const cli = fileURLToPath(new URL("../../tools/fetch_model.ts", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, REPO, "--revision", "v1", "--dir", dir, "--endpoint", hub.url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /3 files \(3 fetched, 0 already verified\)/);
  assert.deepEqual(await readFile(join(dir, "model.safetensors")), Buffer.from(weights));
  await Deno.remove(dir, { recursive: true });
});
