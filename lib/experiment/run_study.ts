/**
 * The study runner: variants × seeds into `runs/<id>/`, resumable, with `table.md` and plots
 * (DESIGN §5 "Experiments and notebooks").
 *
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProgressDisplay, type SavedPlot, savePlot } from "../plot/mod.ts";
import { _etaMs, _formatDuration } from "./_progress.ts";
import { configDiff } from "./config_diff.ts";
import { configHash } from "./config_hash.ts";
import {
  appendJsonl,
  atomicWrite,
  gitInfo,
  InterruptWatch,
  type JsonlEntry,
  lockFolder,
  type PresetName,
  readJsonl,
  repairJsonl,
  toJsonl,
} from "../core/mod.ts";
import { KIT_VERSION } from "./kit_version.ts";
import type { Json } from "./overrides.ts";
import { resolveConfig, variantBase } from "./resolve_config.ts";
import { resultsMarkdown } from "./results_markdown.ts";
import { studyPlotSpecs } from "./study_plot_specs.ts";
import { summarizeResults, type SummaryRow } from "./summarize_results.ts";
import type {
  CellContext,
  CellProgress,
  CellResult,
  ExperimentConfig,
  MetricsRecord,
  ResultRecord,
  RunManifest,
  Scale,
  Study,
  Variant,
} from "./types.ts";

/** Names of the files a run writes in its folder. */
export const RUN_FILES = {
  config: "config.json",
  results: "results.jsonl",
  metrics: "metrics.jsonl",
  table: "table.md",
} as const;

/** What the runner reports while it works (also printed on stderr unless `quiet`). */
export type RunEvent =
  | {
    readonly kind: "start";
    readonly runDir: string;
    readonly total: number;
    readonly pending: number;
    /** `true` when `config.json` already existed (a resumed or repeated run). */
    readonly resumed: boolean;
    /** Bytes of a torn last line cut from `results.jsonl` and `metrics.jsonl`. */
    readonly truncatedBytes: number;
  }
  | {
    readonly kind: "cell-start" | "cell-progress" | "cell-done";
    /** 1-based position of the cell among the cells run by this call. */
    readonly index: number;
    readonly count: number;
    readonly variant: string;
    readonly seed: number;
    readonly elapsedMs: number;
    /** `NaN` until a duration can be estimated. */
    readonly etaMs: number;
    /** Only on `cell-progress`. */
    readonly progress?: CellProgress;
    /** Only on `cell-done`. */
    readonly wallMs?: number;
  }
  | {
    readonly kind: "done";
    readonly runDir: string;
    readonly ran: number;
    readonly skipped: number;
  };

/** Options of {@linkcode runStudy}. */
export interface RunStudyOptions<V extends Variant, S extends Scale, B extends object> {
  readonly study: Study<V, S, B>;
  /**
   * Scale preset.
   * @default {"smoke"}
   */
  readonly preset?: PresetName;
  /**
   * `key=value` overrides of `seeds`, `scale.<knob>` or a key of `base` (a leading `--` is
   * allowed). Unknown keys fail.
   * @default {[]}
   */
  readonly overrides?: readonly string[];
  /**
   * Run only these variants (by id, kept in the study's order); unknown ids fail. The selection is
   * part of the config, so it gets its own run folder; cells already trained elsewhere with the
   * same fingerprint are reused by cells that keep a shared store (the preference studies do).
   * @default {every variant of the study}
   */
  readonly variants?: readonly string[];
  /**
   * Folder holding the run folders (relative paths resolve against the working directory).
   * @default {"runs" of the kit's checkout, whatever the working directory (a notebook's is
   * `notebooks/`)}
   */
  readonly runsDir?: string;
  /**
   * Name of the run folder. With the default, rerunning the same config resumes the same folder
   * and a different config gets a different folder.
   * @default {"<study>-<preset>-<8 hex digits of the config hash>"}
   */
  readonly runId?: string;
  /**
   * Trains and evaluates one (variant, seed).
   * @default {study.cell}
   */
  readonly cell?: (ctx: CellContext<V, S, B>) => Promise<CellResult>;
  /**
   * Called on every {@linkcode RunEvent}.
   * @default {undefined}
   */
  readonly onEvent?: (event: RunEvent) => void;
  /**
   * Do not print progress lines on stderr.
   * @default {false}
   */
  readonly quiet?: boolean;
  /**
   * Minimum time between two stderr lines of `ctx.progress` inside a cell.
   * @default {1000}
   */
  readonly progressIntervalMs?: number;
  /**
   * Write the charts (`.vl.json`, `.svg`, `.png`; PNG needs `--allow-ffi --allow-sys`).
   * @default {true}
   */
  readonly writePlots?: boolean;
  /**
   * Draw each chart's title into its `.svg` and `.png` (the `.vl.json` keeps it either way). Off
   * for figures set in a paper, whose caption says what the title would.
   * @default {true}
   */
  readonly plotTitles?: boolean;
  /**
   * Repository whose commit is recorded with the run.
   * @default {the kit's own checkout (two folders above this file)}
   */
  readonly repoDir?: string;
}

