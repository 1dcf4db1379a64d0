// Issue 23's search bench, in one run on this machine:
//  1. ASHA against random search on the same wall-clock budget: the best cross-validated score each
//     reaches with gbdt over its declared space, on public data sets (bench/quality-data.py's splits).
//  2. Trials per minute with 1 and 2 worker threads (random search, a fixed number of trials).
//
//   npm run build && node bench/search.mjs [--time-budget 60] [--only flights_20k,movies] [--seeds 0,1] [--trials 8]
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const budget = Number(option('--time-budget', '60'));
const only = option('--only', 'flights_20k,movies').split(',');
const seeds = option('--seeds', '0').split(',').map(Number);
const throughputTrials = Number(option('--trials', '8'));
const python = process.env.PYTHON ?? '/usr/bin/python3';
const out = join(here, 'out', 'quality');
if (!existsSync(join(out, 'manifest.json'))) execFileSync(python, [join(here, 'quality-data.py'), out], { stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));

function search(c, extra) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'search', c.train, '--target', c.target, '--task', c.task, '--learner', 'gbdt', '--cv', '3', '--no-track', '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`search failed: ${r.stderr}`);
  const answer = JSON.parse(r.stdout);
  const evaluations = (r.stderr.match(/^search: trial /gm) ?? []).length;
  return { ...answer, seconds: (performance.now() - t0) / 1000, evaluations };
}

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, load ${os.loadavg()[0].toFixed(2)}\n`);
console.log(`## ASHA vs random search, ${budget} s each (gbdt, its declared space; 3-fold CV; ASHA over n_estimators 30..1000, eta 3)\n`);
console.log('| data | rows | metric | seed | random: best | configs | ASHA: best | configs (evaluations) | ASHA − random |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|');
for (const name of only) {
  const c = manifest.find((m) => m.name === name);
  if (c === undefined) throw new Error(`no data set ${name}`);
  for (const seed of seeds) {
    const common = ['--trials', '1000', '--time-budget', String(budget), '--seed', String(seed)];
    const random = search(c, ['--strategy', 'random', ...common]);
    const asha = search(c, ['--strategy', 'asha', ...common]);
    const rows = (c.rows ?? 0).toLocaleString('en-US');
    console.log(`| ${name} | ${rows} | ${random.metric} | ${seed} | ${random.best.score.toFixed(4)} | ${random.configurations - random.notRun} | ${asha.best.score.toFixed(4)} | ${asha.configurations - asha.notRun} (${asha.evaluations}) | ${(asha.best.score - random.best.score >= 0 ? '+' : '')}${(asha.best.score - random.best.score).toFixed(4)} |`);
  }
}

console.log(`\n## Trials per minute, 1 and 2 threads (random search, ${throughputTrials} trials of gbdt, 3-fold CV; wall time includes reading the data and the final refit)\n`);
console.log('| data | threads | seconds | trials/min | speed-up | same leaderboard |');
console.log('|---|---:|---:|---:|---:|---|');
for (const name of only) {
  const c = manifest.find((m) => m.name === name);
  const runs = [1, 2].map((threads) => ({ threads, ...search(c, ['--strategy', 'random', '--trials', String(throughputTrials), '--seed', '0', '--threads', String(threads)]) }));
  const board = (r) => JSON.stringify(r.trials.map((t) => [t.trial, t.score]));
  for (const r of runs) console.log(`| ${name} | ${r.threads} | ${r.seconds.toFixed(1)} | ${((throughputTrials / r.seconds) * 60).toFixed(1)} | ${(runs[0].seconds / r.seconds).toFixed(2)}× | ${board(r) === board(runs[0]) ? 'yes' : 'NO'} |`);
}
