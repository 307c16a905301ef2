/**
 * Download a model from the Hugging Face hub where the internet is reachable: resumable, every
 * file checked against the hub's size and LFS sha256 (or git blob id).
 *
 * ```sh
 * deno task fetch-model Qwen/Qwen2.5-Coder-0.5B-Instruct [--revision main] [--dir models/Qwen/Qwen2.5-Coder-0.5B-Instruct]
 * ```
 *
 * `HF_TOKEN` authorises gated models; `HF_ENDPOINT` (or `--endpoint`) points at a mirror.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fetchModel } from "../lib/hf/mod.ts";

const USAGE = "usage: deno task fetch-model ORG/NAME [--revision R] [--dir DIR] [--endpoint URL]";

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        revision: { type: "string" },
        dir: { type: "string" },
        endpoint: { type: "string" },
      },
    });
  } catch (e) {
    console.error(`fetch-model: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const [repo] = parsed.positionals;
  if (repo === undefined || !/^[\w.-]+\/[\w.-]+$/.test(repo) || parsed.positionals.length > 1) {
    console.error(
      `fetch-model: expected one ORG/NAME, found ${JSON.stringify(parsed.positionals)}\n${USAGE}`,
    );
    Deno.exit(2);
  }
  const dir = parsed.values.dir ?? join("models", repo);
  let last = 0;
  try {
    const files = await fetchModel({
      repo,
      revision: parsed.values.revision,
      dir,
      endpoint: parsed.values.endpoint,
      onProgress: (file, done, total) => {
        if (Date.now() - last < 1000 && done < total) return;
        last = Date.now();
        console.error(
          `${file}: ${(done / 2 ** 20).toFixed(1)} of ${(total / 2 ** 20).toFixed(1)} MiB`,
        );
      },
    });
    const fetched = files.filter((f) => f.fetched).length;
    console.log(
      `${dir}: ${files.length} files (${fetched} fetched, ${
        files.length - fetched
      } already verified)`,
    );
  } catch (e) {
    console.error(`fetch-model: ${(e as Error).message} (run again to resume)`);
    Deno.exit(1);
  }
}