/** What {@linkcode runStudy} returns, for notebooks to display. */
export interface RunStudyResult<V extends Variant, S extends Scale, B> {
  readonly runId: string;
  readonly runDir: string;
  readonly config: ExperimentConfig<V, S, B>;
  readonly configHash: string;
  /** Every finished cell, in variant then seed order. */
  readonly results: readonly ResultRecord[];
  /** Mean ± 95% CI per variant. */
  readonly summary: readonly SummaryRow[];
  /** The markdown written to `table.md`. */
  readonly table: string;
  readonly plots: readonly SavedPlot[];
  /** Cells run by this call, and cells skipped because `results.jsonl` had them. */
  readonly ran: number;
  readonly skipped: number;
}

const _DEFAULT_REPO = fileURLToPath(new URL("../..", import.meta.url));

/** The key of a (variant, seed) cell in `results.jsonl` and `metrics.jsonl`. */
export function cellKey(variant: string, seed: number): string {
  return `${variant}/${seed}`;
}

/**
 * `config` with only the variants named by `ids` (in the study's order); `undefined` keeps all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectVariants } from "./run_study.ts";
 * const config = { variants: [{ id: "a", label: "A" }, { id: "b", label: "B" }] };
 * assert.deepEqual(selectVariants(config, ["b"]).variants, [{ id: "b", label: "B" }]);
 * assert.throws(() => selectVariants(config, ["c"]), /unknown variant "c" \(known: a, b\)/);
 * ```
 */
export function selectVariants<C extends { readonly variants: readonly Variant[] }>(
  config: C,
  ids: readonly string[] | undefined,
): C {
  if (ids === undefined) return config;
  const known = config.variants.map((v) => v.id);
  for (const id of ids) {
    if (!known.includes(id)) {
      throw new Error(`unknown variant "${id}" (known: ${known.join(", ")})`);
    }
  }
  if (ids.length === 0) throw new Error(`no variant selected (known: ${known.join(", ")})`);
  return { ...config, variants: config.variants.filter((v) => ids.includes(v.id)) };
}

/**
 * Run a study: resolve its config, create `runs/<id>/` with `config.json` (config, commit, dirty
 * flag, kit version, creation time), run every (variant, seed) not yet in `results.jsonl`
 * (appending one line per finished cell; a torn last line from a kill is cut), then write
 * `table.md` and the charts. A rerun with the same config skips finished cells; a folder whose
 * stored config differs from the resolved one is an error naming the differing keys.
 *
 * @example
 * ```ts ignore
 * import { runStudy } from "./run_study.ts";
 * const run = await runStudy({ study, preset: "smoke", overrides: ["train.beta=0.2"] });
 * console.log(run.table);
 * ```
 */
