// Single-row GBDT prediction, the serving path: median of 100k calls of predict() on one row.
import { matrixOf } from './lib.mjs';
import { fit, predict } from '../dist/learn/registry.js';

const { X, y } = await matrixOf(process.argv[2]);
const model = await fit('gbdt', X, y, 'binary', { n_estimators: 100, num_leaves: 31 });
const calls = 100_000;
const times = new Float64Array(calls);
const row = { data: X.data.slice(0, X.d), n: 1, d: X.d };
for (let k = 0; k < 1000; k++) predict(model, row);
for (let k = 0; k < calls; k++) {
  row.data[k % X.d] += 1e-9;
  const t = process.hrtime.bigint();
  predict(model, row);
  times[k] = Number(process.hrtime.bigint() - t) / 1000;
}
times.sort();
console.log(JSON.stringify({ medianUs: times[calls >> 1], p99Us: times[Math.floor(calls * 0.99)], calls }));
