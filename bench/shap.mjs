// TreeSHAP, side by side (issue 19): our exact path-dependent TreeSHAP against XGBoost's
// predict(pred_contribs=True) (nthread 2), each explaining the same ROWS test rows of the 28-feature
// synthetic data with a 100-tree, 31-leaf model trained on the same 100,000 rows. Prints each side's best
// of three, and the ratio. Ours is timed two ways: the learner's explain on the matrix (what XGBoost does),
// and the pipeline's Explainer from the table (recipe, grouping by column: what `predict --explain` does).
//
//   npm run build && node bench/trees.mjs && node bench/shap.mjs [ROWS=10000]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePackage } from '../dist/pipeline/package.js';
import { Pipeline } from '../dist/pipeline/pipeline.js';
import { readForPipeline } from '../dist/pipeline/io.js';
import { Explainer } from '../dist/explain/explainer.js';
import { getLearner } from '../dist/learn/registry.js';
import { FittedRecipe } from '../dist/features/recipe.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(dirname(here), 'dist/cli/main.js');
const train = join(here, 'out', 'train-100k.csv');
const test = join(here, 'out', 'test-200k.csv');
if (!existsSync(train)) throw new Error('run node bench/trees.mjs first: it writes bench/out/train-100k.csv');
const rows = Number(process.argv[2] ?? 10_000);
const out = mkdtempSync(join(tmpdir(), 'hyperplane-shap-bench-'));
execFileSync(process.execPath, [cli, 'train', train, '--target', 'target', '--learner', 'gbdt', '--n-estimators', '100', '--num-leaves', '31', '--no-refit', '--no-track', '--out', out], { stdio: 'ignore' });
const pipeline = new Pipeline(decodePackage(readFileSync(join(out, 'model.hpkg')), 'model.hpkg').pipeline);
const head = readFileSync(test, 'utf8').split('\n', rows + 1).join('\n');
const testRows = join(out, 'test.csv');
(await import('node:fs')).writeFileSync(testRows, `${head}\n`);
const { table } = await readForPipeline(testRows, pipeline);
const member = pipeline.spec.members[0];
const X = new FittedRecipe(member.recipe).transformTable(table);
const learner = getLearner(member.model.kind);
const best = (f) => {
  let ms = Infinity;
  let result;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    result = f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, result };
};
// The first call also builds the model's TreeSHAP tables (kept with the model after that).
const first = performance.now();
learner.explain(member.model, X.n > 1 ? { data: X.data.subarray(0, X.d), n: 1, d: X.d } : X);
const tablesMs = performance.now() - first;
const ours = best(() => learner.explain(member.model, X));
const explainer = new Explainer(pipeline);
const whole = best(() => explainer.explainTable(table));
const meanAbs = ours.result.values.reduce((s, v) => s + Math.abs(v), 0) / ours.result.values.length;
const xgb = JSON.parse(execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [join(here, 'shap-xgb.py'), train, test, String(rows)], { encoding: 'utf8' }).trim().split('\n').pop());
console.log(`TreeSHAP, ${rows.toLocaleString('en-US')} rows × 28 features, 100 trees × 31 leaves, best of 3:`);
console.log(`  ours, gbdt explain on the matrix      ${ours.ms.toFixed(0).padStart(6)} ms   (mean |contribution| ${meanAbs.toFixed(4)})`);
console.log(`  ours, pipeline Explainer from a table ${whole.ms.toFixed(0).padStart(6)} ms`);
console.log(`  XGBoost pred_contribs, nthread 2      ${xgb.ms.toFixed(0).padStart(6)} ms   (mean |contribution| ${xgb.meanAbs.toFixed(4)})`);
console.log(`  ours, first call on a model (builds its tables) ${tablesMs.toFixed(0)} ms`);
console.log(`  ours / XGBoost: ${(ours.ms / xgb.ms).toFixed(2)}× (bar ≤ 1.0×); with the pipeline ${(whole.ms / xgb.ms).toFixed(2)}×`);
