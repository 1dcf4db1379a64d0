// `hyperplane train --learner gbdt` end to end against a Python script doing the same work (issue 29): read the
// 1M × 28 CSV, hold out 20%, fit on 80% (100 trees, 31 leaves), score the 20%, AUC. Ours also does what `train`
// always does: the checks, importance, the report, the package and the recorded run (a fresh store per run).
// Each side is a fresh process timed from outside by /usr/bin/time (wall and peak RSS), interleaved,
// REPEAT times; the best wall time is reported with that run's peak RSS.
//
//   npm run build && node bench/train-e2e.mjs [--rows 1000000] [--repeat 3]
//
// Needs Debian's python3-pandas, python3-sklearn and python3-xgboost (/usr/bin/python3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { cli, here, numberFlag, out, python, root, synthCsv } from './common.mjs';

const rows = numberFlag('--rows', 1_000_000);
const repeat = numberFlag('--repeat', 3);
const csv = synthCsv(rows);

/** One process under /usr/bin/time: its wall seconds, peak RSS (bytes) and stdout. */
function timed(cmd, cmdArgs, cwd) {
  const report = join(out, 'time.txt');
  const stdout = execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', report, cmd, ...cmdArgs], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const [wall, kb] = readFileSync(report, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, peakRss: kb * 1024, stdout };
}

function ours() {
  const home = mkdtempSync(join(os.tmpdir(), 'hp-e2e-'));
  try {
    const r = timed(process.execPath, [cli, 'train', csv, '--target', 'target', '--learner', 'gbdt', '--json'], home);
    const result = JSON.parse(r.stdout);
    return { ...r, auc: result.test.auc, result };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
function peer() {
  const r = timed(python, [join(here, 'train-xgboost.py'), csv], root);
  return { ...r, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
}

const runs = { ours: [], peer: [] };
for (let i = 0; i < repeat; i++) {
  runs.ours.push(ours());
  runs.peer.push(peer());
}
const best = (list) => list.reduce((a, b) => (b.wall < a.wall ? b : a));
const o = best(runs.ours);
const p = best(runs.peer);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, xgboost ${p.xgboost}`);
console.log(`data: ${csv} (${rows.toLocaleString('en-US')} rows × 28 features); 80/20 holdout; best of ${repeat}, interleaved\n`);
console.log('case                                        ours        script      ratio');
console.log(`whole command, wall                        ${`${o.wall.toFixed(2)} s`.padEnd(11)} ${`${p.wall.toFixed(2)} s`.padEnd(11)} ${(o.wall / p.wall).toFixed(2)}×   (bar ≤ 0.80×)`);
console.log(`whole command, peak RSS                    ${mb(o.peakRss).padEnd(11)} ${mb(p.peakRss).padEnd(11)} ${(o.peakRss / p.peakRss).toFixed(2)}×   (bar ≤ 1.20×)`);
console.log(`test AUC                                   ${o.auc.toFixed(5).padEnd(11)} ${p.auc.toFixed(5).padEnd(11)}`);
console.log(`\nours (s):   ${runs.ours.map((r) => `${r.wall.toFixed(2)} (${mb(r.peakRss)})`).join(', ')}`);
console.log(`script (s): ${runs.peer.map((r) => `${r.wall.toFixed(2)} (${mb(r.peakRss)})`).join(', ')}`);
