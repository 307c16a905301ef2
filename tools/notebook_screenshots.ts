/**
 * Screenshots of notebooks as a user sees them: each named notebook is copied into a throwaway
 * workspace, opened in a front end (JupyterLab 4 or the classic Notebook 6.4) in Debian's
 * Chromium, run with the menu's Run All, and captured whole.
 *
 * ```sh
 * deno run -A tools/notebook_screenshots.ts --front classic --out runs/shots 00_quickstart 03_main_results
 * deno run -A tools/notebook_screenshots.ts --kit /tmp/old-checkout --front classic --out runs/before 00_quickstart
 * ```
 *
 * `--kit` points at another checkout of the kit (an older commit's worktree with `deno install`
 * run in it) for before/after pictures; by default this checkout.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  FRONT_ENDS,
  type FrontEnd,
  KIT_ROOT,
  launchChromium,
  makeWorkspace,
  NotebookPage,
  startJupyter,
} from "../testing/browser/mod.ts";
import { pythonEnv } from "../testing/python_env/mod.ts";

const USAGE =
  "usage: deno run -A tools/notebook_screenshots.ts [--front lab|classic] [--kit DIR] --out DIR NOTEBOOK…";

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      front: { type: "string", default: "lab" },
      kit: { type: "string", default: KIT_ROOT },
      out: { type: "string" },
    },
    allowPositionals: true,
  });
  const front = values.front as FrontEnd;
  if (!(FRONT_ENDS as readonly string[]).includes(front)) {
    console.error(`--front: expected one of ${FRONT_ENDS.join(", ")}, found "${front}"\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.out === undefined || positionals.length === 0) {
    console.error(USAGE);
    Deno.exit(2);
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const ws = await makeWorkspace(positionals.map((name) => ({ name, from: name })), values.kit);
  const server = await startJupyter({
    frontEnd: front,
    root: ws.root,
    labPython: front === "lab" ? await pythonEnv("requirements-browser.txt") : undefined,
    env: { ...ws.env, PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/root" },
    logPath: join(out, `${front}-server.log`),
  });
  const browser = await launchChromium({ width: 1280, height: 900 });
  try {
    for (const name of positionals) {
      const page = await browser.newPage();
      const nb = await NotebookPage.open(
        page,
        front,
        server.notebookUrl(`notebooks/${name}.ipynb`),
      );
      const t0 = performance.now();
      await nb.runAll({ timeoutMs: 600_000 });
      const path = join(out, `${front}-${name}.png`);
      await nb.screenshot(path);
      console.log(`${name}: ran in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${path}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(ws.root, { recursive: true });
  }
}
