// Trees, side by side in one run (issue 4): Hyperplane's GBDT against XGBoost (hist, lossguide, 2 threads)
// and scikit-learn's HistGradientBoostingClassifier on 1M × 28 synthetic rows with a 200k test set;
// batch and single-row prediction; Hyperplane's random forest against scikit-learn's RandomForest(n_jobs=2)
// on 100k rows; and the 3M flights (categorical origin and destination) against XGBoost and scikit-learn.
// Each fit runs in its own process; --repeat K keeps the best of K interleaved runs.
//
//   npm run build && node bench/trees.mjs [--repeat 1]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const repeat = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : 1;
const python = process.env.PYTHON ?? '/usr/bin/python3';
const out = join(here, 'out');
mkdirSync(out, { recursive: true });

// 1.2M rows from one seed: the first 1M train, the last 200k test (same distribution).
const all = join(out, 'synth-1200000x28-seed42.csv');
const train = join(out, 'train-1m.csv');
const test = join(out, 'test-200k.csv');
const train100k = join(out, 'train-100k.csv');
if (!existsSync(train) || !existsSync(test) || !existsSync(train100k)) {
  if (!existsSync(all)) execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'synth', '--rows', '1200000', '--features', '28', '--seed', '42', '--out', all], { stdio: 'inherit' });
  const lines = readFileSync(all, 'utf8').split('\n');
  const header = lines[0];
  writeFileSync(train, `${[header, ...lines.slice(1, 1_000_001)].join('\n')}\n`);
  writeFileSync(test, `${[header, ...lines.slice(1_000_001, 1_200_001)].join('\n')}\n`);
  writeFileSync(train100k, `${[header, ...lines.slice(1, 100_001)].join('\n')}\n`);
}
const run = (cmd, a) => JSON.parse(execFileSync(cmd, a, { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
const best = (runs) => runs.reduce((a, b) => (b.fitMs < a.fitMs ? b : a));
const r = { ours: [], xgb: [], hgb: [], rf: [], skrf: [] };
for (let k = 0; k < repeat; k++) {
  r.ours.push(run(process.execPath, [join(here, 'gbdt-ours.mjs'), train, test]));
  r.xgb.push(run(python, [join(here, 'gbdt-peers.py'), train, test, 'xgboost']));
  r.hgb.push(run(python, [join(here, 'gbdt-peers.py'), train, test, 'sklearn']));
  r.rf.push(run(process.execPath, [join(here, 'forest-ours.mjs'), train100k, test]));
  r.skrf.push(run(python, [join(here, 'forest-sklearn.py'), train100k, test]));
}
const single = run(process.execPath, [join(here, 'single-row.mjs'), train100k]);
// Flights: our script also writes the split as CSV for the peers (pandas here has no Parquet reader).
const flights = { ours: [], xgb: [], hgb: [] };
for (let k = 0; k < repeat; k++) {
  flights.ours.push(run(process.execPath, [join(here, 'flights-ours.mjs'), '--write-csv']));
  flights.xgb.push(run(python, [join(here, 'flights-peers.py'), join(out, 'flights-train.csv'), join(out, 'flights-test.csv'), 'xgboost']));
  flights.hgb.push(run(python, [join(here, 'flights-peers.py'), join(out, 'flights-train.csv'), join(out, 'flights-test.csv'), 'sklearn']));
}
const [o, x, h, f, s] = [best(r.ours), best(r.xgb), best(r.hgb), best(r.rf), best(r.skrf)];
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}; best of ${repeat}\n`);
console.log('GBDT, 1M × 28 train, 200k test, 100 rounds, 31 leaves, lr 0.1, 255 bins');
console.log(`  fit        ours ${sec(o.fitMs)}   XGBoost ${sec(x.fitMs)}   sklearn HGB ${sec(h.fitMs)}   ours/XGBoost ${(o.fitMs / x.fitMs).toFixed(2)}×   ours/sklearn ${(o.fitMs / h.fitMs).toFixed(2)}×`);
console.log(`  test AUC   ours ${o.auc.toFixed(5)}   XGBoost ${x.auc.toFixed(5)}   sklearn HGB ${h.auc.toFixed(5)}   ours − XGBoost ${(o.auc - x.auc).toFixed(5)}`);
console.log(`  peak RSS   ours ${mb(o.peakRss)}   XGBoost ${mb(x.peakRss)}   sklearn HGB ${mb(h.peakRss)}   ours/XGBoost ${(o.peakRss / x.peakRss).toFixed(2)}×`);
console.log(`  predict 200k rows   ours ${o.predictMs.toFixed(0)} ms   XGBoost predict_proba ${x.predictMs.toFixed(0)} ms   ratio ${(o.predictMs / x.predictMs).toFixed(2)}×`);
console.log(`  single-row predict (100 trees, 31 leaves): median ${single.medianUs.toFixed(2)} µs over ${single.calls.toLocaleString('en-US')} calls`);
const [fo, fx, fh] = [best(flights.ours), best(flights.xgb), best(flights.hgb)];
console.log(`\nFlights 2001: Jan–May train (${fo.trainRows.toLocaleString('en-US')} rows), June test (${fo.testRows.toLocaleString('en-US')}); delay > 15; 255 leaves, 100 rounds, origin/destination categorical`);
console.log(`  fit        ours ${sec(fo.fitMs)}   XGBoost ${sec(fx.fitMs)}   sklearn HGB ${sec(fh.fitMs)}   ours/XGBoost ${(fo.fitMs / fx.fitMs).toFixed(2)}×`);
console.log(`  test AUC   ours ${fo.auc.toFixed(5)}   XGBoost ${fx.auc.toFixed(5)}   sklearn HGB ${fh.auc.toFixed(5)}   ours − XGBoost ${(fo.auc - fx.auc).toFixed(5)}`);
console.log('\nRandom forest, 100 trees, 100k × 28 train, 200k test');
console.log(`  fit        ours ${sec(f.fitMs)}   sklearn RF(n_jobs=2) ${sec(s.fitMs)}   ratio ${(f.fitMs / s.fitMs).toFixed(2)}×`);
console.log(`  test AUC   ours ${f.auc.toFixed(5)}   sklearn ${s.auc.toFixed(5)}   difference ${(f.auc - s.auc).toFixed(5)}`);
console.log(`  OOB score  ours ${f.oob.toFixed(5)}   sklearn ${s.oob.toFixed(5)}`);
