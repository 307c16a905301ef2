/**
 * Downloads a model repository from the Hugging Face hub (or a server laid out like it) into a
 * folder: the file list and each file's size and hash from `GET /api/models/<repo>/revision/<rev>`,
 * each file from `/<repo>/resolve/<rev>/<path>`. A file is written to `<path>.partial` and resumed
 * from its length with an HTTP Range request after a kill; it is renamed into place only once its
 * size and hash match what the hub lists: the LFS sha256 for large files, the git blob sha1
 * otherwise. Files already in place with the right size and hash are not fetched again.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";

/** A file of the repository as the hub lists it. */
export interface HubFile {
  readonly path: string;
  readonly size: number;
  /** `sha256:<hex>` for an LFS file, `sha1-blob:<hex>` (git's blob id) otherwise. */
  readonly hash: string;
}

/** Options of {@linkcode fetchModel}. */
export interface FetchModelOptions {
  /** `ORG/NAME`. */
  readonly repo: string;
  /** @default {"main"} */
  readonly revision?: string;
  /** Folder the files go to. */
  readonly dir: string;
  /** @default {"https://huggingface.co"} (or `HF_ENDPOINT`) */
  readonly endpoint?: string;
  /** Bearer token (gated models). @default {HF_TOKEN, if set} */
  readonly token?: string;
  /** Only files whose path passes. @default {every file} */
  readonly include?: (path: string) => boolean;
  /** Progress: bytes of the current file so far and its size. */
  readonly onProgress?: (file: string, done: number, total: number) => void;
}

function _checkPath(path: string, repo: string): string {
  const p = normalize(path);
  if (p.startsWith("..") || p.startsWith("/") || p.includes("\0")) {
    throw new Error(`${repo}: the hub listed a file outside the folder: ${JSON.stringify(path)}`);
  }
  return p;
}

/** The repository's files with sizes and hashes. */
export async function listHubFiles(o: FetchModelOptions): Promise<HubFile[]> {
  const url = `${_endpoint(o)}/api/models/${o.repo}/revision/${
    encodeURIComponent(o.revision ?? "main")
  }?blobs=true`;
  const res = await fetch(url, { headers: _headers(o) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(
      `${url}: HTTP ${res.status} (unknown repository or revision, or a gated model without a token?)`,
    );
  }
  const info = await res.json() as { siblings?: unknown };
  if (!Array.isArray(info.siblings)) throw new Error(`${url}: no "siblings" list in the answer`);
  return info.siblings.map((s: Record<string, unknown>, i: number) => {
    const lfs = s.lfs as { sha256?: unknown; size?: unknown } | undefined;
    const size = lfs?.size ?? s.size;
    const hash = lfs?.sha256 !== undefined ? `sha256:${lfs.sha256}` : `sha1-blob:${s.blobId}`;
    if (
      typeof s.rfilename !== "string" || typeof size !== "number" ||
      !/^sha(256|1-blob):[0-9a-f]{40,64}$/.test(hash)
    ) {
      throw new Error(
        `${url}: siblings[${i}]: expected rfilename, size and lfs.sha256 or blobId, found ${
          JSON.stringify(s).slice(0, 120)
        }`,
      );
    }
    return { path: _checkPath(s.rfilename, o.repo), size, hash };
  });
}

function _endpoint(o: FetchModelOptions): string {
  return (o.endpoint ?? Deno.env.get("HF_ENDPOINT") ?? "https://huggingface.co").replace(
    /\/+$/,
    "",
  );
}

function _headers(
  o: FetchModelOptions,
  extra: Record<string, string> = {},
): Record<string, string> {
  const token = o.token ?? Deno.env.get("HF_TOKEN");
  return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** The hash of a file on disk in the hub's form. */
async function _hashOf(path: string, kind: "sha256" | "sha1-blob"): Promise<string> {
  const h = createHash(kind === "sha256" ? "sha256" : "sha1");
  if (kind === "sha1-blob") h.update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path)) h.update(chunk as Uint8Array);
  return `${kind}:${h.digest("hex")}`;
}

async function _matches(path: string, f: HubFile): Promise<boolean> {
  if (!existsSync(path) || statSync(path).size !== f.size) return false;
  return await _hashOf(path, f.hash.split(":")[0] as "sha256" | "sha1-blob") === f.hash;
}

/** Appends the rest of `f` to `partial` (from its length), then checks it. */
async function _download(o: FetchModelOptions, f: HubFile, partial: string): Promise<void> {
  const have = existsSync(partial) ? statSync(partial).size : 0;
  if (have < f.size) {
    const url = `${_endpoint(o)}/${o.repo}/resolve/${
      encodeURIComponent(o.revision ?? "main")
    }/${f.path}`;
    const res = await fetch(url, {
      headers: _headers(o, have > 0 ? { range: `bytes=${have}-` } : {}),
    });
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      throw new Error(`${url}: HTTP ${res.status}`);
    }
    const resumed = res.status === 206;
    const file = await open(partial, resumed ? "a" : "w");
    let done = resumed ? have : 0;
    try {
      for await (const chunk of res.body) {
        await file.write(chunk);
        done += chunk.length;
        o.onProgress?.(f.path, done, f.size);
      }
    } finally {
      await file.close();
    }
  }
  const size = statSync(partial).size;
  const hash = await _hashOf(partial, f.hash.split(":")[0] as "sha256" | "sha1-blob");
  if (size !== f.size || hash !== f.hash) {
    await Deno.remove(partial);
    throw new Error(
      `${f.path}: downloaded ${size} bytes with ${hash}, the hub lists ${f.size} bytes with ${f.hash}; removed, run again`,
    );
  }
}

/**
 * Fetches every (included) file of the repository into `dir`; returns the files with whether each
 * was fetched (`false`: already in place and verified).
 */
export async function fetchModel(
  o: FetchModelOptions,
): Promise<{ file: HubFile; fetched: boolean }[]> {
  const files = (await listHubFiles(o)).filter((f) => o.include?.(f.path) ?? true);
  const out: { file: HubFile; fetched: boolean }[] = [];
  for (const f of files) {
    const target = join(o.dir, f.path);
    if (await _matches(target, f)) {
      out.push({ file: f, fetched: false });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await _download(o, f, partial);
    await rename(partial, target);
    out.push({ file: f, fetched: true });
  }
  return out;
}