export async function runStudy<V extends Variant, S extends Scale, B extends object>(
  options: RunStudyOptions<V, S, B>,
): Promise<RunStudyResult<V, S, B>> {
  const { study } = options;
  const preset = options.preset ?? "smoke";
  const cell = options.cell ?? study.cell?.bind(study);
  if (cell === undefined) {
    throw new Error(`study "${study.name}" has no cell: pass runStudy's cell option`);
  }
  const config = selectVariants(
    resolveConfig(study, preset, options.overrides ?? []),
    options.variants,
  );
  const hash = configHash(config);
  const runId = options.runId ?? `${study.name}-${preset}-${hash}`;
  if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId === "." || runId === "..") {
    // A path would put the run outside runsDir (`../../x`).
    throw new Error(
      `run id: expected a plain name (letters, digits, ".", "_", "-"), found ${
        JSON.stringify(runId)
      }`,
    );
  }
  const runDir = join(options.runsDir ?? join(_DEFAULT_REPO, "runs"), runId);
  const git = gitInfo(options.repoDir ?? _DEFAULT_REPO);
  const quiet = options.quiet ?? false;
  const progress = new ProgressDisplay();
  const emit = (event: RunEvent) => {
    options.onEvent?.(event);
    if (!quiet) _printEvent(study.name, event, progress);
  };

  await mkdir(runDir, { recursive: true });
  // One process per run folder: a second one would run and record every cell again.
  await using _lock = await lockFolder(runDir, `experiment ${study.name}`);
  const resumed = await _writeOrCheckManifest(join(runDir, RUN_FILES.config), {
    schema: "experiment.config/v1",
    config,
    configHash: hash,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    kitVersion: KIT_VERSION,
    createdAt: new Date().toISOString(),
  });

  const resultsPath = join(runDir, RUN_FILES.results);
  // Ctrl-C / Kernel > Interrupt stop the study at the next step: finished cells are on disk, the
  // cell in progress resumes from its trainer's last checkpoint.
  using interrupt = new InterruptWatch(`study ${study.name}`, {
    resume: `finished cells are kept in ${resultsPath}; run it again to resume`,
  });
  const metricsPath = join(runDir, RUN_FILES.metrics);
  const cells = config.variants.flatMap((variant) =>
    config.seeds.map((seed) => ({ variant, seed, key: cellKey(variant.id, seed) }))
  );
  const known = new Set(cells.map((c) => c.key));
  const finished = new Set<string>();
  const cut = await repairJsonl<ResultRecord>(resultsPath, {
    onRecord: ({ line, record }) => {
      if (!known.has(record.taskId)) {
        throw new Error(
          `${resultsPath}:${line}: cell "${record.taskId}" is not a cell of the config ` +
            `(cells: ${[...known].join(", ")})`,
        );
      }
      finished.add(record.taskId);
    },
  });
  const cutMetrics = await _dropUnfinishedMetrics(metricsPath, finished);
  const pending = cells.filter((c) => !finished.has(c.key));
  emit({
    kind: "start",
    runDir,
    total: cells.length,
    pending: pending.length,
    resumed,
    truncatedBytes: cut.truncatedBytes + cutMetrics,
  });

  const t0 = performance.now();
  const wallTimes: number[] = [];
  const interval = options.progressIntervalMs ?? 1000;
  for (const [i, c] of pending.entries()) {
    interrupt.check();
    const base = { index: i + 1, count: pending.length, variant: c.variant.id, seed: c.seed };
    const cellStart = performance.now();
    const eta = (fraction: number | null) =>
      _etaMs({
        finishedWallMs: wallTimes,
        cellsAfterCurrent: pending.length - i - 1,
        currentElapsedMs: performance.now() - cellStart,
        currentFraction: fraction,
      });
    emit({ kind: "cell-start", ...base, elapsedMs: performance.now() - t0, etaMs: eta(null) });
    let lastProgress = cellStart;
    const ctx: CellContext<V, S, B> = {
      variant: c.variant,
      seed: c.seed,
      config,
      base: variantBase(config.base, c.variant),
      runDir,
      logMetrics: async (record) => {
        for (const tag of ["taskId", "variant", "seed"]) {
          if (tag in record) {
            throw new Error(`logMetrics: record must not set "${tag}" (the runner tags it)`);
          }
        }
        const tagged: MetricsRecord = {
          taskId: c.key,
          variant: c.variant.id,
          seed: c.seed,
          ...record,
        };
        await appendJsonl(metricsPath, [tagged]);
      },
      progress: (p) => {
        interrupt.check();
        const now = performance.now();
        if (now - lastProgress < interval) return;
        lastProgress = now;
        const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : null;
        emit({
          kind: "cell-progress",
          ...base,
          elapsedMs: now - t0,
          etaMs: eta(fraction),
          progress: p,
        });
      },
    };
    const result = await cell(ctx);
    const wallMs = performance.now() - cellStart;
    const metrics = _checkMetrics(study, c.key, result);
    const record: ResultRecord = {
      schema: "experiment.result/v1",
      taskId: c.key,
      study: study.name,
      variant: c.variant.id,
      seed: c.seed,
      metrics,
      configHash: hash,
      gitCommit: git.commit,
      gitDirty: git.dirty,
      wallMs: Math.round(wallMs),
      finishedAt: new Date().toISOString(),
    };
    await appendJsonl(resultsPath, [record]);
    wallTimes.push(wallMs);
    emit({
      kind: "cell-done",
      ...base,
      elapsedMs: performance.now() - t0,
      etaMs: eta(1),
      wallMs,
    });
  }

  const results = await _readResults(resultsPath, config);
  const summary = summarizeResults(config.variants, study.metrics, results);
  const table = resultsMarkdown({
    config,
    configHash: hash,
    description: study.description,
    setting: study.setting?.(config) ?? "",
    metrics: study.metrics,
    summary,
    results,
    gitCommit: git.commit,
    gitDirty: git.dirty,
  });
  await atomicWrite(join(runDir, RUN_FILES.table), table);
  const plots: SavedPlot[] = [];
  if (options.writePlots ?? true) {
    const curves = (await _readAll<MetricsRecord>(metricsPath)).map((e) => e.record);
    const specs = studyPlotSpecs({
      study: study.name,
      variants: config.variants,
      metrics: study.metrics,
      plots: study.plots,
      summary,
      curves,
      results,
      curveTitles: study.curveTitles,
    });
    const imageTitle = options.plotTitles ?? true;
    for (const { name, spec } of specs) {
      plots.push(await savePlot(runDir, name, spec, { imageTitle }));
    }
  }
  emit({ kind: "done", runDir, ran: pending.length, skipped: cells.length - pending.length });
  await progress.flush();
  return {
    runId,
    runDir,
    config,
    configHash: hash,
    results,
    summary,
    table,
    plots,
    ran: pending.length,
    skipped: cells.length - pending.length,
  };
}

