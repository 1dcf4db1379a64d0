// Serving (issue 7), side by side in one run, one server at a time on this machine: `hyperplane serve`
// with the prediction log on, Node's bare http server answering a fixed body (the ceiling), and a
// Palladium-style Flask app under gunicorn (2 workers) serving scikit-learn's HistGradientBoosting.
// Load: wrk -t1 -c16 -d10s, one JSON row per request. Also: a 1,000-row batch request's latency.
//
//   npm run build && node bench/trees.mjs && node bench/serve.mjs     (needs wrk, gunicorn, python3-flask)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const cli = join(root, 'dist/cli/main.js');
const train = join(here, 'out', 'train-100k.csv');
const test = join(here, 'out', 'test-200k.csv');
if (!existsSync(train)) throw new Error('run node bench/trees.mjs first: it writes bench/out/train-100k.csv');
const seconds = Number(process.env.SECONDS_PER_RUN ?? 10);
const work = mkdtempSync(join(tmpdir(), 'hyperplane-serve-bench-'));
const env = { ...process.env, HYPERPLANE_STORE: `sqlite:${join(work, 'hyperplane.db')}` };

// The model: 100 trees, 31 leaves, on 100k rows of the 28-feature synthetic data; registered as production.
const trained = JSON.parse(execFileSync(process.execPath, [cli, 'train', train, '--target', 'target', '--learner', 'gbdt', '--n-estimators', '100', '--num-leaves', '31', '--out', join(work, 'model'), '--json'], { env, encoding: 'utf8' }));
execFileSync(process.execPath, [cli, 'models', 'register', trained.run, '--name', 'bench', '--alias', 'production'], { env });
execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [join(here, 'serve', 'flask_app.py'), 'train', train]);

// One test row as a JSON object, and 1,000 of them for the batch request.
const lines = readFileSync(test, 'utf8').split('\n', 1002);
const header = lines[0].split(',');
const rowOf = (line) => Object.fromEntries(header.map((h, j) => [h, Number(line.split(',')[j])]).filter(([h]) => h !== 'target'));
const bodyFile = join(work, 'row.json');
writeFileSync(bodyFile, JSON.stringify(rowOf(lines[1])));
const batch = JSON.stringify({ rows: lines.slice(1, 1001).map(rowOf) });

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(bodyFile) });
      if (r.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function wrk(url, connections = 16) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', join(here, 'serve', 'post.lua'), url], { env: { ...process.env, BODY: bodyFile }, encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const ms = (m) => Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const timeouts = /timeout (\d+)/.exec(out);
  const total = Number(/(\d+) requests in/.exec(out)[1]);
  return { rps, p50: ms(p50), p99: ms(p99), non2xx: errors ? Number(errors[1]) : 0, timeouts: timeouts ? Number(timeouts[1]) : 0, total };
}

async function measure(name, start, url, connections = 16) {
  const child = start();
  try {
    await waitFor(url);
    wrk(url, connections); // warm-up, discarded
    return { name, ...wrk(url, connections) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const results = [];
results.push(await measure('bare node http (fixed body)', () => spawn(process.execPath, [join(here, 'serve', 'bare.mjs'), '18081'], { stdio: 'ignore' }), 'http://127.0.0.1:18081/'));
let batchMs = [];
let logged = 0;
results.push(
  await measure(
    'hyperplane serve (log on)',
    () => spawn(process.execPath, [cli, 'serve', '--port', '18080'], { env, cwd: work, stdio: 'ignore' }),
    'http://127.0.0.1:18080/v1/models/bench/predict',
  ).then(async (r) => r),
);
// The batch request, and the log count, on a fresh server.
{
  const child = spawn(process.execPath, [cli, 'serve', '--port', '18080'], { env, cwd: work, stdio: 'ignore' });
  await waitFor('http://127.0.0.1:18080/v1/models/bench/predict');
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const r = await fetch('http://127.0.0.1:18080/v1/models/bench/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    const body = await r.json();
    if (body.predictions.length !== 1000) throw new Error('batch answer is short');
    batchMs.push(performance.now() - t0);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const { openStore } = await import('../dist/store/index.js');
  const store = await openStore({ uri: env.HYPERPLANE_STORE });
  logged = await store.predictions.count();
  await store.close();
}
results.push(
  await measure(
    'Flask + gunicorn -w 2 (sklearn HGB)',
    () => spawn('/usr/bin/gunicorn', ['-w', '2', '-b', '127.0.0.1:18082', '--chdir', join(here, 'serve'), 'flask_app:app'], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: 'ignore' }),
    'http://127.0.0.1:18082/predict',
  ),
);
const workers2 = await measure(
  'hyperplane serve --workers 2 (log on)',
  () => spawn(process.execPath, [cli, 'serve', '--port', '18083', '--workers', '2'], { env, cwd: work, stdio: 'ignore' }),
  'http://127.0.0.1:18083/v1/models/bench/predict',
);
// Past capacity: 256 connections against 2 workers that take 32 requests in flight each.
const overload = await measure(
  'overload: --workers 2 --max-in-flight 32, 256 conns',
  () => spawn(process.execPath, [cli, 'serve', '--port', '18084', '--workers', '2', '--max-in-flight', '32'], { env, cwd: work, stdio: 'ignore' }),
  'http://127.0.0.1:18084/v1/models/bench/predict',
  256,
);
rmSync(work, { recursive: true, force: true });

const [bare, ours, flask] = results;
console.log(`one JSON row per request, wrk -t1 -c16 -d${seconds}s (after a warm-up run)`);
for (const r of results) console.log(`  ${r.name.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms${r.non2xx > 0 ? `   non-2xx ${r.non2xx}` : ''}`);
console.log(`  ours / bare ${(ours.rps / bare.rps).toFixed(2)}×   ours / Flask ${(ours.rps / flask.rps).toFixed(1)}×`);
console.log(`  ${workers2.name.padEnd(38)} ${workers2.rps.toFixed(0).padStart(7)} req/s   p50 ${workers2.p50.toFixed(2)} ms   p99 ${workers2.p99.toFixed(2)} ms   (${(workers2.rps / ours.rps).toFixed(2)}× one worker; / bare ${(workers2.rps / bare.rps).toFixed(2)}×, / Flask ${(workers2.rps / flask.rps).toFixed(1)}×)`);
console.log(`  ${overload.name.padEnd(38)} ${overload.rps.toFixed(0).padStart(7)} answers/s   p99 ${overload.p99.toFixed(2)} ms   503s ${overload.non2xx.toLocaleString('en-US')} of ${overload.total.toLocaleString('en-US')}   timeouts ${overload.timeouts}`);
batchMs.sort((a, b) => a - b);
console.log(`1,000-row batch request: median ${batchMs[20].toFixed(1)} ms, p90 ${batchMs[36].toFixed(1)} ms (40 requests, client-side, JSON in and out)`);
console.log(`prediction log: ${logged.toLocaleString("en-US")} predictions stored in all (the wrk runs and the 40 batches of 1,000)`);
