// Issue 24's queue bench, in one run on this machine:
//  (a) two plain processes fitting side by side against one after the other: this machine's real 2-process speed-up;
//  (b) 16 trials of single-threaded fits on 1 queue worker against 2 (bar: ≥ 0.9 × the speed-up of (a));
//  (c) the queue's overhead per trial: trivial trials through the queue against in-process (bar: ≤ 20 ms).
// Needs Redis at 127.0.0.1:6379 (or $HYPERPLANE_TEST_REDIS).
//
//   npm run build && node bench/queue.mjs [--rows 6000] [--estimators 60] [--rounds 3] [--trivial 40]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadData } from '../dist/data/load.js';
import { snapshotBytes } from '../dist/data/snapshot.js';
import { crossValidation } from '../dist/pipeline/cross-validate.js';
import { parseQueueUrl, queueTrialPool } from '../dist/queue/index.js';
import { openStore } from '../dist/store/index.js';
import { writeSynthFile } from '../dist/synth/write.js';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(dirname(here), 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const CV = { target: 'target', folds: 3, seed: 0 };

/** The 16 trials: gbdt configurations of about the same cost, each fit on one thread (the data is below the threading size). */
function candidates(estimators) {
  const out = [];
  for (const num_leaves of [15, 31]) for (const learning_rate of [0.05, 0.1]) for (const min_data_in_leaf of [10, 20]) for (const lambda_l2 of [0, 1]) out.push({ learner: 'gbdt', params: { n_estimators: estimators, num_leaves, learning_rate, min_data_in_leaf, lambda_l2 } });
  return out;
}

// A child of (a): fits its half of the trials in-process (every other one, so both halves cost the same), and
// prints when its fitting started and ended.
if (args[0] === '--fit-child') {
  const [, path, half, estimators] = args;
  const data = await loadData(path);
  const cv = crossValidation(data, CV);
  const mine = candidates(Number(estimators)).filter((_, i) => i % 2 === Number(half));
  // Warmed as the queue workers are: the folds' recipes fitted and the code compiled before the clock starts.
  await cv.score(mine[0]);
  const start = performance.timeOrigin + performance.now();
  for (const c of mine) await cv.score(c);
  process.stdout.write(JSON.stringify({ start, end: performance.timeOrigin + performance.now() }));
  process.exit(0);
}

const rows = Number(option('--rows', '6000'));
const estimators = Number(option('--estimators', '60'));
const trivialTrials = Number(option('--trivial', '40'));
const rounds = Number(option('--rounds', '3'));
const queue = parseQueueUrl(process.env.HYPERPLANE_TEST_REDIS ?? 'redis://127.0.0.1:6379');
const prefix = `hyperplane-bench-${process.pid}`;
const dir = mkdtempSync(join(os.tmpdir(), 'hyperplane-queue-bench-'));
const children = new Set();

function run(argv, env = {}) {
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve, reject) => child.on('close', (code) => (children.delete(child), code === 0 ? resolve(stdout) : reject(new Error(`${argv.join(' ')}: exit ${code}: ${stderr}`)))));
  return { child, done, stderr: () => stderr };
}

async function startWorkerProcess(keys) {
  const w = run([main, 'worker', '--queue', queue.url], { HYPERPLANE_QUEUE_PREFIX: keys });
  // Workers are killed at the end: their exit is no failure.
  w.done.catch(() => undefined);
  while (!/takes trials from/.test(w.stderr())) await new Promise((r) => setTimeout(r, 20));
  return w;
}

async function snapshotIn(store, path) {
  const data = await loadData(path, { keepRaw: true });
  const sha256 = await store.artifacts.put(await snapshotBytes(data.raw));
  return { data, ref: { sha256, fingerprint: data.fingerprint, store: `sqlite:${join(dir, 'hyperplane.db')}`, source: path } };
}

let searches = 0;
/** Scores the trials through the queue, all submitted at once; answers the wall seconds. */
async function onQueue(keys, ref, trials, options = {}) {
  const pool = await queueTrialPool({ queue, prefix: keys, search: `bench${process.pid}x${searches++}`, seed: 0, cv: CV, data: ref, threads: trials.length });
  const t0 = performance.now();
  try {
    if (options.sequential) for (const [i, c] of trials.entries()) await pool.scoreTrial(i, null, c);
    else await Promise.all(trials.map((c, i) => pool.scoreTrial(i, null, c)));
    return (performance.now() - t0) / 1000;
  } finally {
    await pool.close();
  }
}

