/**
 * Drives one notebook in a front end as a user would: open it, wait for the kernel, Run All from
 * the menu, watch the outputs while it runs, and read back what the page shows.
 *
 * @module
 */
import type { Page } from "playwright-core";
import type { FrontEnd } from "./jupyter_server.ts";

/** Where each front end keeps what the tests read. */
interface _Selectors {
  /** The kernel is started and idle. */
  readonly idle: string;
  /** Input prompts of code cells (`[3]:`, `[*]:`, `[ ]:`). */
  readonly prompt: string;
  /** One output of a cell. */
  readonly output: string;
  /** An error output (an uncaught exception or stderr). */
  readonly error: string;
  /** A chart drawn as an image: Vega's canvas or SVG, or the PNG/SVG rendering. */
  readonly chart: string;
  /** The element that scrolls the notebook. */
  readonly scroller: string;
  /** Menu clicks of Run All. */
  readonly runAll: readonly string[];
  /** Menu clicks of Kernel > Interrupt. */
  readonly interrupt: readonly string[];
  /** The accept button of a "Select Kernel" dialog. */
  readonly kernelDialog: string;
}

const _SELECTORS: Readonly<Record<FrontEnd, _Selectors>> = {
  lab: {
    idle: '.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]',
    prompt: ".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt",
    output: ".jp-NotebookPanel .jp-OutputArea-output",
    error:
      '.jp-NotebookPanel .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
    chart: ".jp-NotebookPanel .jp-RenderedVegaCommon5 canvas, " +
      ".jp-NotebookPanel .jp-RenderedVegaCommon5 svg, .jp-NotebookPanel .jp-RenderedImage img, " +
      ".jp-NotebookPanel .jp-RenderedSVG svg",
    scroller: ".jp-NotebookPanel .jp-WindowedPanel-outer",
    runAll: ['.lm-MenuBar-itemLabel:text-is("Run")', '.lm-Menu-itemLabel:text-is("Run All Cells")'],
    interrupt: [
      '.lm-MenuBar-itemLabel:text-is("Kernel")',
      '.lm-Menu-itemLabel:text-is("Interrupt Kernel")',
    ],
    kernelDialog: ".jp-Dialog:has-text('Select Kernel') .jp-mod-accept",
  },
  classic: {
    idle: "#kernel_indicator_icon.kernel_idle_icon",
    prompt: ".code_cell .input_prompt",
    output: ".output_area",
    error: ".output_area .output_error, .output_area .output_stderr",
    chart: ".output_area .output_png img, .output_area .output_svg svg",
    scroller: "#site",
    runAll: ["#celllink", "#run_all_cells"],
    interrupt: ["#kernellink", "#int_kernel"],
    kernelDialog: ".modal-dialog:has-text('Kernel not found') .btn-primary",
  },
};

/** What the page shows after a run. */
export interface NotebookView {
  /** Text of each error output. */
  readonly errors: readonly string[];
  /** Charts drawn as canvas, SVG or image elements. */
  readonly charts: number;
  /** Text of every output. */
  readonly outputs: readonly string[];
}

/** A notebook open in a page. */
export class NotebookPage {
  readonly #page: Page;
  readonly #s: _Selectors;

  private constructor(page: Page, frontEnd: FrontEnd) {
    this.#page = page;
    this.#s = _SELECTORS[frontEnd];
  }

