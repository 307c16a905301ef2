/**
 * Executes every notebook of `notebooks/` headlessly with real Jupyter and the Deno kernel, at
 * smoke scale, two at a time, and checks what each displayed: no cell error, its table, at least
 * one Vega-Lite chart, and the token-mask HTML of 00 and 02.
 *
 * The notebooks read `KIT_RUNS_DIR` (run folders and caches) and `KIT_CHECKPOINT` (the base model)
 * in their config cell; this test points both at a temp dir (a smoke-pretrained checkpoint), so
 * nothing is written into the repository.
 *
 * 12 also runs on a local model (a tiny GGUF file made by testing/hf_peer/make_gguf.py,
 * `KIT_MODEL_PATH`). 01 and 12 also run a second time on their endpoint branch (`KIT_ENDPOINT_URL`,
 * `KIT_ENDPOINT_MODEL`, 12's `KIT_EVAL_LIMIT`), against scripted OpenAI-compatible servers on
 * 127.0.0.1 started here (tests/_notebook_openai_server.ts): their tables must show the values
 * worked out by hand from the scripts, labelled with the endpoint's model, never MiniFlow.
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
} from "../testing/notebook/mod.ts";
import { pretrainBase, pretrainConfig } from "../lib/pipeline/mod.ts";
import type { AnyStudy } from "../lib/experiment/mod.ts";
import { STUDIES } from "../experiments/mod.ts";
import {
  ENDPOINT_EXPECTED,
  ENDPOINT_MODEL,
  type EndpointServer,
  EVAL_LIMIT,
  requestsByStep,
  startEndpointServer,
  startTeacherServer,
  TEACHER_API_KEY,
  TEACHER_EXPECTED,
  TEACHER_MODEL,
} from "./_notebook_openai_server.ts";
import type { TestServer } from "../testing/openai/mod.ts";
import { hfPeerOutput } from "../testing/hf_peer/mod.ts";

const NOTEBOOKS_DIR = fileURLToPath(new URL("../notebooks/", import.meta.url));
const MINIFLOW = "MiniFlow (offline teacher)";

/** Notebooks run at the same time (CI has 2 cores). */
const CONCURRENCY = 2;
/** Limit per notebook. */
const NOTEBOOK_TIMEOUT_MS = 300_000;

/** One execution: a notebook with its environment; `key` names its result. */
interface Run {
  readonly key: string;
  readonly notebook: string;
  readonly env: Readonly<Record<string, string>>;
}

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
  "15_sampling_vs_debugging": "sampling-vs-debugging",
  "16_real_model_study": "real-model",
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
  "14_real_model_target_dpo",
  "15_sampling_vs_debugging",
  "16_real_model_study",
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

/**
 * Charts show without a Vega-Lite renderer (each output also carries PNG and SVG), and no cell
 * dumps a chart spec as its value.
 */
function _assertChartsEverywhere(name: string, result: ExecuteNotebookResult): void {
  for (const o of result.outputs) {
    const mimes = Object.keys(o.data);
    if (mimes.some((m) => /vegalite/.test(m))) {
      assert.ok(
        mimes.includes("image/png") && mimes.includes("image/svg+xml"),
        `${name}: a chart without PNG and SVG renderings (${mimes.join(", ")})`,
      );
      continue;
    }
    const text = o.data["text/plain"];
    const plain = Array.isArray(text) ? text.join("") : String(text ?? "");
    assert.ok(
      !/\$schema|"mark"\s*:|mark: /.test(plain),
      `${name}: a dumped chart spec: ${plain.slice(0, 120)}`,
    );
  }
}

