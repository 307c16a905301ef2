/**
 * The browser tests' harness: a real Jupyter front end (JupyterLab 4 from PyPI, the classic
 * Notebook 6.4 from Debian) serving copies of the kit's notebooks, opened in Debian's Chromium
 * through npm `playwright-core`.
 *
 * @module
 */
export { type BrowserSession, CHROMIUM, CHROMIUM_FLAGS, launchChromium } from "./chromium.ts";
export {
  CLASSIC_NOTEBOOK,
  FRONT_ENDS,
  type FrontEnd,
  type JupyterServer,
  startJupyter,
  type StartJupyterOptions,
} from "./jupyter_server.ts";
export { KIT_ROOT, makeWorkspace, type Workspace, type WorkspaceNotebook } from "./workspace.ts";
export { NotebookPage, type NotebookView } from "./notebook_page.ts";
