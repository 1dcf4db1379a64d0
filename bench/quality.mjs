// The quality bar (issues 5, 25): `hyperplane train --learner auto` against scikit-learn's default
// LogisticRegression (Ridge for regression), RandomForest(300), HistGradientBoosting and XGBoost's defaults
// on 30 public data sets, on the same fixed splits (bench/quality-data.py), in one run. Scores: test AUC
// (binary), accuracy (multiclass), R² (regression); within noise = inside the issue's tolerance, or a 90%
// paired-bootstrap interval of ours − peer on the test rows that holds 0 (bench/quality-paired.py).
//
//   npm run build && node bench/quality.mjs [--time-budget 60] [--only name,name] [--refit-only] [--no-refit-table] [--refit-learners gbdt,auto] [--refine N]
// --refine N: each set also trained by `auto --refine N` (the portfolio, then ASHA over N configurations), a column beside auto's.
//
// A second table shows what train's refit is worth: the default evaluation (a 20% holdout of the
// training file) with and without --no-refit, each package then scored on the same untouched test file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const budget = Number(option('--time-budget', '60'));
const only = option('--only', undefined)?.split(',');
const refitOnly = args.includes('--refit-only');
const refitTable = !args.includes('--no-refit-table');
// Which learners the refit table trains: gbdt alone is deterministic (no time budget) and quick.
const refitLearners = option('--refit-learners', 'gbdt,auto').split(',');
const refine = option('--refine', undefined);
const python = process.env.PYTHON ?? '/usr/bin/python3';
const out = join(here, 'out', 'quality');
if (!existsSync(join(out, 'manifest.json'))) execFileSync(python, [join(here, 'quality-data.py'), out], { stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).filter((c) => only === undefined || only.includes(c.name));

// Noise allowances from the issue: a tie within these counts as matching the best peer.
const TOLERANCE = { binary: 0.005, multiclass: 0.005, regression: 0.01 };
const METRIC = { binary: 'auc', multiclass: 'accuracy', regression: 'r2' };

// Each side's predictions on the test rows, for the paired bootstrap (quality-paired.py).
const predictions = join(out, 'predictions');
const peers = new Map(
  refitOnly ? [] : execFileSync(python, [join(here, 'quality-peers.py'), join(out, 'manifest.json'), predictions], { encoding: 'utf8', maxBuffer: 1 << 24 })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((r) => [r.name, r]),
);
const rows = [];
/** auto on the set's training file, scored on its test file. */
function auto(c, extra, dir) {
  const t0 = performance.now();
  const stdout = execFileSync(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'train', c.train, '--target', c.target, '--task', c.task, '--test', c.test, '--time-budget', String(budget), '--out', join(out, dir, c.name), '--json', ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  return { seconds: (performance.now() - t0) / 1000, summary: JSON.parse(stdout) };
}
/** The package's predictions on the set's test file, where quality-paired.py reads them. */
function predictTest(c, summary) {
  execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'predict', summary.model, c.test, '--out', join(predictions, `${c.name}.ours.csv`)], { stdio: ['ignore', 'ignore', 'inherit'] });
}
for (const c of refitOnly ? [] : manifest) {
  const { seconds, summary } = auto(c, [], 'runs');
  const ours = summary.test[METRIC[c.task]];
  predictTest(c, summary);
  const refined = refine === undefined ? undefined : auto(c, ['--refine', refine], 'refined');
  const p = peers.get(c.name);
  const peerScores = Object.entries(p).filter(([k]) => k !== 'name');
  const [bestName, best] = peerScores.reduce((a, b) => (b[1].score > a[1].score ? b : a));
  const refinedScore = refined?.summary.test[METRIC[c.task]];
  rows.push({ name: c.name, task: c.task, metric: METRIC[c.task], ours, learner: summary.learner, seconds, best: best.score, bestName, peerSeconds: peerScores.reduce((s, [, v]) => s + v.seconds, 0), beats: ours > best.score, ...(refined !== undefined ? { refined: refinedScore, refinedSeconds: refined.seconds } : {}) });
  console.error(`${c.name}: ours ${ours.toFixed(4)} (${summary.learner}, ${seconds.toFixed(1)} s)${refined !== undefined ? `, refined ${refinedScore.toFixed(4)} (${refined.seconds.toFixed(1)} s)` : ''}, best peer ${bestName} ${best.score.toFixed(4)}`);
}
if (!refitOnly) {
  // The bar's noise: within the fixed tolerance, or the 90% paired-bootstrap interval of ours − peer holds 0.
  const paired = new Map(
    execFileSync(python, [join(here, 'quality-paired.py'), join(out, 'manifest.json'), predictions], { encoding: 'utf8', maxBuffer: 1 << 24 })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((r) => [r.name, r]),
  );
  for (const r of rows) {
    const p = paired.get(r.name);
    if (Math.abs(p.ours - r.ours) > 1e-6) throw new Error(`${r.name}: the bootstrap recomputed our score as ${p.ours}, the CLI said ${r.ours}`);
    r.interval = [p[r.bestName].low, p[r.bestName].high];
    r.matches = r.ours >= r.best - TOLERANCE[r.task] || (r.interval[0] <= 0 && r.interval[1] >= 0);
  }
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}; auto time budget ${budget} s\n`);
  console.log('| data set | task | metric | Hyperplane auto | chosen | best peer | peer score | ours − peer | 90% paired bootstrap | our wall time | peers\' wall time (3 fits) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const diff = r.ours - r.best;
    console.log(`| ${r.name} | ${r.task} | ${r.metric} | ${r.ours.toFixed(4)} | ${r.learner} | ${r.bestName} | ${r.best.toFixed(4)} | ${diff >= 0 ? '+' : ''}${diff.toFixed(4)}${r.matches ? '' : ' ✗'} | [${r.interval.map((x) => x.toFixed(4)).join(', ')}] | ${r.seconds.toFixed(1)} s | ${r.peerSeconds.toFixed(1)} s |`);
  }
  if (refine !== undefined) {
    console.log(`
