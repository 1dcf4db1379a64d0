// One measured run of Hyperplane's GBDT in a fresh process: fit on a CSV's rows, AUC on a test CSV. Prints JSON.
import { loadData } from '../dist/data/load.js';
import { fit, predict } from '../dist/learn/registry.js';
import { allocateMatrix } from '../dist/learn/matrix.js';

async function matrixOf(path) {
  const data = await loadData(path);
  const features = data.table.columns.filter((c) => c.name !== 'target');
  const target = data.table.columns.find((c) => c.name === 'target');
  const n = data.table.nRows;
  const d = features.length;
  const m = allocateMatrix(n, d);
  features.forEach((c, j) => {
    for (let i = 0; i < n; i++) m.data[i * d + j] = c.values[i];
  });
  const y = Float64Array.from({ length: n }, (_, i) => (target.kind === 'categorical' ? Number(target.dictionary[target.codes[i]]) : target.values[i]));
  return { X: m, y };
}

export function auc(y, p) {
  const order = Array.from(y.keys()).sort((a, b) => p[a] - p[b]);
  let rankSum = 0;
  let pos = 0;
  for (let r = 0; r < order.length; ) {
    let e = r;
    while (e + 1 < order.length && p[order[e + 1]] === p[order[r]]) e++;
    const mid = (r + e) / 2 + 1;
    for (let k = r; k <= e; k++) if (y[order[k]] === 1) {
      rankSum += mid;
      pos++;
    }
    r = e + 1;
  }
  const neg = y.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

const [trainPath, testPath, paramsJson] = process.argv.slice(2);
const train = await matrixOf(trainPath);
const test = await matrixOf(testPath);
const params = { n_estimators: 100, num_leaves: 31, learning_rate: 0.1, max_bin: 255, ...(paramsJson ? JSON.parse(paramsJson) : {}) };
const t0 = performance.now();
const model = await fit('gbdt', train.X, train.y, 'binary', params);
const fitMs = performance.now() - t0;
const t1 = performance.now();
const proba = predict(model, test.X);
const predictMs = performance.now() - t1;
const p1 = Float64Array.from({ length: test.X.n }, (_, i) => proba[2 * i + 1]);
console.log(JSON.stringify({ fitMs, predictMs, auc: auc(test.y, p1), peakRss: process.resourceUsage().maxRSS * 1024 }));
