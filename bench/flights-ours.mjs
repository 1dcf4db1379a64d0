// Flights (issue 4, case 2): Hyperplane's GBDT on vega-datasets' flights-3m.parquet. Target: delay > 15.
// Features: month, day of month, day of week, hour, distance, origin, destination (categorical).
// Train on January–May 2001, test on June. Also writes the same split as CSV for the peers.
//   node bench/flights-ours.mjs [--write-csv]
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadData } from '../dist/data/load.js';
import { fit, predict } from '../dist/learn/registry.js';
import { allocateMatrix } from '../dist/learn/matrix.js';
import { auc } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = await loadData(join(here, '..', 'node_modules/vega-datasets/data/flights-3m.parquet'));
const col = (name) => data.table.columns.find((c) => c.name === name);
const date = col('date').values;
const delay = col('delay').values;
const distance = col('distance').values;
const origin = col('origin');
const destination = col('destination');
const n = data.table.nRows;
const d = 7;
const rows = { train: [], test: [] };
for (let i = 0; i < n; i++) {
  const month = new Date(date[i]).getUTCMonth() + 1;
  if (month <= 5) rows.train.push(i);
  else if (month === 6) rows.test.push(i);
}
function build(list) {
  const X = allocateMatrix(list.length, d);
  const y = new Float64Array(list.length);
  list.forEach((i, r) => {
    const t = new Date(date[i]);
    const base = r * d;
    X.data[base] = t.getUTCMonth() + 1;
    X.data[base + 1] = t.getUTCDate();
    X.data[base + 2] = t.getUTCDay();
    X.data[base + 3] = t.getUTCHours();
    X.data[base + 4] = distance[i];
    X.data[base + 5] = origin.codes[i] < 0 ? NaN : origin.codes[i];
    X.data[base + 6] = destination.codes[i] < 0 ? NaN : destination.codes[i];
    y[r] = delay[i] > 15 ? 1 : 0;
  });
  return { X, y };
}
const train = build(rows.train);
const test = build(rows.test);
if (process.argv.includes('--write-csv')) {
  for (const [name, part] of [['train', train], ['test', test]]) {
    const path = join(here, 'out', `flights-${name}.csv`);
    if (existsSync(path)) continue;
    const lines = ['month,day,weekday,hour,distance,origin,destination,target'];
    for (let r = 0; r < part.X.n; r++) lines.push([...part.X.data.subarray(r * d, (r + 1) * d)].map((v) => (Number.isNaN(v) ? '' : v)).join(',') + `,${part.y[r]}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
  }
}
const params = { n_estimators: Number(process.env.ROUNDS ?? 100), num_leaves: 255, learning_rate: 0.1, max_bin: 255, categorical_features: [5, 6] };
const t0 = performance.now();
const model = await fit('gbdt', train.X, train.y, 'binary', params);
const fitMs = performance.now() - t0;
const p = predict(model, test.X);
const p1 = Float64Array.from({ length: test.X.n }, (_, i) => p[2 * i + 1]);
console.log(JSON.stringify({ fitMs, auc: auc(test.y, p1), trainRows: train.X.n, testRows: test.X.n, peakRss: process.resourceUsage().maxRSS * 1024 }));
