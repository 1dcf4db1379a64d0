// Serving (issue 7), side by side in one run, one server at a time on this machine: `hyperplane serve`
// with the prediction log on, Node's bare http server answering a fixed body (the ceiling), and a
// Palladium-style Flask app under gunicorn (2 workers) serving scikit-learn's HistGradientBoosting.
// Load: wrk -t1 -c16 -d10s, one JSON row per request. Also Fastify answering a fixed body (the framework's
// own ceiling), our per-request work on bare http with no framework and no log (a diagnostic: how much
// of the ceiling is left once the work is done), a 1,000-row batch request's latency beside bare http's
// for the same body (the floor), and `--workers 2` far past capacity. The single-row servers run in
// ROUNDS rounds (default 2), ratios taken within each.
//
//   npm run build && node bench/trees.mjs && node bench/serve.mjs     (needs wrk, gunicorn, python3-flask)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(out);
  const total = Number(/(\d+) requests in/.exec(out)[1]);
  return { rps, p50: ms(p50), p99: ms(p99), max: ms(max), non2xx: errors ? Number(errors[1]) : 0, timeouts: timeouts ? Number(timeouts[1]) : 0, total };
}

/**
 * CPU time (ticks of 10 ms, Linux's USER_HZ) used so far by a process and its descendants (gunicorn's
 * and the cluster's workers; threads are counted with their process). Throughput on this shared 2-core
 * host drifts by half within the hour; the CPU a request costs the server drifts much less, and says
 * whether a server is bound by its own work or by the client.
 */
function treeCpuTicks(root) {
  const procs = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command name, which may itself hold spaces and parentheses.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {} // gone meanwhile
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (tree.has(p.pid) || !tree.has(p.ppid)) continue;
      tree.add(p.pid);
      grew = true;
    }
  }
  return procs.reduce((sum, p) => sum + (tree.has(p.pid) ? p.ticks : 0), 0);
}