  /**
   * Opens `url` and waits until the notebook's kernel is idle. When the front end asks which
   * kernel to start (JupyterLab does on a cold server, before it has the kernel list), the
   * preselected one is accepted, as a user would: the notebook's own "Deno".
   */
  static async open(page: Page, frontEnd: FrontEnd, url: string): Promise<NotebookPage> {
    const nb = new NotebookPage(page, frontEnd);
    await page.goto(url);
    // Idle with no dialog for a second: the dialog can come after the kernel reports idle.
    const deadline = Date.now() + 120_000;
    let settledSince: number | null = null;
    while (settledSince === null || Date.now() - settledSince < 1000) {
      const asked = await nb.#answerKernelDialog();
      const idle = (await page.locator(nb.#s.idle).count()) > 0;
      settledSince = idle && !asked ? (settledSince ?? Date.now()) : null;
      if (Date.now() > deadline) throw new Error(`${url}: the kernel was not idle within 120 s`);
      await page.waitForTimeout(200);
    }
    return nb;
  }

  /** Accepts a "Select Kernel" dialog's preselected kernel; whether there was one. */
  async #answerKernelDialog(): Promise<boolean> {
    const ask = this.#page.locator(this.#s.kernelDialog);
    if ((await ask.count()) === 0) return false;
    console.error(`browser: answered a kernel dialog on ${this.#page.url().split("?")[0]}`);
    await ask.first().click();
    return true;
  }

  /** Clicks menu items in turn, answering a kernel dialog first. */
  async #clickMenu(items: readonly string[]): Promise<void> {
    await this.#answerKernelDialog();
    for (const item of items) await this.#page.click(item);
  }

  /**
   * Clicks Run All and polls every `pollMs` until every code cell has run (no `[*]`, no
   * `[ ]`), passing each poll's output texts to `onPoll`. Fails after `timeoutMs`.
   */
  async runAll(
    options: { timeoutMs: number; pollMs?: number; onPoll?: (texts: string[]) => void },
  ): Promise<void> {
    await this.#clickRunAll();
    await this.waitDone(options);
  }

  /** Clicks Run All and returns once a cell started. */
  async startRunAll(): Promise<void> {
    await this.#clickRunAll();
  }

  /** Clicks Kernel > Interrupt (JupyterLab: "Interrupt Kernel"; classic: "Interrupt"). */
  async interrupt(): Promise<void> {
    await this.#clickMenu(this.#s.interrupt);
  }

  /** The text of every output now. */
  outputTexts(): Promise<string[]> {
    return this.#page.locator(this.#s.output).allInnerTexts();
  }

  /** Polls until every code cell has run (see {@linkcode NotebookPage.runAll}). */
  async waitDone(
    options: { timeoutMs: number; pollMs?: number; onPoll?: (texts: string[]) => void },
  ): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const prompts = await this.#page.locator(this.#s.prompt).allInnerTexts();
      options.onPoll?.(await this.outputTexts());
      const done = prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p));
      if (done) break;
      if (Date.now() > deadline) {
        throw new Error(
          `notebook still running after ${options.timeoutMs} ms: ${prompts.join(" ")}`,
        );
      }
      await this.#page.waitForTimeout(options.pollMs ?? 250);
    }
    await this.#page.waitForSelector(this.#s.idle, { timeout: 30_000 });
    await this.#page.waitForTimeout(1000); // the last outputs render
  }

  /**
   * Clicks through the menu to Run All, and again (once) when no cell started within 20 s: on
   * a cold start the first click can land before the menu is wired to the notebook.
   */
  async #clickRunAll(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.#clickMenu(this.#s.runAll);
      for (let i = 0; i < 80; i++) {
        const prompts = await this.#page.locator(this.#s.prompt).allInnerTexts();
        if (prompts.some((p) => /\[(\*|\d+)\]/.test(p))) return;
        await this.#page.waitForTimeout(250);
      }
    }
    throw new Error("Run All started no cell (clicked twice)");
  }

  /** What the notebook shows now. */
  async view(): Promise<NotebookView> {
    return {
      errors: await this.#page.locator(this.#s.error).allInnerTexts(),
      charts: await this.#page.locator(this.#s.chart).count(),
      outputs: await this.#page.locator(this.#s.output).allInnerTexts(),
    };
  }

  /** A screenshot of the whole notebook: the viewport is made as tall as its content first. */
  async screenshot(path: string): Promise<void> {
    const height = await this.#page.locator(this.#s.scroller).evaluate((el) => {
      el.scrollTop = 0;
      return el.scrollHeight;
    });
    const width = this.#page.viewportSize()?.width ?? 1280;
    await this.#page.setViewportSize({ width, height: Math.min(16_000, height + 200) });
    await this.#page.waitForTimeout(500);
    await this.#page.screenshot({ path, fullPage: true });
  }
}