auto --refine ${refine} beside auto (the same time budget):
`);
    console.log(`| data set | metric | auto | auto --refine ${refine} | refined − auto | wall time, auto | wall time, refined |`);
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const d = r.refined - r.ours;
      console.log(`| ${r.name} | ${r.metric} | ${r.ours.toFixed(4)} | ${r.refined.toFixed(4)} | ${d >= 0 ? '+' : ''}${d.toFixed(4)} | ${r.seconds.toFixed(1)} s | ${r.refinedSeconds.toFixed(1)} s |`);
    }
    const d = rows.map((r) => r.refined - r.ours);
    console.log(`
refined higher on ${d.filter((x) => x > 0).length} of ${d.length}, lower on ${d.filter((x) => x < 0).length}; mean change ${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(4)}`);
  }
const matched = rows.filter((r) => r.matches).length;
const beaten = rows.filter((r) => r.beats).length;
const overBudget = rows.filter((r) => r.seconds > budget * 1.1).map((r) => r.name);
console.log(`\nmatches the best peer within noise on ${matched} of ${rows.length} (bar: all); beats it on ${beaten} of ${rows.length} (bar: at least ${Math.ceil(rows.length / 2)})`);
console.log(`time budget ${budget} s respected within 10% (whole command, reading included): ${overBudget.length === 0 ? 'yes' : `no: ${overBudget.join(', ')}`}`);
}

/** Trains with the default 20% holdout (refit or not) and scores the package on the untouched test file. */
function heldOutScore(c, learner, refit) {
  const dir = join(out, 'refit', `${c.name}-${learner}-${refit ? 'refit' : 'kept'}`);
  const trainArgs = [join(root, 'dist/cli/main.js'), 'train', c.train, '--target', c.target, '--task', c.task, '--learner', learner, '--time-budget', String(budget), '--no-track', '--out', dir, '--json', ...(refit ? ['--refit'] : ['--no-refit'])];
  const summary = JSON.parse(execFileSync(process.execPath, trainArgs, { encoding: 'utf8', maxBuffer: 1 << 24 }));
  const evaluation = JSON.parse(execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'evaluate', join(dir, 'model.hpkg'), c.test, '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  return { score: evaluation[METRIC[c.task]], holdout: summary.test[METRIC[c.task]], rows: summary.fit.rows, learner: summary.learner };
}

if (refitTable) {
  console.log(`\nrefit: train's default 20% holdout, the package scored on the same test file as above (auto time budget ${budget} s)\n`);
  console.log(`| data set | metric | ${refitLearners.map((l) => `${l}, evaluated model | ${l}, refit | refit − evaluated`).join(' | ')} |`);
  console.log(`|---|---|${refitLearners.map(() => '---|---|---|').join('')}`);
  const gains = [];
  for (const c of manifest) {
    const cells = [];
    for (const learner of refitLearners) {
      const kept = heldOutScore(c, learner, false);
      const refit = heldOutScore(c, learner, true);
      const gain = refit.score - kept.score;
      gains.push({ learner, gain });
      cells.push(`${kept.score.toFixed(4)} (${kept.rows.toLocaleString('en-US')} rows)`, `${refit.score.toFixed(4)} (${refit.rows.toLocaleString('en-US')} rows)`, `${gain >= 0 ? '+' : ''}${gain.toFixed(4)}`);
      console.error(`refit ${c.name} ${learner}: evaluated ${kept.score.toFixed(4)} (${kept.learner}), refit ${refit.score.toFixed(4)} (${refit.learner})`);
    }
    console.log(`| ${c.name} | ${METRIC[c.task]} | ${cells.join(' | ')} |`);
  }
  for (const learner of refitLearners) {
    const g = gains.filter((x) => x.learner === learner).map((x) => x.gain);
    console.log(`\n${learner}: the refit scores higher on ${g.filter((x) => x > 0).length} of ${g.length} data sets, lower on ${g.filter((x) => x < 0).length}; mean change ${(g.reduce((a, b) => a + b, 0) / g.length).toFixed(4)}`);
  }
}
