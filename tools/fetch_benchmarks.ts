/**
 * Download the public benchmark files (HumanEval, MBPP, HumanEval+, MBPP+, BigCodeBench) from their upstream
 * URLs into `data/benchmarks/`, verifying each against the sha256 of `shared/data/SHA256SUMS`
 * (embedded below). A mismatching download is never saved.
 *
 * Usage: deno task fetch-benchmarks [--dest DIR] [--mirror URL] [--only PATH,...] [--force]
 *   --mirror  fetch `<URL>/<path>` instead of the upstream URL (an http(s) or file:// mirror)
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** One downloadable file: where it goes, where it comes from, and its checksum. */
export interface BenchmarkFileSpec {
  /** Path inside the data directory. */
  readonly path: string;
  /** Upstream URL (pinned to a commit or a release tag). */
  readonly url: string;
  readonly sha256: string;
}

const HE =
  "https://raw.githubusercontent.com/openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d";
const GR =
  "https://raw.githubusercontent.com/google-research/google-research/30adf0ec5f35f9609c2f1d896005e184195d9146";
const HEP = "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10";
const HEP_RAW =
  "https://raw.githubusercontent.com/evalplus/humanevalplus_release/200defce9e3429d28ca215b6dd061c0f7f31c18b";
const MBP = "https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0";
const MBP_RAW =
  "https://raw.githubusercontent.com/evalplus/mbppplus_release/64fc4195b858a17cdfdb3324f0baf37939144e14";

const BCB =
  "https://raw.githubusercontent.com/bigcode-project/bigcodebench-annotation/a3b89850db670d7302571142b881e4f85eef18e3";

/**
 * The files and checksums of `shared/data/SHA256SUMS` and `shared/data/bigcodebench/SHA256SUMS`
 * (see `shared/data/README.md`).
 */
export const BENCHMARK_FILES: readonly BenchmarkFileSpec[] = [
  {
    path: "humaneval/HumanEval.jsonl.gz",
    url: `${HE}/data/HumanEval.jsonl.gz`,
    sha256: "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
  },
  {
    path: "humaneval/LICENSE",
    url: `${HE}/LICENSE`,
    sha256: "bcba3de214851cce46ed5af42d6698044616eeace887c3231bc7a20474ab639e",
  },
  {
    path: "mbpp/mbpp.jsonl",
    url: `${GR}/mbpp/mbpp.jsonl`,
    sha256: "ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f",
  },
  {
    path: "mbpp/sanitized-mbpp.json",
    url: `${GR}/mbpp/sanitized-mbpp.json`,
    sha256: "ca95deaa9a01ef0a6f439f88bcf0dd3db3563d22f22aad6cae04ebb9a8d8c8e9",
  },
  {
    path: "evalplus/HumanEvalPlus.jsonl.gz",
    url: `${HEP}/HumanEvalPlus.jsonl.gz`,
    sha256: "272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101",
  },
  {
    path: "evalplus/HumanEvalPlus-Mini.jsonl.gz",
    url: `${HEP}/HumanEvalPlus-Mini.jsonl.gz`,
    sha256: "91486741f1627101021fbe50523df08eebb5b0bf5e804b633dcd5ca3c14dbd2f",
  },
  {
    path: "evalplus/HumanEvalPlus-OriginFmt.jsonl.gz",
    url: `${HEP_RAW}/HumanEvalPlus-OriginFmt.jsonl.gz`,
    sha256: "daa7661c8189924068069b0872a440b491edb60f8bdf431d5957adc88d18bae5",
  },
  {
    path: "evalplus/LICENSE.humanevalplus_release",
    url: `${HEP_RAW}/LICENSE`,
    sha256: "b0b08821a8c2b49e0f296b0b498c17d6e19b0439d1e4dd9cdb5f37712993c8a7",
  },
  {
    path: "evalplus/MbppPlus.jsonl.gz",
    url: `${MBP}/MbppPlus.jsonl.gz`,
    sha256: "af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63",
  },
  {
    path: "evalplus/MbppPlus-OriginFmt.jsonl.gz",
    url: `${MBP_RAW}/MbppPlus-OriginFmt.jsonl.gz`,
    sha256: "7a5aec547b134fa297ee6c45f829298aa3f58de02547b8d8a5c3d85d9cb10efc",
  },
  {
    path: "evalplus/LICENSE.mbppplus_release",
    url: `${MBP_RAW}/LICENSE`,
    sha256: "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
  },
  {
    path: "bigcodebench/BigCodeBench.jsonl.gz",
    url: `${BCB}/hf_data/BigCodeBench.jsonl.gz`,
    sha256: "58142744edaf6036387f8761701f1b353432b0ed33f2edec1de8a59e7431ef7a",
  },
  {
    path: "bigcodebench/LICENSE",
    url: `${BCB}/LICENSE`,
    sha256: "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
  },
  {
    path: "bigcodebench/3rd_party_libs.json",
    url: `${BCB}/analysis/3rd_party_libs.json`,
    sha256: "b509d86858c82647e9a3aefccaf31ba4da900cfdebdd4e2be48d09dc0b753309",
  },
];

