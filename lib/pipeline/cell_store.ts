/**
 * A preference cell's identity and its artefacts on disk: the fingerprint of everything that
 * determines its numbers, `result.json`, and the shared store of finished cells keyed by
 * fingerprint (a cell shared by two studies is trained once).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { cp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import type { SandboxInfo } from "../sandbox/mod.ts";
import { atomicWrite, atomicWriteDir } from "../core/mod.ts";
import { datasetHash, type PreparedPair } from "../train/mod.ts";
import type { PreferenceBase, PreferenceScale } from "./preference_config.ts";

/** Files of a cell folder. */
export const PREFERENCE_CELL_FILES = {
  /** The dataset with its masks, one `PreferenceRecord` per line. */
  pairs: "pairs.jsonl",
  /** The trainer's run folder (`metrics.jsonl`, `checkpoints/`). */
  train: "train",
  /** Checked greedy completions of the evaluation target's tasks. */
  evalTest: "eval-test.jsonl",
  /** Checked greedy completions of the validation split. */
  evalVal: "eval-validation.jsonl",
  /** The cell's metrics with the fingerprint they belong to. */
  result: "result.json",
} as const;

/** What determines a cell's numbers (execution settings excluded). */
export interface CellIdentity {
  readonly base: PreferenceBase;
  readonly scale: PreferenceScale;
  readonly seed: number;
  /** `weightsHash` of the base checkpoint. */
  readonly checkpointHash: string;
  readonly prepared: readonly PreparedPair[];
  /** The stored masks of every pair (`PreferenceRecord.masks`). */
  readonly masks: readonly unknown[];
}

/**
 * The 16-hex-digit fingerprint of a cell. `runtime` (engines, threads) is left out: it changes
 * how the numbers are computed, not which. The evaluation target is left out while it is the
 * default MiniFlow test split, so every cell trained before the target existed keeps its
 * fingerprint (and its stored result).
 */
export function cellFingerprint(id: CellIdentity): string {
  const { also, ...oneTarget } = id.base.eval;
  const scored = also.length === 0 ? oneTarget : id.base.eval;
  const { target, tasks, ...miniflowEval } = scored;
  const evalKey = target === "miniflow" && tasks === null ? miniflowEval : scored;
  // The debugging source's fingerprint is the one cells had before the sampling source existed.
  const { source, sampling: _sampling, ...debugging } = id.base.data;
  const dataKey = source === "debugging" ? debugging : id.base.data;
  // A kit model's fingerprint is the one cells had before `hf` models existed.
  const modelKey = id.base.model.kind === "kit"
    ? { checkpoint: id.base.model.checkpoint }
    : id.base.model;
  return createHash("sha256").update(JSON.stringify({
    base: { ...id.base, model: modelKey, data: dataKey, runtime: null, eval: evalKey },
    scale: id.scale,
    seed: id.seed,
    checkpoint: id.checkpointHash,
    data: datasetHash(id.prepared),
    masks: id.masks,
  })).digest("hex").slice(0, 16);
}

/** `result.json` of a finished cell. */
export interface StoredCell<R> {
  readonly fingerprint: string;
  readonly backend?: BackendInfo;
  /** The isolation and launcher the cell's programs ran under. */
  readonly sandbox?: SandboxInfo;
  readonly result: R;
}

/** The `result.json` at `path`, or `null` when there is none. */
export async function readCellResult<R>(path: string): Promise<StoredCell<R> | null> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The stored result of the cell with `fingerprint`: the cell folder's own, or, when the same cell
 * finished in another run (Target-DPO at β 0.1 in main-results and in beta-sweep), the shared
 * store's, whose artefacts are copied into `cellDir` first. `null` when it must be computed.
 */
export async function reuseCell<R>(
  cellDir: string,
  storeDir: string,
  fingerprint: string,
): Promise<StoredCell<R> | null> {
  const resultPath = join(cellDir, PREFERENCE_CELL_FILES.result);
  const own = await readCellResult<R>(resultPath);
  if (own?.fingerprint === fingerprint) return own;
  const stored = await readCellResult<R>(join(storeDir, PREFERENCE_CELL_FILES.result));
  if (stored?.fingerprint !== fingerprint) return null;
  await rm(cellDir, { recursive: true, force: true });
  await cp(storeDir, cellDir, { recursive: true });
  return await readCellResult<R>(resultPath);
}

/**
 * Write `result.json`, then copy the finished cell (its pairs, checked completions, step metrics
 * and result; not the weights) into the shared store, atomically.
 */
export async function storeCell<R>(
  cellDir: string,
  storeDir: string,
  stored: StoredCell<R>,
): Promise<void> {
  await atomicWrite(
    join(cellDir, PREFERENCE_CELL_FILES.result),
    JSON.stringify(stored, null, 2) + "\n",
  );
  const metrics = join(PREFERENCE_CELL_FILES.train, "metrics.jsonl");
  await atomicWriteDir(storeDir, async (tmp) => {
    await Deno.mkdir(join(tmp, PREFERENCE_CELL_FILES.train));
    const files = [
      PREFERENCE_CELL_FILES.pairs,
      PREFERENCE_CELL_FILES.evalTest,
      PREFERENCE_CELL_FILES.evalVal,
      PREFERENCE_CELL_FILES.result,
      metrics,
    ];
    for (const f of files) {
      await cp(join(cellDir, f), join(tmp, f)).catch((e) => {
        if ((e as { code?: string }).code !== "ENOENT") throw e; // the Ref arm has no training run
      });
    }
  });
}
