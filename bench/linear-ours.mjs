// One measured run of Hyperplane's linear learners in a fresh process. Prints JSON.
//   node bench/linear-ours.mjs DATA.csv logistic|ridge
import { matrixOf } from './lib.mjs';
import { fit, predict } from '../dist/learn/registry.js';

const [path, which] = process.argv.slice(2);
const { X, y } = await matrixOf(path);
const out = {};
if (which === 'logistic') {
  const t0 = performance.now();
  const model = await fit('logistic', X, y, 'binary', {});
  out.fitMs = performance.now() - t0;
  const p = predict(model, X);
  let loss = 0;
  for (let i = 0; i < X.n; i++) loss -= Math.log(Math.max(1e-15, p[2 * i + y[i]]));
  out.logLoss = loss / X.n;
  out.iterations = model.training.iterations;
  out.evaluations = model.training.evaluations;
} else {
  const t0 = performance.now();
  const model = await fit('linear', X, y, 'regression', { penalty: 'l2', alpha: 1 });
  out.fitMs = performance.now() - t0;
  out.coef0 = model.state.coef[0];
}
console.log(JSON.stringify(out));