/** Default destination: `<repo>/data/benchmarks` (where the eval loaders look first). */
export const DEFAULT_DEST: string = fileURLToPath(new URL("../data/benchmarks", import.meta.url));

/** Hex sha256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Throw unless `bytes` have the expected checksum; the message names the file, source and both sums. */
export function verifyChecksum(spec: BenchmarkFileSpec, source: string, bytes: Uint8Array): void {
  const got = sha256Hex(bytes);
  if (got !== spec.sha256) {
    throw new Error(
      `checksum mismatch for ${spec.path} from ${source}: expected sha256 ${spec.sha256}, ` +
        `got ${got} (${bytes.length} bytes); the file was not saved`,
    );
  }
}

/** Options of {@linkcode fetchBenchmarks}. */
export interface FetchBenchmarksOptions {
  /** Destination directory. @default DEFAULT_DEST */
  readonly dest?: string;
  /** Fetch `<mirror>/<path>` instead of each upstream URL. @default undefined (upstream) */
  readonly mirror?: string;
  /** Only these paths. @default every file of BENCHMARK_FILES */
  readonly only?: readonly string[];
  /** Download even when a file with the right checksum is present. @default false */
  readonly force?: boolean;
  /** Progress messages. @default console.error */
  readonly log?: (message: string) => void;
}

/** What happened to one file. */
export interface FetchOutcome {
  readonly path: string;
  readonly status: "present" | "downloaded";
}

/** Download (or keep) every requested file, verifying checksums. Throws on the first failure. */
export async function fetchBenchmarks(
  options: FetchBenchmarksOptions = {},
): Promise<FetchOutcome[]> {
  const dest = options.dest ?? DEFAULT_DEST;
  const log = options.log ?? ((m: string) => console.error(m));
  const known = new Set(BENCHMARK_FILES.map((f) => f.path));
  for (const p of options.only ?? []) {
    if (!known.has(p)) {
      throw new Error(`unknown benchmark file "${p}"; known: ${[...known].join(", ")}`);
    }
  }
  const specs = BENCHMARK_FILES.filter((f) =>
    options.only === undefined || options.only.includes(f.path)
  );
  const outcomes: FetchOutcome[] = [];
  for (const spec of specs) {
    const target = join(dest, spec.path);
    if (!options.force && existsSync(target) && sha256Hex(readFileSync(target)) === spec.sha256) {
      log(`${spec.path}: present, checksum ok`);
      outcomes.push({ path: spec.path, status: "present" });
      continue;
    }
    const source = options.mirror === undefined
      ? spec.url
      : `${options.mirror.replace(/\/+$/, "")}/${spec.path}`;
    log(`${spec.path}: downloading ${source}`);
    let bytes: Uint8Array;
    try {
      const res = await fetch(source);
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status} ${res.statusText}`);
      }
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new Error(`cannot download ${spec.path} from ${source}: ${(e as Error).message}`);
    }
    verifyChecksum(spec, source, bytes);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.part`, bytes);
    renameSync(`${target}.part`, target);
    outcomes.push({ path: spec.path, status: "downloaded" });
  }
  return outcomes;
}

/** Run the CLI; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        dest: { type: "string" },
        mirror: { type: "string" },
        only: { type: "string" },
        force: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`fetch-benchmarks: ${(e as Error).message}`);
    return 2;
  }
  try {
    const outcomes = await fetchBenchmarks({
      ...(values.dest === undefined ? {} : { dest: values.dest }),
      ...(values.mirror === undefined ? {} : { mirror: values.mirror }),
      ...(values.only === undefined ? {} : { only: values.only.split(",") }),
      force: values.force ?? false,
    });
    const downloaded = outcomes.filter((o) => o.status === "downloaded").length;
    console.error(
      `fetch-benchmarks: ${downloaded} downloaded, ${outcomes.length - downloaded} already present`,
    );
    return 0;
  } catch (e) {
    console.error(`fetch-benchmarks: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
