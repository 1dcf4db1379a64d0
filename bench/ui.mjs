// The dashboard's speed: with 10,000 runs in the store, how soon headless Chromium paints the runs page's
// first page of rows, and how soon it shows a server-side sort and the next page; and the page weight
// (the JS and CSS it loads, gzipped). Bars: first page painted within 1 s; at most 200 kB.
//   node bench/ui.mjs [RUNS=10000] [REPEATS=5]
// Needs `npm run build` (dist/ and dist/ui/) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { openStore } from '../dist/store/index.js';
import { startServer } from '../dist/serve/lifecycle/start-server.js';

const RUNS = Number(process.argv[2] ?? 10_000);
const REPEATS = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'hyperplane-bench-ui-'));
const store = await openStore({ uri: `sqlite:${join(dir, 'hyperplane.db')}` });

// Runs as a team's would look after months: 3 experiments, 4 learners, a dozen metrics and a few params each.
let t = Date.now();
const learners = ['gbdt', 'logistic', 'forest', 'linear'];
for (let b = 0; b < RUNS; b += 1000) {
  const batch = [];
  for (let i = b; i < Math.min(RUNS, b + 1000); i++) {
    const metrics = ['auc', 'pr_auc', 'log_loss', 'brier', 'accuracy', 'f1'].flatMap((m, j) => [
      { name: m, value: 0.5 + ((i * (j + 7)) % 997) / 2000, step: 0, timestamp: 1_700_000_000_000 + i * 1000 },
      { name: `train_${m}`, value: 0.6 + ((i * (j + 3)) % 991) / 2500, step: 0, timestamp: 1_700_000_000_000 + i * 1000 },
    ]);
    batch.push({ experiment: `exp-${i % 3}`, name: `run-${i}`, status: 'finished', startTime: 1_700_000_000_000 + i * 1000, endTime: 1_700_000_000_000 + i * 1000 + 5000, params: { learner: learners[i % 4], lr: 0.01 * (1 + (i % 10)), leaves: 15 + (i % 50) }, tags: { learner: learners[i % 4], source: 'bench.csv' }, metrics });
  }
  await store.tracking.importRuns(batch);
}
const seeded = Date.now() - t;
const total = await store.tracking.countRuns();

const server = await startServer({ store, serveModels: false, log: false, port: 0, acceptsPerTurn: 1 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

// Times from the navigation's start (performance.now() in the page): rows in the DOM, then the frame after (painted).
const ROWS = 'table[aria-label="Runs"] tbody tr td a';
async function timed(url, act) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(ROWS);
  const painted = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
  const lcp = await page.evaluate(() => new Promise((r) => new PerformanceObserver((l) => r(l.getEntries().at(-1)?.startTime ?? null)).observe({ type: 'largest-contentful-paint', buffered: true })));
  const after = act === undefined ? undefined : await act(page);
  await context.close();
  return { painted, lcp, after };
}

/** ms until the first row's text changes after `click` (the server's answer drawn). */
const until = (click) => async (page) => {
  const before = await page.locator(ROWS).first().textContent();
  const t0 = await page.evaluate(() => performance.now());
  await click(page);
  await page.waitForFunction(([sel, b]) => document.querySelector(sel)?.textContent !== b, [ROWS, before]);
  return (await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))))) - t0;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const url = `${server.url}/ui/#/runs`;
await timed(url); // warm: the server's first queries and Chromium's start
const first = [];
const lcps = [];
const sorts = [];
const nexts = [];
for (let r = 0; r < REPEATS; r++) {
  const a = await timed(url, until((p) => p.getByRole('button', { name: /^auc/ }).click()));
  first.push(a.painted);
  lcps.push(a.lcp);
  sorts.push(a.after);
  nexts.push((await timed(url, until((p) => p.getByRole('button', { name: 'next →' }).click()))).after);
}

// The page weight: what /ui/ loads (index.html's script and stylesheet), gzipped as a server would send it.
const assets = join('dist', 'ui', 'assets');
let raw = 0;
let gz = 0;
for (const f of readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'))) {
  const bytes = readFileSync(join(assets, f));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 6 }).length;
}

await browser.close();
await server.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });

const ms = (x) => `${Math.round(x)} ms`;
console.log(`runs in the store: ${total.toLocaleString('en-US')} (seeded in ${(seeded / 1000).toFixed(1)} s)`);
console.log(`runs page, first 50 rows painted: median ${ms(median(first))} (${first.map(ms).join(', ')}); largest contentful paint median ${ms(median(lcps))}   bar: 1 s ${median(first) <= 1000 ? 'MET' : 'NOT MET'}`);
console.log(`sort by auc (server), drawn: median ${ms(median(sorts))}; next page: median ${ms(median(nexts))}`);
console.log(`page weight: ${(raw / 1024).toFixed(1)} kB JS+CSS, ${(gz / 1024).toFixed(1)} kB gzipped   bar: 200 kB ${gz <= 200 * 1024 ? 'MET' : 'NOT MET'}`);
