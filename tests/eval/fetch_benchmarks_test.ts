import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync } from "node:fs";
import {
  BENCHMARK_FILES,
  fetchBenchmarks,
  main,
  sha256Hex,
  verifyChecksum,
} from "../../tools/fetch_benchmarks.ts";
import { benchmarkDataDirs } from "../../lib/eval/data_dir.ts";

/** The shared data directory (read-only); the tests serve copies of its files from memory. */
const SHARED = benchmarkDataDirs()[1];

/**
 * SHA256SUMS entries with no upstream file: the CC BY 4.0 text and the attribution note were put
 * next to the MBPP data by hand (shared/data/README.md, section 2), so the tool does not fetch them.
 */
const NOT_UPSTREAM = new Set(["mbpp/LICENSE", "mbpp/NOTICE"]);

Deno.test({
  name:
    "the embedded checksum table equals shared/data's SHA256SUMS (less the hand-made MBPP notes)",
  fn: async () => {
    const table = async (file: string, prefix: string) =>
      (await Deno.readTextFile(join(SHARED, file))).trim().split("\n")
        .map((l) => l.split(/\s+/)).map(([sum, path]) => [sum, prefix + path]);
    const sums = [
      ...await table("SHA256SUMS", ""),
      ...await table("bigcodebench/SHA256SUMS", "bigcodebench/"),
    ].filter(([, path]) => !NOT_UPSTREAM.has(path)).map(([sum, path]) => `${path} ${sum}`).sort();
    assert.deepEqual(BENCHMARK_FILES.map((f) => `${f.path} ${f.sha256}`).sort(), sums);
  },
});

Deno.test("verifyChecksum names the file, the source and both sums", () => {
  const bytes = new TextEncoder().encode("abc");
  const spec = { path: "x/y.json", url: "u", sha256: sha256Hex(bytes) };
  verifyChecksum(spec, "u", bytes);
  assert.equal(spec.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // sha256("abc")
  assert.throws(
    () => verifyChecksum(spec, "http://m/x/y.json", new TextEncoder().encode("abd")),
    new Error(
      "checksum mismatch for x/y.json from http://m/x/y.json: expected sha256 " +
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, got " +
        `${sha256Hex(new TextEncoder().encode("abd"))} (3 bytes); the file was not saved`,
    ),
  );
});

Deno.test({
  name: "fetch from a local mirror: verified download, skip when present, mismatch not saved",
  fn: async () => {
    let corrupt = false;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        const rel = decodeURIComponent(new URL(req.url).pathname).replace(/^\/+/, "");
        if (rel.includes("..")) return new Response("no", { status: 400 });
        try {
          const bytes = await Deno.readFile(join(SHARED, rel));
          if (corrupt) bytes[bytes.length - 1] ^= 1;
          return new Response(bytes);
        } catch {
          return new Response("missing", { status: 404 });
        }
      },
    );
    const mirror = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const dest = await Deno.makeTempDir();
    const only = ["humaneval/HumanEval.jsonl.gz", "mbpp/sanitized-mbpp.json"];
    const log: string[] = [];
    try {
      const first = await fetchBenchmarks({ dest, mirror, only, log: (m) => log.push(m) });
      assert.deepEqual(first, only.map((path) => ({ path, status: "downloaded" })));
      const he = await Deno.readFile(join(dest, only[0]));
      assert.equal(
        sha256Hex(he),
        "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
      );
      const second = await fetchBenchmarks({ dest, mirror, only, log: () => {} });
      assert.deepEqual(second.map((o) => o.status), ["present", "present"]);

      corrupt = true;
      const path = "evalplus/MbppPlus.jsonl.gz";
      await assert.rejects(
        fetchBenchmarks({ dest, mirror, only: [path], log: () => {} }),
        (e: Error) =>
          e.message.startsWith(
            `checksum mismatch for ${path} from ${mirror}/${path}: expected sha256 af43697e`,
          ) &&
          e.message.endsWith("(336032 bytes); the file was not saved"),
      );
      assert.equal(existsSync(join(dest, path)), false);
      assert.equal(existsSync(join(dest, path + ".part")), false);
      await assert.rejects(
        fetchBenchmarks({ dest, mirror, only: ["nope.json"], log: () => {} }),
        /unknown benchmark file "nope.json"/,
      );
    } finally {
      await server.shutdown();
      await Deno.remove(dest, { recursive: true });
    }
  },
});

Deno.test({
  name: "a file:// mirror works too, and unknown CLI flags fail naming the flag",
  fn: async () => {
    const dest = await Deno.makeTempDir();
    try {
      const r = await fetchBenchmarks({
        dest,
        mirror: `file://${SHARED}`,
        only: ["mbpp/mbpp.jsonl"],
        log: () => {},
      });
      assert.deepEqual(r, [{ path: "mbpp/mbpp.jsonl", status: "downloaded" }]);
      assert.equal(await main(["--bogus"]), 2);
    } finally {
      await Deno.remove(dest, { recursive: true });
    }
  },
});
