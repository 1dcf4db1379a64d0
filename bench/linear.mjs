// Linear learners, side by side in one run: Hyperplane's logistic regression (L-BFGS, both cores) and
// ridge against scikit-learn's LogisticRegression(solver="lbfgs") and Ridge(), on the same 1M × 28 data.
// Each fit runs in a fresh process, interleaved with the peer, REPEAT times; the best fit time is kept.
//
//   npm run build && node bench/linear.mjs [--rows 1000000] [--repeat 3]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import os from 'node:os';
import { here, numberFlag, python, synthCsv } from './common.mjs';

const rows = numberFlag('--rows', 1_000_000);
const repeat = numberFlag('--repeat', 3);
const csv = synthCsv(rows);
const run = (cmd, a) => JSON.parse(execFileSync(cmd, a, { encoding: 'utf8' }).trim().split('\n').pop());
const results = { logistic: { ours: [], sklearn: [] }, ridge: { ours: [], sklearn: [] } };
for (let r = 0; r < repeat; r++) {
  for (const which of ['logistic', 'ridge']) {
    results[which].ours.push(run(process.execPath, [join(here, 'linear-ours.mjs'), csv, which]));
    results[which].sklearn.push(run(python, [join(here, 'linear-sklearn.py'), csv, which]));
  }
}
const best = (runs) => runs.reduce((a, b) => (b.fitMs < a.fitMs ? b : a));
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}; data ${csv}; best of ${repeat}, interleaved\n`);
console.log('model                      ours fit    sklearn fit   ratio   ours log loss        sklearn log loss     rel. diff');
const lo = best(results.logistic.ours);
const ls = best(results.logistic.sklearn);
console.log(
  `logistic (L2, C=1, lbfgs)  ${`${lo.fitMs.toFixed(0)} ms`.padEnd(11)} ${`${ls.fitMs.toFixed(0)} ms`.padEnd(13)} ${(lo.fitMs / ls.fitMs).toFixed(2)}×   ` +
    `${lo.logLoss.toPrecision(12).padEnd(20)} ${ls.logLoss.toPrecision(12).padEnd(20)} ${((lo.logLoss - ls.logLoss) / ls.logLoss).toExponential(1)}  (${lo.iterations} vs ${ls.iterations} iterations)`,
);
const ro = best(results.ridge.ours);
const rs = best(results.ridge.sklearn);
console.log(`ridge (alpha=1)            ${`${ro.fitMs.toFixed(0)} ms`.padEnd(11)} ${`${rs.fitMs.toFixed(0)} ms`.padEnd(13)} ${(ro.fitMs / rs.fitMs).toFixed(2)}×   coef[0] ${ro.coef0.toPrecision(10)} vs ${rs.coef0.toPrecision(10)}`);
console.log(`\nall fit times (ms): logistic ours ${results.logistic.ours.map((r) => r.fitMs.toFixed(0)).join(', ')}; sklearn ${results.logistic.sklearn.map((r) => r.fitMs.toFixed(0)).join(', ')}`);
console.log(`                    ridge ours ${results.ridge.ours.map((r) => r.fitMs.toFixed(0)).join(', ')}; sklearn ${results.ridge.sklearn.map((r) => r.fitMs.toFixed(0)).join(', ')}`);
