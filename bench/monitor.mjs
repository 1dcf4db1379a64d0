// Monitoring's fold and report (issue 21), timed: (1) end to end from logged records as the shipper reads
// them — JSON text — read and folded into hourly windows on the reference's bins, by the same call the
// shipper makes (WindowFolder.addText, as ship-fold.ts); (2) the fold alone on typed columns; (3) a drift
// report over 30 days of hourly windows. 28 numeric columns, as the serving bench's rows. Each window
// samples SHIPPED_SAMPLE_ROWS (200) rows, as the shipper's folds do. Memory is printed before and after
// to show it does not grow with the records.
//
//   npm run build && node --expose-gc bench/monitor.mjs [RECORDS=10000000]
import { numericReference } from '../dist/monitor/sketch.js';
import { WindowFolder, HOUR_MS } from '../dist/monitor/window.js';
import { driftReport } from '../dist/monitor/monitor.js';
import { Random } from '../dist/synth/random.js';
import { SHIPPED_SAMPLE_ROWS } from '../dist/monitor/ship-fold.js';

const records = Number(process.argv[2] ?? 10_000_000);
const D = 28;
const names = Array.from({ length: D }, (_, j) => `x${j}`);
const rng = new Random(7);
const refRows = 100_000;
const columns = {};
for (const name of names) columns[name] = numericReference(Float64Array.from({ length: refRows }, () => rng.normal()));
const reference = { version: 1, rows: refRows, columns, prediction: { source: 'held-out', score: numericReference(Float64Array.from({ length: refRows }, () => rng.uniform())) } };
const labels = ['0', '1'];

// A pool of distinct logged records (JSON text as the journal holds it), cycled: making 10M strings would time the generator.
const POOL = 10_000;
const pool = Array.from({ length: POOL }, () => {
  const row = {};
  for (const name of names) row[name] = Math.round(rng.normal() * 1e4) / 1e4;
  const p = rng.uniform();
  return { requestJson: JSON.stringify(row), responseJson: JSON.stringify({ prediction: p >= 0.5 ? '1' : '0', probabilities: { 0: 1 - p, 1: p } }) };
});
const mb = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
const start = Date.UTC(2026, 10, 1);
const spacing = (30 * 24 * HOUR_MS) / records; // 30 days of traffic

global.gc?.();
const rssBefore = mb();
let t0 = performance.now();
const folder = new WindowFolder(reference, labels, HOUR_MS, SHIPPED_SAMPLE_ROWS);
for (let i = 0; i < records; i++) {
  const r = pool[i % POOL];
  folder.addText(1, start + i * spacing, r.requestJson, r.responseJson);
}
const endToEnd = performance.now() - t0;
const windows = folder.windows();
console.log(`end to end (read JSON + fold): ${records.toLocaleString('en-US')} records × ${D} columns in ${(endToEnd / 1000).toFixed(1)} s = ${Math.round(records / (endToEnd / 1000)).toLocaleString('en-US')} records/s (bar ≥ 300,000); ${windows.length} hourly windows; RSS ${rssBefore} → ${mb()} MB`);

// The fold alone, on typed columns: the pool's rows as one Float64Array per column, folded a batch at a time.
const typed = {};
for (const name of names) typed[name] = Float64Array.from(pool, (r) => JSON.parse(r.requestJson)[name]);
const stamps = new Float64Array(POOL);
const folder2 = new WindowFolder(reference, labels, HOUR_MS, SHIPPED_SAMPLE_ROWS);
t0 = performance.now();
for (let done = 0; done < records; done += POOL) {
  for (let i = 0; i < POOL; i++) stamps[i] = start + (done + i) * spacing;
  folder2.addColumns(1, stamps, typed);
}
const foldOnly = performance.now() - t0;
console.log(`fold alone, typed columns: ${Math.round(records / (foldOnly / 1000)).toLocaleString('en-US')} records/s (bar ≥ 3,000,000); ${folder2.windows().length} windows`);

// A drift report over the 30 days of hourly windows, from the folded windows (as the store's aggregates would hold them).
let best = Infinity;
let report;
for (let k = 0; k < 3; k++) {
  t0 = performance.now();
  report = driftReport(reference, windows);
  best = Math.min(best, performance.now() - t0);
}
console.log(`drift report over ${windows.length} hourly windows (30 days) × ${D} columns: ${best.toFixed(0)} ms, best of 3 (bar ≤ 1,000 ms); drift share ${report.driftShare}`);