/** The checks of one executed notebook; throws naming the notebook. */
function _check(name: string, result: ExecuteNotebookResult): void {
  assertNotebookOk(result);
  assertNotebookHasTable(result);
  assertNotebookHasChart(result);
  _assertChartsEverywhere(name, result);
  const tables = notebookTables(result).map((t) => t.text).join("\n");
  const titles = _chartTitles(result);
  const studyName = STUDY_OF[name];
  if (studyName !== undefined) {
    // The study's progress is one display updated in place; its last text is the done line.
    const progress = result.outputs.map((o) => o.data["text/plain"]).map((t) =>
      Array.isArray(t) ? t.join("") : String(t ?? "")
    ).filter((t) => t.startsWith(`[${studyName}] `));
    assert.ok(
      progress.length === 1 && /: ran \d+ cells, skipped \d+ finished$/.test(progress[0]),
      `${name}: expected one progress display ending with the done line, found ${
        JSON.stringify(progress)
      }`,
    );
    const study: AnyStudy = STUDIES[studyName];
    for (const v of study.variants) {
      assert.ok(
        tables.includes(`| ${v.label} |`),
        `${name}: expected the table to have a row for variant "${v.label}" of ${studyName}`,
      );
    }
    // A real model's charts are labelled with the model, never with MiniFlow's tiny GPT.
    const label = studyName === "real-model" ? "qwen2-f32 (local model)" : MINIFLOW;
    if (studyName !== "diff-method-masks") {
      assert.ok(
        titles.some((t) => t.endsWith(`— ${label}`)),
        `${name}: expected a chart titled "… — ${label}", found ${JSON.stringify(titles)}`,
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
      assert.ok(tables.includes("| cost | total | per kept pair |"), `${name}: cost table`);
      assert.ok(tables.includes("| iteration | passing (cumulative) | pass rate (%) |"), tables);
      assert.deepEqual(titles, [`Pass rate by refinement iteration — ${MINIFLOW}`]);
      break;
    case "14_real_model_target_dpo":
      assert.equal(_htmlOutputs(result).filter((h) => h.includes("tdpo-pair")).length, 1, name);
      assert.ok(tables.includes("| Ref | qwen2-f32 (local model) | 2 |"), tables);
      assert.ok(tables.includes("| target-dpo | qwen2-f32 (local model) | 2 |"), tables);
      assert.deepEqual(titles, ["target-dpo on qwen2-f32 (LoRA rank 8)"]);
      break;
    case "15_sampling_vs_debugging":
      assert.ok(tables.includes("| teacher calls per kept pair |"), tables);
      // The smoke preset's 48 MiniFlow tasks (teacher seed 1): debugging spends 148 calls for 15
      // kept pairs, 3 samples a task 144 calls for 7 (each call one sandbox run).
      assert.ok(tables.includes("| debugging | 48 | 3.08 | 15 | 9.87 | 9.87 |"), tables);
      assert.ok(tables.includes("| sampling | 48 | 3.00 | 7 | 20.57 | 20.57 |"), tables);
      break;
    case "12_evaluate_endpoint":
      assert.ok(tables.includes("| MiniFlow test (offline) | kit base model | 5 |"), tables);
      assert.deepEqual(titles, ["Greedy pass@1 — kit base model"]);
      break;
  }
}

/** The chart's data rows, restricted to `keys`. */
function _chartValues(result: ExecuteNotebookResult, keys: readonly string[]): unknown[] {
  const charts = notebookCharts(result);
  assert.equal(charts.length, 1, `expected one chart, found ${charts.length}`);
  const values = (charts[0].spec.data as { values: Record<string, unknown>[] }).values;
  return values.map((v) => Object.fromEntries(keys.map((k) => [k, v[k]])));
}

/** Every expected row is in the tables, and no label says MiniFlow teacher or offline. */
function _assertEndpointTables(tables: string, rows: readonly string[], titles: string[]): void {
  for (const row of rows) assert.ok(tables.includes(row), `expected row ${row} in\n${tables}`);
  for (const text of [tables, ...titles]) {
    assert.ok(!text.includes(MINIFLOW) && !/offline|kit base model/.test(text), text);
  }
}

/**
 * 01 with the scripted OpenAI-compatible teacher: the funnel and the pass rates by iteration
 * that the script implies, labelled with the teacher's model.
 */
function _checkSynthEndpoint(result: ExecuteNotebookResult, server: TestServer): void {
  assertNotebookOk(result);
  const tables = notebookTables(result).map((t) => t.text).join("\n");
  const titles = _chartTitles(result);
  const label = `${TEACHER_MODEL} (OpenAI-compatible teacher)`;
  _assertEndpointTables(
    tables,
    [...TEACHER_EXPECTED.funnelRows, ...TEACHER_EXPECTED.passRows, ...TEACHER_EXPECTED.costRows],
    titles,
  );
  assert.ok(!tables.includes("MiniFlow"), tables);
  assert.deepEqual(titles, [`Pass rate by refinement iteration — ${label}`]);
  assert.deepEqual(
    _chartValues(result, ["iteration", "passRate", "series"]),
    TEACHER_EXPECTED.passRates.map((passRate, iteration) => ({
      iteration,
      passRate,
      series: label,
    })),
  );
  assert.deepEqual(requestsByStep(server), TEACHER_EXPECTED.requests);
  assert.deepEqual([...server.statuses], [[200, 72]]);
}

/**
 * 12 against the scripted endpoint: pass@1 per benchmark and the error counts that the script
 * implies, labelled with the endpoint's model; each known task asked exactly once.
 */
function _checkEvalEndpoint(result: ExecuteNotebookResult, endpoint: EndpointServer): void {
  assertNotebookOk(result);
  const tables = notebookTables(result).map((t) => t.text).join("\n");
  const titles = _chartTitles(result);
  _assertEndpointTables(
    tables,
    [...ENDPOINT_EXPECTED.rows, ...ENDPOINT_EXPECTED.errorRows],
    titles,
  );
  assert.deepEqual(titles, [`Greedy pass@1 — ${ENDPOINT_MODEL} (endpoint)`]);
  assert.deepEqual(_chartValues(result, ["variant", "mean"]), ENDPOINT_EXPECTED.chart);
  assert.deepEqual(
    endpoint.server.requests,
    endpoint.taskIds.map(() => 1),
    endpoint.taskIds.join(),
  );
  assert.deepEqual([...endpoint.server.statuses], [[200, endpoint.taskIds.length]]);
}

/** 12 on a local model (a tiny GGUF file): every benchmark ran, labelled as that model. */
function _checkEvalLocal(result: ExecuteNotebookResult): void {
  assertNotebookOk(result);
  const tables = notebookTables(result).map((t) => t.text).join("\n");
  for (
    const row of [
      "| MiniFlow test | qwen2-q4_0 (local model) | 5 |",
      "| humaneval+ | qwen2-q4_0 (local model) | 2 |",
      "| mbpp+ | qwen2-q4_0 (local model) | 2 |",
    ]
  ) {
    assert.ok(tables.includes(row), `expected row ${row} in\n${tables}`);
  }
  assert.deepEqual(_chartTitles(result), ["Greedy pass@1 — qwen2-q4_0 (local model)"]);
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
    // The endpoint server generates its MiniFlow tasks in the sandbox while the base model trains.
    const [, endpoint] = await Promise.all([
      pretrainBase(pretrainConfig("smoke"), {
        outDir: ckpt,
        runDir: join(tmp, "pretrain"),
        progress: false,
      }),
      startEndpointServer(),
    ]);
    const teacher = startTeacherServer();
    const runsDir = join(tmp, "runs");
    const before = new Set(await readdir(NOTEBOOKS_DIR));
    // Offline runs get an empty endpoint whatever this process's environment holds.
    const offline = {
      KIT_RUNS_DIR: runsDir,
      KIT_CHECKPOINT: ckpt,
      KIT_ENDPOINT_URL: "",
      KIT_ENDPOINT_MODEL: "",
      KIT_MODEL_PATH: "",
    };
    // 14 trains LoRA adapters on a tiny random Qwen2 made by transformers (plumbing only).
    const realModel = {
      ...offline,
      KIT_MODEL_PATH: join(await hfPeerOutput("tiny"), "qwen2-f32"),
      KIT_TRAIN_STEPS: "3",
      KIT_EVAL_TASKS: "2",
      KIT_MAX_TOKENS: "24",
    };
    const endpointRuns: Run[] = [
      {
        key: "01_synthesis@endpoint",
        notebook: "01_synthesis",
        env: {
          ...offline,
          KIT_ENDPOINT_URL: teacher.baseUrl,
          KIT_ENDPOINT_MODEL: TEACHER_MODEL,
          OPENAI_API_KEY: TEACHER_API_KEY,
        },
      },
      {
        key: "12_evaluate_endpoint@local",
        notebook: "12_evaluate_endpoint",
        env: {
          ...offline,
          KIT_MODEL_PATH: join(await hfPeerOutput("gguf"), "qwen2-q4_0.gguf"),
          KIT_EVAL_LIMIT: "2",
        },
      },
      {
        key: "12_evaluate_endpoint@endpoint",
        notebook: "12_evaluate_endpoint",
        env: {
          ...offline,
          KIT_ENDPOINT_URL: endpoint.server.baseURL,
          KIT_ENDPOINT_MODEL: ENDPOINT_MODEL,
          KIT_EVAL_LIMIT: String(EVAL_LIMIT),
          OPENAI_API_KEY: "EMPTY",
        },
      },
    ];
    // 03 last: it resumes the main-results run 00 finished (same config, same runs dir).
    const queue: Run[] = [
      ...EXPECTED.filter((n) => n !== "03_main_results").map((n) => ({
        key: n,
        notebook: n,
        env: n === "14_real_model_target_dpo" || n === "16_real_model_study" ? realModel : offline,
      })),
      ...endpointRuns,
      { key: "03_main_results", notebook: "03_main_results", env: offline },
    ];
    const results = new Map<string, ExecuteNotebookResult>();
    const walls: string[] = [];
    const t0 = performance.now();
    const worker = async () => {
      for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
        const r = await executeNotebook(join(NOTEBOOKS_DIR, `${run.notebook}.ipynb`), {
          outDir: join(tmp, "executed"),
          outputName: `${run.key.replace("@", ".")}.ipynb`,
          timeoutMs: NOTEBOOK_TIMEOUT_MS,
          env: run.env,
        });
        results.set(run.key, r);
        walls.push(`${run.key} ${(r.durationMs / 1000).toFixed(0)} s`);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      await teacher.close();
      await endpoint.server.close();
    }
    console.error(
      `notebooks: ${((performance.now() - t0) / 1000).toFixed(0)} s in all (${walls.join(", ")})`,
    );

    const failures: string[] = [];
    const checks: [string, () => void][] = [
      ...EXPECTED.map((
        name,
      ): [string, () => void] => [name, () => _check(name, results.get(name)!)]),
      [
        "01_synthesis@endpoint",
        () => _checkSynthEndpoint(results.get("01_synthesis@endpoint")!, teacher),
      ],
      [
        "12_evaluate_endpoint@local",
        () => _checkEvalLocal(results.get("12_evaluate_endpoint@local")!),
      ],
      [
        "12_evaluate_endpoint@endpoint",
        () => _checkEvalEndpoint(results.get("12_evaluate_endpoint@endpoint")!, endpoint),
      ],
    ];
    for (const [name, check] of checks) {
      try {
        check();
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
