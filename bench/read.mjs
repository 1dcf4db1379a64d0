// Reading benchmark, side by side in one run: Hyperplane vs pandas.read_csv on the same 1M × 29 CSV,
// then Hyperplane on the 3M-row flights Parquet file. Each side runs in its own process, interleaved,
// REPEAT times; the minimum wall time and its peak RSS are reported.
//
//   npm run build && node bench/read.mjs [--rows 1000000] [--repeat 3]
//
// Needs Debian's python3-pandas (/usr/bin/python3).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { here, numberFlag, python, root, synthCsv } from './common.mjs';

const rows = numberFlag('--rows', 1_000_000);
const repeat = numberFlag('--repeat', 3);
const csv = synthCsv(rows);
const flights = join(root, 'node_modules/vega-datasets/data/flights-3m.parquet');

const run = (cmd, cmdArgs) => JSON.parse(execFileSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
const best = (runs) => runs.reduce((a, b) => (b.loadMs < a.loadMs ? b : a));
const ours = [];
const pandas = [];
const oursFlights = [];
for (let i = 0; i < repeat; i++) {
  ours.push(run(process.execPath, [join(here, 'read-ours.mjs'), csv, 'target']));
  pandas.push(run(python, [join(here, 'read-pandas.py'), csv]));
  oursFlights.push(run(process.execPath, [join(here, 'read-ours.mjs'), flights]));
}
const o = best(ours);
const p = best(pandas);
const f = best(oursFlights);
const minProfile = Math.min(...ours.map((r) => r.profileMs));
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (x) => `${x.toFixed(0)} ms`;

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, pandas ${p.pandas}`);
console.log(`data: ${csv} (${(statSync(csv).size / 2 ** 20).toFixed(0)} MB, ${o.rows.toLocaleString('en-US')} rows × ${o.columns} columns); best of ${repeat}, interleaved\n`);
console.log('case                                   ours        pandas      ratio (ours/pandas)');
console.log(`CSV → typed table, wall               ${ms(o.loadMs).padEnd(11)} ${ms(p.loadMs).padEnd(11)} ${(o.loadMs / p.loadMs).toFixed(2)}×   (bar ≤ 1.00×)`);
console.log(`CSV → typed table, peak RSS           ${mb(o.loadPeakRss).padEnd(11)} ${mb(p.peakRss).padEnd(11)} ${(o.loadPeakRss / p.peakRss).toFixed(2)}×`);
console.log(`profile of that table (--target)      ${ms(minProfile).padEnd(11)} ${'–'.padEnd(11)} ${(minProfile / o.loadMs).toFixed(2)}× of our read   (bar ≤ 2.00×)`);
console.log(`flights-3m.parquet → typed table      ${ms(f.loadMs).padEnd(11)} ${'n/a'.padEnd(11)} ${f.rows.toLocaleString('en-US')} rows; profile ${ms(f.profileMs)}; peak RSS ${mb(f.peakRss)}`);
console.log(`\nours (load = read + type inference + fingerprint): ${ours.map((r) => ms(r.loadMs)).join(', ')}`);
console.log(`pandas read_csv:                                   ${pandas.map((r) => ms(r.loadMs)).join(', ')}`);
