// One measured run of Hyperplane's linear learners in a fresh process. Prints JSON.
import { loadData } from '../dist/data/load.js';
import { fit, predict } from '../dist/learn/registry.js';
import { allocateMatrix } from '../dist/learn/matrix.js';

const [path, which] = process.argv.slice(2);
const data = await loadData(path);
const features = data.table.columns.filter((c) => c.name !== 'target');
const target = data.table.columns.find((c) => c.name === 'target');
const n = data.table.nRows;
const d = features.length;
const matrix = allocateMatrix(n, d);
const X = matrix.data;
features.forEach((c, j) => {
  for (let i = 0; i < n; i++) X[i * d + j] = c.values[i];
});
const y = new Float64Array(n);
for (let i = 0; i < n; i++) y[i] = target.kind === 'categorical' ? Number(target.dictionary[target.codes[i]]) : target.values[i];
const out = {};
if (which === 'logistic') {
  const t0 = performance.now();
  const model = await fit('logistic', matrix, y, 'binary', {});
  out.fitMs = performance.now() - t0;
  const p = predict(model, matrix);
  let loss = 0;
  for (let i = 0; i < n; i++) loss -= Math.log(Math.max(1e-15, p[2 * i + y[i]]));
  out.logLoss = loss / n;
  out.iterations = model.training.iterations;
  out.evaluations = model.training.evaluations;
} else {
  const t0 = performance.now();
  const model = await fit('linear', matrix, y, 'regression', { penalty: 'l2', alpha: 1 });
  out.fitMs = performance.now() - t0;
  out.coef0 = model.state.coef[0];
}
console.log(JSON.stringify(out));