/** Writes `config.json` when missing (returns false); else checks it holds `manifest.config`. */
async function _writeOrCheckManifest(path: string, manifest: RunManifest): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
    await atomicWrite(path, JSON.stringify(manifest, null, 2) + "\n");
    return false;
  }
  let stored: RunManifest;
  try {
    stored = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`, { cause: e });
  }
  const diffs = configDiff(stored.config, manifest.config);
  if (diffs.length > 0) {
    const show = (v: unknown) => v === undefined ? "absent" : JSON.stringify(v);
    const shown = diffs.slice(0, 10).map((d) =>
      `${d.key} (stored ${show(d.stored)}, resolved ${show(d.resolved)})`
    );
    throw new Error(
      `${path}: the stored config differs from the resolved one at ${diffs.length} key(s): ` +
        `${shown.join(", ")}${diffs.length > 10 ? ", …" : ""}; ` +
        "resume with the same preset and overrides, or choose another run id",
    );
  }
  return true;
}

/**
 * Cuts a torn last line of `metrics.jsonl` and drops the records of cells without a result (they
 * rerun from the start). Returns the bytes cut off the torn line.
 */
async function _dropUnfinishedMetrics(
  path: string,
  finished: ReadonlySet<string>,
): Promise<number> {
  const kept: MetricsRecord[] = [];
  let dropped = 0;
  const cut = await repairJsonl<MetricsRecord>(path, {
    onRecord: ({ record }) => finished.has(record.taskId) ? kept.push(record) : dropped++,
  });
  if (dropped > 0) await atomicWrite(path, toJsonl(kept));
  return cut.truncatedBytes;
}

/** Every record of a JSONL file; none when the file is missing. */
async function _readAll<T>(path: string): Promise<JsonlEntry<T>[]> {
  const out: JsonlEntry<T>[] = [];
  try {
    for await (const entry of readJsonl<T>(path)) out.push(entry);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out;
}

function _checkMetrics(
  study: { readonly metrics: readonly { readonly key: string }[] },
  key: string,
  result: CellResult,
): Record<string, number> {
  const metrics = result?.metrics as Record<string, Json> | undefined;
  if (metrics === undefined || metrics === null || typeof metrics !== "object") {
    throw new Error(
      `cell ${key}: expected a result with a metrics object, found ${JSON.stringify(result)}`,
    );
  }
  for (const m of study.metrics) {
    if (!(m.key in metrics)) {
      throw new Error(
        `cell ${key}: metric "${m.key}" missing from the result (has: ${
          Object.keys(metrics).join(", ")
        })`,
      );
    }
  }
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`cell ${key}: metric "${k}": expected a finite number, found ${v}`);
    }
  }
  return { ...(metrics as Record<string, number>) };
}

async function _readResults(path: string, config: ExperimentConfig): Promise<ResultRecord[]> {
  const byKey = new Map<string, ResultRecord>();
  for (const { record } of await _readAll<ResultRecord>(path)) {
    if (!byKey.has(record.taskId)) byKey.set(record.taskId, record);
  }
  return config.variants.flatMap((v) =>
    config.seeds.flatMap((s) => byKey.get(cellKey(v.id, s)) ?? [])
  );
}

/**
 * Prints one event: on stderr, or, inside a notebook, as the study's one updating progress
 * display (the start line stays above it).
 */
function _printEvent(study: string, event: RunEvent, progress: ProgressDisplay): void {
  const write = (line: string) => progress.update(`[${study}] ${line}`);
  switch (event.kind) {
    case "start":
      write(
        `${event.runDir}: ${event.pending} of ${event.total} cells to run` +
          (event.resumed ? ` (resumed, ${event.total - event.pending} done)` : "") +
          (event.truncatedBytes > 0
            ? `, cut a torn last line (${event.truncatedBytes} bytes)`
            : ""),
      );
      break;
    case "cell-start":
    case "cell-progress":
    case "cell-done": {
      const what = event.kind === "cell-start"
        ? "start"
        : event.kind === "cell-done"
        ? `done in ${_formatDuration(event.wallMs ?? NaN)}`
        : `${event.progress?.done}/${event.progress?.total}${
          event.progress?.note ? ` ${event.progress.note}` : ""
        }`;
      write(
        `cell ${event.index}/${event.count} ${event.variant} seed ${event.seed} ${what} · ` +
          `elapsed ${_formatDuration(event.elapsedMs)} · ETA ${_formatDuration(event.etaMs)}`,
      );
      break;
    }
    case "done":
      write(`${event.runDir}: ran ${event.ran} cells, skipped ${event.skipped} finished`);
      break;
    default: {
      const never: never = event;
      throw new Error(`unknown run event ${JSON.stringify(never)}`);
    }
  }
}
