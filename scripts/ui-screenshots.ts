/**
 * The dashboard's screenshots in docs/ui/: a seeded store (as the browser tests seed it), a server with an
 * API key, and Chromium at 1280 px, one picture a page.
 *   npm run build && npx jiti scripts/ui-screenshots.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildServer } from '../src/serve/server.js';
import { openStore } from '../src/store/index.js';
import { seedDashboard } from '../test/ui/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'hyperplane-shots-'));
const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
const seeded = await seedDashboard(uri, dir);
const store = await openStore({ uri });
const key = (await store.apiKeys.create('screenshots', ['admin'])).key;
const server = await buildServer({ store, reloadMs: 0, maxEventLoopDelayMs: 0 });
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const out = join('docs', 'ui');
mkdirSync(out, { recursive: true });

const pages: [string, string, string][] = [
  ['runs', '/runs', 'table[aria-label="Runs"] tbody tr td a'],
  ['run', `/runs/${seeded.runs.gbdt}`, '.chart canvas'],
  ['compare', `/compare?ids=${seeded.runs.logistic},${seeded.runs.gbdt}`, '.chart canvas'],
  ['models', '/models/credit', 'table'],
  ['deployment', '/deployments/credit-shadow', '.chart canvas'],
  ['bandit', '/deployments/credit', 'table'],
  ['monitoring', '/monitor/credit?window=1h&since=1d', '.chart canvas'],
  ['predictions', '/predictions?model=credit', 'table'],
  ['prediction', `/predictions/${seeded.explained}`, 'main h1'],
];
for (const [name, hash, ready] of pages) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((k) => sessionStorage.setItem('hyperplane.apiKey', k), key);
  const page = await context.newPage();
  await page.goto(`${url}/ui/#${hash}`);
  await page.waitForSelector(ready, { timeout: 15_000 }).catch(() => process.stderr.write(`${name}: ${ready} not seen\n`));
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  await context.close();
}
// Keys on and none given: the page asks for one.
const context = await browser.newContext({ viewport: { width: 1280, height: 560 } });
const page = await context.newPage();
await page.goto(`${url}/ui/#/runs`);
await page.waitForSelector('form[aria-label="API key"]');
await page.screenshot({ path: join(out, 'key.png') });
await browser.close();
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.stderr.write(`screenshots in ${out}/\n`);
