/**
 * The notebooks in real front ends, in a real browser: JupyterLab 4 (PyPI) and the classic
 * Notebook 6.4 (Debian) serving copies of the kit's notebooks, opened in Debian's Chromium
 * through npm `playwright-core`, headless with a fresh profile. Each notebook is run with the
 * menu's Run All, as a user would, and the test reads what the page shows: every chart drawn
 * (canvas, SVG or image), the study's progress line changing while it runs, no chart spec dumped
 * as text, Kernel > Interrupt stopping a study with one clear error and Run All resuming it, one
 * clear error for a bogus preset, and the masks and tables of a notebook reopened untrusted. Screenshots go to `runs/browser-test/`.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BROWSER_TEST, checkPrereqs } from "../../tools/prereqs.ts";
import {
  type FrontEnd,
  KIT_ROOT,
  launchChromium,
  makeWorkspace,
  NotebookPage,
  startJupyter,
  type Workspace,
} from "../../testing/browser/mod.ts";
import { pythonEnv } from "../../testing/python_env/mod.ts";

const OUT = join(KIT_ROOT, "runs", "browser-test");
const VIEWPORT = { width: 1280, height: 900 };
const RUN_TIMEOUT_MS = 300_000;
/** What Run All of each notebook must show. */
const CHARTS = { "03_main_results": 3, "00_quickstart": 1, "02_masks": 1 } as const;
const SPEC_DUMP = /"\$schema"|"mark"\s*:|\[Vega-Lite chart:/;

async function _open(frontEnd: FrontEnd, ws: Workspace, labPython?: string) {
  const server = await startJupyter({
    frontEnd,
    root: ws.root,
    labPython,
    env: {
      ...ws.env,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
    },
    logPath: join(OUT, `${frontEnd}-server.log`),
  });
  const browser = await launchChromium(VIEWPORT);
  return { server, browser };
}

/** Run All of one notebook; returns what it shows and the progress texts seen while running. */
async function _runAll(
  frontEnd: FrontEnd,
  open: Awaited<ReturnType<typeof _open>>,
  name: string,
) {
  const page = await open.browser.newPage();
  const nb = await NotebookPage.open(
    page,
    frontEnd,
    open.server.notebookUrl(`notebooks/${name}.ipynb`),
  );
  const progress = new Set<string>();
  try {
    await nb.runAll({
      timeoutMs: RUN_TIMEOUT_MS,
      onPoll: (texts) =>
        texts.filter((t) => t.startsWith("[")).forEach((t) => progress.add(t.trim())),
    });
  } catch (e) {
    await page.screenshot({ path: join(OUT, `${frontEnd}-${name}-failed.png`) });
    throw e;
  }
  const view = await nb.view();
  return { page, nb, view, progress: [...progress] };
}

/**
 * Kernel > Interrupt during a study: one `Interrupted` error naming results.jsonl, the later
 * cells skipped, the finished cells on disk; Run All again resumes and runs only the rest.
 */
async function _interruptAndResume(open: Awaited<ReturnType<typeof _open>>, ws: Workspace) {
  const page = await open.browser.newPage();
  const nb = await NotebookPage.open(
    page,
    "lab",
    open.server.notebookUrl("notebooks/03_interrupt.ipynb"),
  );
  await nb.startRunAll();
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await nb.outputTexts()).some((t) => /cell ([3-9]|1\d)\/18 /.test(t))) {
    if (Date.now() > deadline) throw new Error("03_interrupt: the study never reached cell 3");
    await page.waitForTimeout(200);
  }
  await nb.interrupt();
  await nb.waitDone({ timeoutMs: 60_000 });
  const view = await nb.view();
  await nb.screenshot(join(OUT, "lab-03_interrupted.png"));
  assert.equal(view.errors.length, 1, JSON.stringify(view.errors));
  assert.match(
    view.errors[0],
    /Interrupted: study main-results interrupted; finished cells are kept in .*results\.jsonl; run it again to resume/,
  );
  assert.equal(
    view.outputs.filter((o) => o.startsWith("skipped: an earlier cell failed")).length,
    2,
  );
  const run = _runWithSteps(ws, 4);
  assert.ok(run !== undefined, "no run folder of the interrupted study");
  const done = Deno.readTextFileSync(join(run, "results.jsonl")).trim().split("\n").length;
  assert.ok(done >= 2 && done < 18, `${done} cells recorded before the interrupt`);
  const progress = new Set<string>();
  await nb.runAll({
    timeoutMs: RUN_TIMEOUT_MS,
    onPoll: (t) => t.forEach((x) => progress.add(x.trim())),
  });
  const resumed = await nb.view();
  assert.deepEqual(resumed.errors, []);
  assert.ok(
    [...progress].some((p) => p.endsWith(`ran ${18 - done} cells, skipped ${done} finished`)),
    `expected the rerun to run only the ${18 - done} cells left: ${
      JSON.stringify([...progress].filter((p) => p.startsWith("[")))
    }`,
  );
  await page.close();
}

/** The run folder whose config has `scale.steps` = `steps` (03_interrupt's own config). */
function _runWithSteps(ws: Workspace, steps: number): string | undefined {
  return [...Deno.readDirSync(ws.runsDir)].map((e) => join(ws.runsDir, e.name)).find((dir) => {
    try {
      return JSON.parse(Deno.readTextFileSync(join(dir, "config.json"))).config.scale.steps ===
        steps;
    } catch {
      return false;
    }
  });
}

