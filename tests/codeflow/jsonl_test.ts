import assert from "node:assert/strict";
import { readPairs, readTrajectories } from "../../lib/codeflow/jsonl.ts";
import { appendJsonl, readJsonl, RecordError } from "../../lib/core/mod.ts";
import { pair, trajectory, version } from "./_fixtures.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function withFile(text: string, f: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pairs.jsonl`;
  await Deno.writeTextFile(path, text);
  try {
    await f(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a bad field names the file, the line and the field", async () => {
  const bad = { ...pair("t2"), diff: { ...pair("t2").diff, rejectedLines: "x" } };
  const text = [pair("t1"), bad].map((r) => JSON.stringify(r)).join("\n") + "\n";
  await withFile(text, async (path) => {
    const err = await collect(readPairs(path)).then(() => null, (e) => e);
    assert.ok(err instanceof RecordError);
    assert.equal(
      err.message,
      `${path}:2: field "diff.rejectedLines": expected array of integers, found "x"`,
    );
    assert.equal(err.file, path);
    assert.equal(err.line, 2);
    assert.equal(err.field, "diff.rejectedLines");
  });
});

Deno.test("a bad array element and a bad nested enum are named precisely", async () => {
  const badLines = { ...pair("t"), diff: { ...pair("t").diff, rejectedLines: [1, "x"] } };
  await withFile(JSON.stringify(badLines) + "\n", async (path) => {
    await assert.rejects(() => collect(readPairs(path)), {
      message:
        `${path}:1: field "diff.rejectedLines": expected array of integers, found "x" at index 1`,
    });
  });
  const t = trajectory("t", [version(0, "x", "fail"), {
    ...version(1, "y", "pass"),
    verdict: "ok" as never,
  }]);
  await withFile("\n" + JSON.stringify(t) + "\n", async (path) => {
    await assert.rejects(() => collect(readTrajectories(path)), {
      message: `${path}:2: field "versions[1].verdict": expected one of "pass", "fail", ` +
        `"timeout", "error", found "ok"`,
    });
  });
  const badFilter = { ...pair("t"), filters: { "too-long": "yes" } };
  await withFile(JSON.stringify(badFilter) + "\n", async (path) => {
    await assert.rejects(() => collect(readPairs(path)), {
      message: `${path}:1: field "filters.too-long": expected boolean, found "yes"`,
    });
  });
});

Deno.test("malformed JSON names the file and the line", async () => {
  const text = JSON.stringify(pair("t1")) + "\n" + '{"schema": "codeflow.pair/v1",\n';
  await withFile(text, async (path) => {
    const err = await collect(readPairs(path)).then(() => null, (e) => e);
    assert.ok(err instanceof RecordError);
    assert.match(
      err.message,
      new RegExp(`^${path.replaceAll(".", "\\.")}:2: invalid JSON \\(.+\\)$`),
    );
    assert.equal(err.line, 2);
    assert.equal(err.field, undefined);
  });
});

Deno.test("append then stream back: records, line numbers, CRLF and lines longer than a chunk", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/out.jsonl`;
  try {
    const big = { taskId: "big", payload: "é".repeat(200_000) }; // far more than one read chunk
    assert.equal(await appendJsonl(path, [{ taskId: "a" }, big]), 2);
    assert.equal(
      await appendJsonl(
        path,
        (async function* () {
          yield { taskId: "c" };
        })(),
      ),
      1,
    );
    await Deno.writeTextFile(path, '\r\n{"taskId":"d"}\r\n', { append: true });
    const entries = await collect(readJsonl<{ taskId: string; payload?: string }>(path));
    assert.deepEqual(entries.map((e) => [e.line, e.record.taskId]), [
      [1, "a"],
      [2, "big"],
      [3, "c"],
      [5, "d"],
    ]);
    assert.equal(entries[1].record.payload, big.payload);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("valid pairs and trajectories round-trip through the validators", async () => {
  const t = trajectory("t1", [version(0, "a", "fail"), version(1, "b", "pass")]);
  await withFile(JSON.stringify(t) + "\n", async (path) => {
    assert.deepEqual(await collect(readTrajectories(path)), [t]);
  });
  const p = { ...pair("t1"), masks: { tokenizer: "tok", chosen: [[0, 2]], rejected: [] } };
  await withFile(JSON.stringify(p) + "\n", async (path) => {
    assert.deepEqual(await collect(readPairs(path)), [p]);
  });
});

Deno.test("stopping a read early closes the file (the resource sanitizer checks it)", async () => {
  await withFile('{"a":1}\n'.repeat(100_000), async (path) => {
    let seen = 0;
    for await (const e of readJsonl(path)) {
      seen = e.line;
      if (e.line === 3) break;
    }
    assert.equal(seen, 3);
  });
});
