/**
 * A server on 127.0.0.1 laid out like the Hugging Face hub, standing in for it in the tests of
 * `fetchModel`: `GET /api/models/<repo>/revision/<rev>?blobs=true` lists the files with their
 * sizes, LFS sha256 or git blob ids, and `GET /<repo>/resolve/<rev>/<path>` serves a file, with
 * `Range: bytes=N-` answered by 206. A file can be set to break off its first download after
 * some bytes, as a killed transfer does.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** A file of the fake repository. */
export interface HubServerFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Listed as an LFS file (sha256) rather than a git blob (sha1 of `blob <size>\0…`). */
  readonly lfs: boolean;
  /** The first GET of this file sends this many bytes, then breaks the connection. */
  readonly breakAfter?: number;
}

/** A running fake hub. */
export interface HubServer extends AsyncDisposable {
  readonly url: string;
  /** Every request as `METHOD path range`, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

function _hex(algo: "sha256" | "sha1", ...parts: (string | Uint8Array)[]): string {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Starts the fake hub for one repository and revision. */
export function startHubServer(
  o: { repo: string; revision: string; files: readonly HubServerFile[] },
): HubServer {
  const requests: string[] = [];
  const broken = new Set<string>();
  const siblings = o.files.map((f) =>
    f.lfs
      ? {
        rfilename: f.path,
        size: f.bytes.length,
        lfs: { sha256: _hex("sha256", f.bytes), size: f.bytes.length },
      }
      : {
        rfilename: f.path,
        size: f.bytes.length,
        blobId: _hex("sha1", `blob ${f.bytes.length}\0`, f.bytes),
      }
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    const range = req.headers.get("range");
    requests.push(`${req.method} ${url.pathname}${range ? ` ${range}` : ""}`);
    if (url.pathname === `/api/models/${o.repo}/revision/${o.revision}`) {
      return Response.json({ id: o.repo, sha: "0".repeat(40), siblings });
    }
    const prefix = `/${o.repo}/resolve/${o.revision}/`;
    const file = url.pathname.startsWith(prefix)
      ? o.files.find((f) => f.path === decodeURIComponent(url.pathname.slice(prefix.length)))
      : undefined;
    if (file === undefined) return new Response("not found", { status: 404 });
    const from = range === null ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? NaN);
    if (!Number.isInteger(from) || from > file.bytes.length) {
      return new Response("bad range", { status: 416 });
    }
    const body = new Uint8Array(file.bytes.subarray(from)); // a copy: an ArrayBuffer-backed body
    if (file.breakAfter !== undefined && !broken.has(file.path)) {
      broken.add(file.path);
      const cut = body.subarray(0, file.breakAfter);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(cut);
          setTimeout(() => c.error(new Error("connection broken by the test")), 50);
        },
      });
      return new Response(stream, { status: range === null ? 200 : 206 });
    }
    return new Response(body, { status: range === null ? 200 : 206 });
  });
  const close = () => server.shutdown();
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}
