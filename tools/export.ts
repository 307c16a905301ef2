/**
 * Export synthesised pairs (codeflow.pair/v1 JSONL, from `deno task synth`) to format v2
 * (`schema/target-dpo-pairs.v2.schema.json`), the input of integrations/trl's TargetDPOTrainer:
 * completions as exact strings with their sha256, the critical lines, and the masks as code-point
 * spans, with every variant flag decided here.
 *
 * Usage:
 *   deno task export --pairs PAIRS.jsonl --out PAIRS.v2.jsonl [--chat]
 *     [--context-lines K|random1to2] [--empty-rejected keep|drop|anchor] [--hybrid-seed S] [--seed S]
 *
 * A pair that carries masks keeps its own context lines and empty-`D-` case; the flags apply to
 * pairs without. `--hybrid-seed` draws the hybrid split (half the pairs with `target_masks: false`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { atomicWriteChunks, EMPTY_REJECTED_POLICIES, oneOf, type Pair } from "../lib/core/mod.ts";
import { hybridSplit, readPairs, toExportV2Record } from "../lib/codeflow/mod.ts";
import { drawContextLines } from "../lib/diff/mod.ts";

const USAGE = "usage: deno task export --pairs PAIRS.jsonl --out PAIRS.v2.jsonl [--chat] " +
  "[--context-lines K|random1to2] [--empty-rejected keep|drop|anchor] [--hybrid-seed S] [--seed S]";

function _int(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${flag}: expected an integer >= 0, found "${v}"`);
  }
  return n;
}

/** Runs the CLI; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        pairs: { type: "string" },
        out: { type: "string" },
        chat: { type: "boolean" },
        "context-lines": { type: "string" },
        "empty-rejected": { type: "string" },
        "hybrid-seed": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.pairs === undefined || values.out === undefined) {
      throw new Error("--pairs and --out are required");
    }
    const emptyRejected = oneOf(
      "--empty-rejected",
      values["empty-rejected"] ?? "keep",
      EMPTY_REJECTED_POLICIES,
    );
    const seed = _int("--seed", values.seed, 0);
    const spec = values["context-lines"] ?? "0";
    const contextFor = (p: Pair) =>
      spec === "random1to2"
        ? drawContextLines("random1to2", seed, p.taskId)
        : _int("--context-lines", spec, 0);
    const pairs: Pair[] = [];
    for await (const p of readPairs(values.pairs)) pairs.push(p);
    const split = values["hybrid-seed"] === undefined
      ? pairs.map(() => true)
      : hybridSplit(pairs.length, _int("--hybrid-seed", values["hybrid-seed"], 0));
    let written = 0, dropped = 0;
    const lines = async function* (): AsyncGenerator<string> {
      for (const [i, p] of pairs.entries()) {
        const r = toExportV2Record(p, {
          contextLines: contextFor(p),
          emptyRejected,
          chat: values.chat ?? false,
          targetMasks: split[i],
        });
        if (r === null) {
          dropped++;
          continue;
        }
        written++;
        yield JSON.stringify(r) + "\n";
      }
    };
    await atomicWriteChunks(values.out, lines());
    console.log(
      `export: ${written} pairs written to ${values.out}; ${dropped} dropped (empty D-, policy drop)`,
    );
    return 0;
  } catch (e) {
    console.error(`export: ${(e as Error).message}\n${USAGE}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