async function measure(name, start, url, connections = 16) {
  const child = start();
  try {
    await waitFor(url);
    wrk(url, connections); // warm-up, discarded
    const before = treeCpuTicks(child.pid);
    const result = wrk(url, connections);
    const cpuUs = ((treeCpuTicks(child.pid) - before) * 10_000) / result.total;
    return { name, ...result, cpuUs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

// The single-row servers, measured in rounds, each round all of them one after another: this host's
// speed drifts by half within the hour, so a ratio is taken within a round, and the rounds show the spread.
const rounds = Number(process.env.ROUNDS ?? 2);
const single = [
  ['bare', 'bare node http (fixed body)', () => spawn(process.execPath, [join(here, 'serve', 'bare.mjs'), '18081'], { stdio: 'ignore' }), 'http://127.0.0.1:18081/'],
  ['fastify', 'Fastify alone (fixed body)', () => spawn(process.execPath, [join(here, 'serve', 'fastify-fixed.mjs'), '18085'], { stdio: 'ignore' }), 'http://127.0.0.1:18085/'],
  ['raw', 'our work on bare http, no log', () => spawn(process.execPath, [join(here, 'serve', 'raw-predict.mjs'), '18088', 'bench'], { env, cwd: work, stdio: 'ignore' }), 'http://127.0.0.1:18088/'],
  ['rawLog', 'our work on bare http, log on', () => spawn(process.execPath, [join(here, 'serve', 'raw-predict.mjs'), '18078', 'bench', 'log'], { env, cwd: work, stdio: 'ignore' }), 'http://127.0.0.1:18078/'],
  ['ours', 'hyperplane serve (log on)', () => spawn(process.execPath, [cli, 'serve', '--port', '18080'], { env, cwd: work, stdio: 'ignore' }), 'http://127.0.0.1:18080/v1/models/bench/predict'],
  ['flask', 'Flask + gunicorn -w 2 (sklearn HGB)', () => spawn('/usr/bin/gunicorn', ['-w', '2', '-b', '127.0.0.1:18082', '--chdir', join(here, 'serve'), 'flask_app:app'], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: 'ignore' }), 'http://127.0.0.1:18082/predict'],
];
const roundResults = [];
for (let round = 0; round < rounds; round++) {
  const r = {};
  for (const [key, name, start, url] of single) r[key] = await measure(name, start, url);
  roundResults.push(r);
}
let logged = 0;
/**
 * A 1,000-row batch request's time to the answer's last byte (the client's JSON.parse left out), after 100
 * to warm the server: back to back, or `gapMs` apart (one request's latency, with the log's inserts of
 * the last batch done: back to back, 60–100k rows a second are logged, and on two cores those inserts
 * share the CPU with the next request and this client).
 */
async function timeBatches(url, gapMs = 0) {
  const ms = [];
  const serverMs = [];
  for (let i = 0; i < 150; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    const text = await r.text();
    const t1 = performance.now();
    const body = JSON.parse(text);
    if (body.predictions.length !== 1000) throw new Error('batch answer is short');
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    if (i >= 100) {
      ms.push(t1 - t0);
      serverMs.push(body.ms);
    }
  }
  return { ms: ms.sort((a, b) => a - b), serverMs: serverMs.sort((a, b) => a - b) };
}

// The batch request, and the log count, on a fresh server; then the same client against the floor.
let batchTimes;
let spacedTimes;
let floorTimes;
let noLogTimes;
{
  const child = spawn(process.execPath, [cli, 'serve', '--port', '18080'], { env, cwd: work, stdio: 'ignore' });
  await waitFor('http://127.0.0.1:18080/v1/models/bench/predict');
  // Spaced first: after 150 back-to-back batches the writer is still replaying what it spilled meanwhile.
  spacedTimes = await timeBatches('http://127.0.0.1:18080/v1/models/bench/predict', 100);
  batchTimes = await timeBatches('http://127.0.0.1:18080/v1/models/bench/predict');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const { openStore } = await import('../dist/store/index.js');
  const store = await openStore({ uri: env.HYPERPLANE_STORE });
  logged = await store.predictions.count();
  await store.close();
  // The same without the log: its inserts (~10 µs a row on the log's thread) share this machine's two cores with the requests.
  const unlogged = spawn(process.execPath, [cli, 'serve', '--port', '18089', '--no-log'], { env, cwd: work, stdio: 'ignore' });
  await waitFor('http://127.0.0.1:18089/v1/models/bench/predict');
  noLogTimes = await timeBatches('http://127.0.0.1:18089/v1/models/bench/predict');
  unlogged.kill('SIGTERM');
  await new Promise((r) => unlogged.once('exit', r));
  const floor = spawn(process.execPath, [join(here, 'serve', 'bare-batch.mjs'), '18087'], { stdio: 'ignore' });
  await waitFor('http://127.0.0.1:18087/');
  floorTimes = await timeBatches('http://127.0.0.1:18087/');
  floor.kill('SIGTERM');
  await new Promise((r) => floor.once('exit', r));
}
const workers2 = await measure(
  'hyperplane serve --workers 2 (log on)',
  () => spawn(process.execPath, [cli, 'serve', '--port', '18083', '--workers', '2'], { env, cwd: work, stdio: 'ignore' }),
  'http://127.0.0.1:18083/v1/models/bench/predict',
);
// Far past capacity: 256 and 1,024 connections (16× and 64× the load above) against 2 workers that shed
// load past 50 ms of event-loop delay; and bare http at 1,024 connections, to show this machine's own limit.
const overloadArgs = ['serve', '--port', '18084', '--workers', '2', '--max-event-loop-delay-ms', '50'];
const overload = [];
for (const connections of [256, 1024]) {
  overload.push(await measure(`--workers 2, ${connections} connections`, () => spawn(process.execPath, [cli, ...overloadArgs], { env, cwd: work, stdio: 'ignore' }), 'http://127.0.0.1:18084/v1/models/bench/predict', connections));
}
overload.push(await measure('bare http, 1024 connections', () => spawn(process.execPath, [join(here, 'serve', 'bare.mjs'), '18086'], { stdio: 'ignore' }), 'http://127.0.0.1:18086/', 1024));
rmSync(work, { recursive: true, force: true });

const line = (r) => `  ${r.name.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   server CPU ${r.cpuUs.toFixed(0).padStart(4)} µs/req${r.non2xx > 0 ? `   non-2xx ${r.non2xx}` : ''}`;
const ratios = (r) => ({ bare: r.ours.rps / r.bare.rps, flask: r.ours.rps / r.flask.rps, fastify: r.ours.rps / r.fastify.rps, fastifyBare: r.fastify.rps / r.bare.rps, rawBare: r.raw.rps / r.bare.rps, rawLogBare: r.rawLog.rps / r.bare.rps });
// A server whose CPU a request costs more than 1/0.6 of bare http's can't reach 60% of its throughput when both are CPU-bound.
const cpuRatios = (r) => ['fastify', 'raw', 'rawLog', 'ours', 'flask'].map((k) => `${k} ${(r[k].cpuUs / r.bare.cpuUs).toFixed(2)}×`).join(', ');
console.log(`one JSON row per request, wrk -t1 -c16 -d${seconds}s (after a warm-up run), ${rounds} rounds`);
roundResults.forEach((r, i) => {
  console.log(` round ${i + 1}`);
  for (const key of ['bare', 'fastify', 'raw', 'rawLog', 'ours', 'flask']) console.log(line(r[key]));
  const q = ratios(r);
  console.log(`  ours / bare ${q.bare.toFixed(2)}×   ours / Flask ${q.flask.toFixed(1)}×   ours / Fastify alone ${q.fastify.toFixed(2)}×   Fastify alone / bare ${q.fastifyBare.toFixed(2)}×   our work on bare http / bare ${q.rawBare.toFixed(2)}× (log on ${q.rawLogBare.toFixed(2)}×)`);
  console.log(`  server CPU per request / bare http's: ${cpuRatios(r)}`);
});
const span = (f, digits) => {
  const v = roundResults.map((r) => f(ratios(r)));
  return `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}×`;
};
console.log(`  over the rounds: ours / bare ${span((q) => q.bare, 2)}, ours / Flask ${span((q) => q.flask, 1)}, Fastify alone / bare ${span((q) => q.fastifyBare, 2)}, our work on bare http / bare ${span((q) => q.rawBare, 2)} (log on ${span((q) => q.rawLogBare, 2)})`);
const ours = roundResults[roundResults.length - 1].ours;
const flask = roundResults[roundResults.length - 1].flask;
const bare = roundResults[roundResults.length - 1].bare;
console.log(`${line(workers2)}   (${(workers2.rps / ours.rps).toFixed(2)}× one worker; / bare ${(workers2.rps / bare.rps).toFixed(2)}×, / Flask ${(workers2.rps / flask.rps).toFixed(1)}×)`);
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
console.log(`1,000-row batch request, to the answer's last byte: median ${pct(batchTimes.ms, 0.5).toFixed(1)} ms, p90 ${pct(batchTimes.ms, 0.9).toFixed(1)} ms (50 requests after 100 to warm up; the server's own time, validate to answer: median ${pct(batchTimes.serverMs, 0.5).toFixed(1)} ms)`);
console.log(`  log on, one request every 100 ms: median ${pct(spacedTimes.ms, 0.5).toFixed(1)} ms, p90 ${pct(spacedTimes.ms, 0.9).toFixed(1)} ms (server's own time ${pct(spacedTimes.serverMs, 0.5).toFixed(1)} ms)`);
console.log(`  the same with --no-log: median ${pct(noLogTimes.ms, 0.5).toFixed(1)} ms, p90 ${pct(noLogTimes.ms, 0.9).toFixed(1)} ms (server's own time ${pct(noLogTimes.serverMs, 0.5).toFixed(1)} ms)`);
console.log(`  the floor, bare http reading and parsing the same body and answering a fixed 1,000-answer body: median ${pct(floorTimes.ms, 0.5).toFixed(1)} ms, p90 ${pct(floorTimes.ms, 0.9).toFixed(1)} ms`);
console.log('past capacity (wrk -t1, 2 s timeout):');
for (const r of overload) console.log(`  ${r.name.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} answers/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   max ${r.max.toFixed(0)} ms   503s ${r.non2xx.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')}   timeouts ${r.timeouts}`);
console.log(`prediction log: ${logged.toLocaleString('en-US')} predictions stored in all (the wrk runs and the 300 batches of 1,000)`);