/** Waits until the front end saved the notebook with its outputs. */
async function _saved(path: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await Deno.readTextFile(path)).includes('"output_type"')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path}: not saved with outputs within 10 s`);
}

function _assertClean(
  name: string,
  view: { errors: readonly string[]; charts: number; outputs: readonly string[] },
  charts: number,
) {
  assert.deepEqual(view.errors, [], `${name}: error outputs`);
  assert.ok(view.charts >= charts, `${name}: ${view.charts} charts drawn, expected ${charts}`);
  for (const text of view.outputs) {
    assert.ok(
      !SPEC_DUMP.test(text),
      `${name}: a chart spec or its text fallback shown: ${text.slice(0, 160)}`,
    );
  }
}

Deno.test({
  name: "browser: notebooks 03, 00, 02 in JupyterLab 4 and the classic Notebook 6.4 (Chromium)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    checkPrereqs({ install: false, only: BROWSER_TEST }); // throws with the apt-get line
    await mkdir(OUT, { recursive: true });
    const labPython = await pythonEnv("requirements-browser.txt");
    const ws = await makeWorkspace([
      { name: "03_main_results", from: "03_main_results" },
      { name: "00_quickstart", from: "00_quickstart" },
      { name: "02_masks", from: "02_masks" },
      {
        // Its own config (one more step), so the study starts from nothing when interrupted.
        name: "03_interrupt",
        from: "03_main_results",
        replace: [[
          "const OVERRIDES: string[] = [];",
          'const OVERRIDES: string[] = ["scale.steps=4"];',
        ]],
      },
      {
        name: "03_bogus_preset",
        from: "03_main_results",
        replace: [['const PRESET = "smoke";', 'const PRESET = "bogus";']],
      },
      { name: "00_classic", from: "00_quickstart" },
    ]);

    await t.step(
      "JupyterLab 4: charts drawn, progress updated, Kernel > Interrupt stops and a rerun resumes, one error for a bogus preset",
      async () => {
        const open = await _open("lab", ws, labPython);
        try {
          const main = await _runAll("lab", open, "03_main_results");
          _assertClean("03", main.view, CHARTS["03_main_results"]);
          const lines = main.progress.filter((p) => p.startsWith("[main-results] "));
          assert.ok(
            lines.some((l) => /cell \d+\/18 /.test(l)) && lines.length >= 3,
            `03: the progress display did not update while running: ${JSON.stringify(lines)}`,
          );
          assert.match(lines.at(-1) ?? "", /: ran 18 cells, skipped 0 finished$/);
          await main.nb.screenshot(join(OUT, "lab-03_main_results.png"));

          for (const name of ["00_quickstart", "02_masks"] as const) {
            const run = await _runAll("lab", open, name);
            _assertClean(name, run.view, CHARTS[name]);
            assert.ok(
              await run.page.locator(".tdpo-pair del").count() > 0,
              `${name}: no <del> mask`,
            );
            assert.ok(
              await run.page.locator(".tdpo-pair ins").count() > 0,
              `${name}: no <ins> mask`,
            );
            await run.nb.screenshot(join(OUT, `lab-${name}.png`));
            await run.page.keyboard.press("Control+s");
            await _saved(join(ws.root, "notebooks", `${name}.ipynb`));
          }

          await _interruptAndResume(open, ws);

          const bogus = await _runAll("lab", open, "03_bogus_preset");
          assert.equal(
            bogus.view.errors.length,
            1,
            `bogus preset: ${JSON.stringify(bogus.view.errors)}`,
          );
          assert.match(bogus.view.errors[0], /unknown preset "bogus" \(known: smoke, paper\)/);
          const skipped = bogus.view.outputs.filter((o) =>
            o.startsWith("skipped: an earlier cell failed")
          );
          assert.equal(skipped.length, 2, JSON.stringify(bogus.view.outputs));
          await bogus.nb.screenshot(join(OUT, "lab-03_bogus_preset.png"));
        } finally {
          await open.browser.close();
          await open.server.close();
        }
      },
    );

    await t.step(
      "classic Notebook 6.4: charts as PNG/SVG; masks and tables of an untrusted notebook",
      async () => {
        const open = await _open("classic", ws);
        try {
          const run = await _runAll("classic", open, "00_classic");
          _assertClean("00 (classic)", run.view, CHARTS["00_quickstart"]);
          await run.nb.screenshot(join(OUT, "classic-00_quickstart.png"));
          // 02 as JupyterLab saved it, opened without running: its outputs are untrusted here
          // (the classic server's notary knows no signatures), so styles and scripts are stripped.
          const page = await open.browser.newPage();
          const saved = await NotebookPage.open(
            page,
            "classic",
            open.server.notebookUrl("notebooks/02_masks.ipynb"),
          );
          assert.ok(
            await page.locator("#notification_trusted:has-text('Not Trusted')").count() === 1,
            "02 should open untrusted",
          );
          assert.ok(
            await page.locator(".output_area del").count() > 0,
            "untrusted 02: no <del> marks",
          );
          assert.ok(
            await page.locator(".output_area ins").count() > 0,
            "untrusted 02: no <ins> marks",
          );
          assert.ok(
            await page.locator(".output_area table").count() > 0,
            "untrusted 02: no HTML table",
          );
          await saved.screenshot(join(OUT, "classic-02_masks-untrusted.png"));
        } finally {
          await open.browser.close();
          await open.server.close();
        }
      },
    );
    await Deno.remove(ws.root, { recursive: true });
  },
});