const fmt = (s) => `${s.toFixed(2)} s`;
try {
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
  const path = join(dir, 'data.csv');
  await writeSynthFile(path, { task: 'binary', rows, features: 10, seed: 1 });
  const trials = candidates(estimators);
  console.log(`data: ${rows} rows × 10 features (synth, binary); ${trials.length} trials of gbdt, ${estimators} rounds, 3-fold CV\n`);

  // (a) Two processes, each fitting 8 of the trials: one after the other, then side by side.
  // (b) The 16 trials on one queue worker (its own prefix), then on two (another prefix), each worker warmed first.
  // Rounds interleave (a) and (b), and each figure is the best of its rounds: the machine is shared.
  const fit = (half) => run([fileURLToPath(import.meta.url), '--fit-child', path, String(half), String(estimators)]).done.then(JSON.parse);
  const store = await openStore({ uri: `sqlite:${join(dir, 'hyperplane.db')}` });
  const { ref } = await snapshotIn(store, path);
  const [alone, pair] = [`${prefix}-one`, `${prefix}-two`];
  await startWorkerProcess(alone);
  await startWorkerProcess(pair);
  await startWorkerProcess(pair);
  await onQueue(alone, ref, trials.slice(0, 2));
  await onQueue(pair, ref, trials.slice(0, 4));
  const best = { sequential: Infinity, parallel: Infinity, oneWorker: Infinity, twoWorkers: Infinity };
  for (let round = 0; round < rounds; round++) {
    const one = await fit(0);
    const two = await fit(1);
    best.sequential = Math.min(best.sequential, (one.end - one.start + (two.end - two.start)) / 1000);
    const side = await Promise.all([fit(0), fit(1)]);
    best.parallel = Math.min(best.parallel, (Math.max(side[0].end, side[1].end) - Math.min(side[0].start, side[1].start)) / 1000);
    best.oneWorker = Math.min(best.oneWorker, await onQueue(alone, ref, trials));
    best.twoWorkers = Math.min(best.twoWorkers, await onQueue(pair, ref, trials));
  }
  const plainSpeedup = best.sequential / best.parallel;
  console.log(`(a) two plain processes, 8 trials each: one after the other ${fmt(best.sequential)}, side by side ${fmt(best.parallel)}: speed-up ${plainSpeedup.toFixed(2)}×`);
  const queueSpeedup = best.oneWorker / best.twoWorkers;
  console.log(`(b) 16 trials: 1 worker ${fmt(best.oneWorker)}, 2 workers ${fmt(best.twoWorkers)}: speed-up ${queueSpeedup.toFixed(2)}× = ${(queueSpeedup / plainSpeedup).toFixed(2)} of (a)'s (bar ≥ 0.90: ${queueSpeedup >= 0.9 * plainSpeedup ? 'met' : 'NOT met'})`);

  // (c) Trivial trials (the baseline learner on 200 rows), one at a time: through the queue against in-process.
  const tinyPath = join(dir, 'tiny.csv');
  await writeSynthFile(tinyPath, { task: 'binary', rows: 200, features: 4, seed: 2 });
  const tiny = await snapshotIn(store, tinyPath);
  const trivial = Array.from({ length: trivialTrials }, () => ({ learner: 'baseline', params: {} }));
  const cv = crossValidation(tiny.data, CV);
  await cv.score(trivial[0]);
  const t0 = performance.now();
  for (const c of trivial) await cv.score(c);
  const inProcessMs = (performance.now() - t0) / trivial.length;
  await onQueue(alone, tiny.ref, trivial.slice(0, 4), { sequential: true });
  const queuedMs = ((await onQueue(alone, tiny.ref, trivial, { sequential: true })) * 1000) / trivial.length;
  console.log(`(c) ${trivialTrials} trivial trials one at a time: in-process ${inProcessMs.toFixed(2)} ms, through the queue ${queuedMs.toFixed(2)} ms: overhead ${(queuedMs - inProcessMs).toFixed(2)} ms a trial (bar ≤ 20 ms: ${queuedMs - inProcessMs <= 20 ? 'met' : 'NOT met'})`);
  await store.close();
} finally {
  for (const c of children) c.kill('SIGKILL');
  const client = new Redis({ host: queue.host, port: queue.port, db: queue.db });
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}-*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  client.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
