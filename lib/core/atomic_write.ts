/**
 * The one write-then-rename of the kit: a reader sees the old file or the new one, never half of
 * one, and a kill leaves at most a stray `*.tmp-*` file beside it.
 *
 * @module
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Write `data` to `path` atomically: to a temporary file in the same folder (created when
 * missing), then renamed over `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { atomicWrite } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await atomicWrite(`${dir}/a/b.json`, "{}\n");
 * assert.equal(await Deno.readTextFile(`${dir}/a/b.json`), "{}\n");
 * assert.deepEqual([...Deno.readDirSync(`${dir}/a`)].map((e) => e.name), ["b.json"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Write a stream of text chunks to `path` atomically (streamed into a temporary file beside it,
 * then renamed over `path`), for outputs too large to hold as one string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { atomicWriteChunks } from "./atomic_write.ts";
 * const path = `${await Deno.makeTempDir()}/list.json`;
 * await atomicWriteChunks(path, ["[", "1", ",2", "]\n"]);
 * assert.equal(await Deno.readTextFile(path), "[1,2]\n");
 * ```
 */
export async function atomicWriteChunks(
  path: string,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      const enc = new TextEncoder();
      for await (const chunk of chunks) {
        const bytes = enc.encode(chunk);
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
      }
    } finally {
      file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Fill a folder through `fill(tmpDir)` and rename it into place at `dir` (replacing an older one),
 * so `dir` is either complete or absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { atomicWriteDir } from "./atomic_write.ts";
 * const root = await Deno.makeTempDir();
 * await atomicWriteDir(`${root}/cell`, (tmp) => Deno.writeTextFile(`${tmp}/x`, "1"));
 * assert.equal(await Deno.readTextFile(`${root}/cell/x`), "1");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function atomicWriteDir(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const tmp = `${dir}.tmp-${Deno.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}
