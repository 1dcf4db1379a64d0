// Shared helpers for the benchmark scripts: read a synth CSV into a shared matrix, and AUC.
import { loadData } from '../dist/data/load.js';
import { allocateMatrix } from '../dist/learn/matrix.js';

/** A CSV with numeric features and a `target` column, as X (row-major, on shared memory) and y. */
export async function matrixOf(path) {
  const data = await loadData(path);
  const features = data.table.columns.filter((c) => c.name !== 'target');
  const target = data.table.columns.find((c) => c.name === 'target');
  const n = data.table.nRows;
  const d = features.length;
  const X = allocateMatrix(n, d);
  features.forEach((c, j) => {
    for (let i = 0; i < n; i++) X.data[i * d + j] = c.values[i];
  });
  const y = Float64Array.from({ length: n }, (_, i) => (target.kind === 'categorical' ? Number(target.dictionary[target.codes[i]]) : target.values[i]));
  return { X, y };
}

/** ROC AUC by ranks, ties averaged (as scikit-learn). */
export function auc(y, p) {
  const order = Array.from(y.keys()).sort((a, b) => p[a] - p[b]);
  let rankSum = 0;
  let pos = 0;
  for (let r = 0; r < order.length; ) {
    let e = r;
    while (e + 1 < order.length && p[order[e + 1]] === p[order[r]]) e++;
    const mid = (r + e) / 2 + 1;
    for (let k = r; k <= e; k++) {
      if (y[order[k]] === 1) {
        rankSum += mid;
        pos++;
      }
    }
    r = e + 1;
  }
  const neg = y.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Fits `learner` on train, predicts test; prints JSON with fit and predict times, AUC and peak RSS. */
export async function runBinary(learner, trainPath, testPath, params) {
  const train = await matrixOf(trainPath);
  const test = await matrixOf(testPath);
  const { fit, predict } = await import('../dist/learn/registry.js');
  const t0 = performance.now();
  const model = await fit(learner, train.X, train.y, 'binary', params);
  const fitMs = performance.now() - t0;
  // Best of three batches: a warm model, as when serving (the first call also starts the prediction workers).
  let proba;
  let predictMs = Infinity;
  for (let k = 0; k < 3; k++) {
    const t1 = performance.now();
    proba = predict(model, test.X);
    predictMs = Math.min(predictMs, performance.now() - t1);
  }
  const p1 = Float64Array.from({ length: test.X.n }, (_, i) => proba[2 * i + 1]);
  console.log(JSON.stringify({ fitMs, predictMs, auc: auc(test.y, p1), peakRss: process.resourceUsage().maxRSS * 1024, ...(model.state.oobScore !== undefined ? { oob: model.state.oobScore } : {}) }));
}
