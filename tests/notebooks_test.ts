/**
 * Executes every notebook of `notebooks/` headlessly with real Jupyter and the Deno kernel, at
 * smoke scale, two at a time, and checks what each displayed: no cell error, its table, at least
 * one Vega-Lite chart, and the token-mask HTML of 00 and 02.
 *
 * The notebooks read `KIT_RUNS_DIR` (run folders and caches) and `KIT_CHECKPOINT` (the base model)
 * in their config cell; this test points both at a temp dir (a smoke-pretrained checkpoint), so
 * nothing is written into the repository.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertNotebookHasChart,
  assertNotebookHasTable,
  assertNotebookOk,
  checkNotebookPrereqs,
  executeNotebook,
  type ExecuteNotebookResult,
  notebookCharts,
  notebookTables,
} from "../lib/notebook/mod.ts";
import { pretrainBase, pretrainConfig } from "../lib/pipeline/mod.ts";
import type { AnyStudy } from "../lib/experiment/mod.ts";
import { STUDIES } from "../experiments/mod.ts";

const NOTEBOOKS_DIR = fileURLToPath(new URL("../notebooks/", import.meta.url));
const MINIFLOW = "MiniFlow (offline teacher)";

/** Notebooks run at the same time (CI has 2 cores). */
const CONCURRENCY = 2;
/** Limit per notebook. */
const NOTEBOOK_TIMEOUT_MS = 300_000;

/** The study each study notebook runs. */
const STUDY_OF: Readonly<Record<string, string>> = {
  "00_quickstart": "main-results",
  "02_masks": "diff-method-masks",
  "03_main_results": "main-results",
  "04_hybrid": "hybrid",
  "05_diff_aug": "diff-aug",
  "06_symmetric": "symmetric",
  "07_beta_sweep": "beta-sweep",
  "08_lambda_sweep": "lambda-sweep",
  "09_negative_selection": "negative-selection",
  "10_diff_method": "diff-method",
  "11_sft_correct_vs_incorrect": "sft-correct-vs-incorrect",
  "13_empty_d_policy": "empty-d-policy",
};

const EXPECTED = [
  "00_quickstart",
  "01_synthesis",
  "02_masks",
  "03_main_results",
  "04_hybrid",
  "05_diff_aug",
  "06_symmetric",
  "07_beta_sweep",
  "08_lambda_sweep",
  "09_negative_selection",
  "10_diff_method",
  "11_sft_correct_vs_incorrect",
  "12_evaluate_endpoint",
  "13_empty_d_policy",
];

function _chartTitles(result: ExecuteNotebookResult): string[] {
  return notebookCharts(result).map((c) => {
    const t = c.spec.title as unknown;
    return typeof t === "string" ? t : String((t as { text?: unknown } | undefined)?.text ?? "");
  });
}

function _htmlOutputs(result: ExecuteNotebookResult): string[] {
  return result.outputs.flatMap((o) => {
    const html = o.data["text/html"];
    return html === undefined ? [] : [Array.isArray(html) ? html.join("") : String(html)];
  });
}

/** The checks of one executed notebook; throws naming the notebook. */
function _check(name: string, result: ExecuteNotebookResult): void {
  assertNotebookOk(result);
  assertNotebookHasTable(result);
  assertNotebookHasChart(result);
  const tables = notebookTables(result).map((t) => t.text).join("\n");
  const titles = _chartTitles(result);
  const studyName = STUDY_OF[name];
  if (studyName !== undefined) {
    const study: AnyStudy = STUDIES[studyName];
    for (const v of study.variants) {
      assert.ok(
        tables.includes(`| ${v.label} |`),
        `${name}: expected the table to have a row for variant "${v.label}" of ${studyName}`,
      );
    }
    if (studyName !== "diff-method-masks") {
      assert.ok(
        titles.some((t) => t.endsWith(`— ${MINIFLOW}`)),
        `${name}: expected a chart titled "… — ${MINIFLOW}", found ${JSON.stringify(titles)}`,
      );
    }
  }
  switch (name) {
    case "00_quickstart":
    case "02_masks": {
      const masks = _htmlOutputs(result).filter((h) => h.includes("tdpo-pair"));
      assert.ok(
        masks.length >= 2,
        `${name}: expected at least 2 pair-mask views, found ${masks.length}`,
      );
      for (const h of masks) {
        assert.ok(h.includes("tdpo-mask-rejected") && h.includes("tdpo-mask-chosen"), name);
      }
      break;
    }
    case "01_synthesis":
      assert.ok(tables.includes("| pairs after rule filters |"), `${name}: funnel table`);
      assert.deepEqual(titles, [`Pass rate by refinement iteration — ${MINIFLOW}`]);
      break;
    case "12_evaluate_endpoint":
      assert.ok(tables.includes("| MiniFlow test (offline) | kit base model | 5 |"), tables);
      assert.deepEqual(titles, ["Greedy pass@1 — kit base model"]);
      break;
  }
}

Deno.test({
  name:
    "notebooks: every notebook runs headlessly at smoke scale and displays its table and charts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const prereqs = await checkNotebookPrereqs();
    assert.ok(prereqs.ok, `notebook prerequisites missing: ${prereqs.problems.join("; ")}`);
    const found = (await readdir(NOTEBOOKS_DIR)).filter((f) => f.endsWith(".ipynb")).sort();
    assert.deepEqual(found, EXPECTED.map((n) => `${n}.ipynb`));

    const tmp = await Deno.makeTempDir({ prefix: "notebooks-test-" });
    const ckpt = join(tmp, "ckpt");
    await pretrainBase(pretrainConfig("smoke"), {
      outDir: ckpt,
      runDir: join(tmp, "pretrain"),
      progress: false,
    });
    const runsDir = join(tmp, "runs");
    const before = new Set(await readdir(NOTEBOOKS_DIR));
    Deno.env.set("KIT_RUNS_DIR", runsDir);
    Deno.env.set("KIT_CHECKPOINT", ckpt);
    Deno.env.set("NO_COLOR", "1");

    // 03 last: it resumes the main-results run 00 finished (same config, same runs dir).
    const queue = [...EXPECTED.filter((n) => n !== "03_main_results"), "03_main_results"];
    const results = new Map<string, ExecuteNotebookResult>();
    const walls: string[] = [];
    const t0 = performance.now();
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const r = await executeNotebook(join(NOTEBOOKS_DIR, `${name}.ipynb`), {
          outDir: join(tmp, "executed"),
          timeoutMs: NOTEBOOK_TIMEOUT_MS,
        });
        results.set(name, r);
        walls.push(`${name} ${(r.durationMs / 1000).toFixed(0)} s`);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      Deno.env.delete("KIT_RUNS_DIR");
      Deno.env.delete("KIT_CHECKPOINT");
    }
    console.error(
      `notebooks: ${((performance.now() - t0) / 1000).toFixed(0)} s in all (${walls.join(", ")})`,
    );

    const failures: string[] = [];
    for (const name of EXPECTED) {
      try {
        _check(name, results.get(name)!);
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    // Nothing written next to the notebooks; the runs landed in the temp dir.
    assert.deepEqual(new Set(await readdir(NOTEBOOKS_DIR)), before);
    const runs = await readdir(runsDir);
    for (const study of ["main-results", "diff-method-masks", "hybrid", "empty-d-policy"]) {
      assert.ok(
        runs.some((r) => r.startsWith(`${study}-smoke-`)),
        `expected a ${study} run in ${runsDir}`,
      );
    }
    await Deno.remove(tmp, { recursive: true });
  },
});
