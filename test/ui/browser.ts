import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it when missing); CHROMIUM_PATH for another. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Chromium, or why there is none: outside CI a test without a browser is skipped with the reason printed;
 * in CI a missing browser fails the run, as a missing database does.
 */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) {
    const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (process.env['CI'] === 'true') throw new Error(reason);
    console.warn(`browser tests skipped: ${reason}`);
    return reason;
  }
  // The sandbox needs user namespaces a container (and root) may not have; the pages are our own, on localhost.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface Watched {
  page: Page;
  /** alert()/confirm()/prompt() dialogs the page opened (an injected script would): none is expected. */
  dialogs: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh context (its own sessionStorage) and page, watching for dialogs and errors. */
export async function newPage(browser: Browser, options: { width?: number; height?: number } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A failed request (a 401 the page handles, a 404 it shows) is logged by the browser as a console error: not the page's fault.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return { page, dialogs, errors, close: () => context.close() };
}
