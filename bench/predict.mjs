// Batch scoring (issue 5): `hyperplane predict` on 1M rows, end to end (start, read, recipe, trees,
// CSV out), against its bar: reading the rows plus the tree benchmark's prediction of them — shown with
// both speeds the tree benchmark measures, ours (warm, in process) and XGBoost's predict_proba.
// Uses the 1M × 28 synth data of bench/trees.mjs (run that first) and a 100-round GBDT trained by the CLI.
//
//   npm run build && node bench/predict.mjs
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matrixOf } from './lib.mjs';
import { readTable } from '../dist/data/read/source.js';
import { fit, predict } from '../dist/learn/registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(dirname(here), 'dist/cli/main.js');
const data = join(here, 'out', 'train-1m.csv');
if (!existsSync(data)) throw new Error('run node bench/trees.mjs first: it writes bench/out/train-1m.csv');
const model = join(here, 'out', 'predict-model', 'model.hpkg');
if (!existsSync(model)) execFileSync(process.execPath, [cli, 'train', data, '--target', 'target', '--learner', 'gbdt', '--n-estimators', '100', '--split', '0.01', '--out', dirname(model)], { stdio: 'inherit' });

const best = (runs) => Math.min(...runs);
const cliMs = [];
for (let k = 0; k < 2; k++) {
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, 'predict', model, data, '--out', join(here, 'out', 'predictions-1m.csv')]);
  cliMs.push(performance.now() - t0);
}
// The bar's parts, in this process: reading the CSV, and the trees predicting its 1M rows (warm, as the tree bench measures).
const readMs = [];
for (let k = 0; k < 2; k++) {
  const t0 = performance.now();
  await readTable(data);
  readMs.push(performance.now() - t0);
}
const { X, y } = await matrixOf(data);
const trees = await fit('gbdt', X, y, 'binary', { n_estimators: 100 });
predict(trees, X);
const predictMs = [];
for (let k = 0; k < 2; k++) {
  const t0 = performance.now();
  predict(trees, X);
  predictMs.push(performance.now() - t0);
}
// XGBoost (the tree benchmark's peer, same settings) predicting the same 1M rows: best of three warm calls.
const python = process.env.PYTHON ?? '/usr/bin/python3';
const xgb = JSON.parse(execFileSync(python, [join(here, 'gbdt-peers.py'), data, data, 'xgboost'], { encoding: 'utf8' }).trim().split('\n').pop());
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const command = best(cliMs);
const read = best(readMs);
console.log(`hyperplane predict, 1,000,000 rows × 28 features, 100-tree GBDT, CSV in and out (best of 2)`);
console.log(`  whole command ${s(command)}`);
console.log(`  bar with our trees:    read ${s(read)} + trees ${s(best(predictMs))} = ${s(read + best(predictMs))}   ratio ${(command / (read + best(predictMs))).toFixed(2)}×`);
console.log(`  bar with XGBoost's:    read ${s(read)} + predict_proba ${s(xgb.predictMs)} = ${s(read + xgb.predictMs)}   ratio ${(command / (read + xgb.predictMs)).toFixed(2)}×`);
