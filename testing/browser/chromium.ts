/**
 * Debian's Chromium driven by npm `playwright-core` (no browser download), headless, with a
 * fresh profile per session.
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Flags of every session: headless, no sandbox (CI runs as root), no GPU, and nothing that
 * reaches the network on its own (first-run pages, component updates, sync).
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with its own profile folder; `close` ends it and removes the profile. */
export interface BrowserSession extends AsyncDisposable {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh profile and a viewport of `width` × `height` CSS pixels.
 *
 * @example
 * ```ts ignore
 * import { launchChromium } from "./chromium.ts";
 * await using browser = await launchChromium({ width: 1280, height: 900 });
 * const page = await browser.newPage();
 * ```
 */
export async function launchChromium(
  viewport: { width: number; height: number },
): Promise<BrowserSession> {
  const profile = await Deno.makeTempDir({ prefix: "kit-chromium-profile-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport,
  });
  const close = async () => {
    await context.close();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  return {
    context,
    newPage: () => context.newPage(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
