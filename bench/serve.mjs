// Serving (issues 7 and 18), side by side in one run, one server at a time on this machine: `hyperplane
// serve` with the prediction log (the journal and its shipper thread) on and off; Node's bare http server
// answering a fixed body (the ceiling); Fastify alone answering a fixed object (the framework's own
// ceiling); our per-request work on bare http with no framework and no log; and a Palladium-style Flask app
// under gunicorn (2 workers) serving scikit-learn's HistGradientBoosting. Load: wrk -t1 -c16, one JSON row
// per request, after a warm-up run. Each server's CPU per request is summed over its threads (the shipper's
// included) and child processes. The single-row servers run in ROUNDS rounds (default 2), ratios within each.
// Then a 1,000-row batch beside bare http's floor for the same body, and the shipper's rate into SQLite and
// PostgreSQL (PG_URL, default postgres://root@127.0.0.1:5432/test; SKIP_PG=1 to leave it out).
// PAST_CAPACITY=1 adds `--workers 2` and 256/1,024 connections far past capacity.
//
//   npm run build && node bench/trees.mjs && node bench/serve.mjs     (needs wrk, gunicorn, python3-flask)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../dist/store/index.js';
import { Journal } from '../dist/store/prediction-log/journal.js';
import { Shipper } from '../dist/store/prediction-log/shipper.js';
import { timeOrderedId } from '../dist/serve/ids.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const cli = join(root, 'dist/cli/main.js');
const train = join(here, 'out', 'train-100k.csv');
const test = join(here, 'out', 'test-200k.csv');
if (!existsSync(train)) throw new Error('run node bench/trees.mjs first: it writes bench/out/train-100k.csv');
const seconds = Number(process.env.SECONDS_PER_RUN ?? 10);
const warmSeconds = Number(process.env.WARMUP_SECONDS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 2);
const work = mkdtempSync(join(tmpdir(), 'hyperplane-serve-bench-'));
const storeUri = `sqlite:${join(work, 'hyperplane.db')}`;
const env = { ...process.env, HYPERPLANE_STORE: storeUri };

// The model: 100 trees, 31 leaves, on 100k rows of the 28-feature synthetic data; registered as production.
const trained = JSON.parse(execFileSync(process.execPath, [cli, 'train', train, '--target', 'target', '--learner', 'gbdt', '--n-estimators', '100', '--num-leaves', '31', '--out', join(work, 'model'), '--json'], { env, encoding: 'utf8' }));
execFileSync(process.execPath, [cli, 'models', 'register', trained.run, '--name', 'bench', '--alias', 'production'], { env });
execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [join(here, 'serve', 'flask_app.py'), 'train', train]);

// One test row as a JSON object, and 1,000 of them for the batch request.
const lines = readFileSync(test, 'utf8').split('\n', 1002);
const header = lines[0].split(',');
const rowOf = (line) => Object.fromEntries(header.map((h, j) => [h, Number(line.split(',')[j])]).filter(([h]) => h !== 'target'));
const bodyFile = join(work, 'row.json');
const rowJson = JSON.stringify(rowOf(lines[1]));
writeFileSync(bodyFile, rowJson);
const batch = JSON.stringify({ rows: lines.slice(1, 1001).map(rowOf) });

const store = await openStore({ uri: storeUri });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until the server answers 200; returns how many 200s it gave (each a logged prediction for `serve`). */
async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: rowJson });
      await r.arrayBuffer();
      if (r.status === 200) return 1;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

function wrk(url, secs, connections = 16) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${secs}s`, '--latency', '-s', join(here, 'serve', 'post.lua'), url], { env: { ...process.env, BODY: bodyFile }, encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const ms = (m) => Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const timeouts = /timeout (\d+)/.exec(out);
  const total = Number(/(\d+) requests in/.exec(out)[1]);
  const non2xx = errors ? Number(errors[1]) : 0;
  return { rps, p50: ms(/50%\s+([\d.]+)(us|ms|s)/.exec(out)), p99: ms(/99%\s+([\d.]+)(us|ms|s)/.exec(out)), max: ms(/Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(out)), non2xx, timeouts: timeouts ? Number(timeouts[1]) : 0, total, ok: total - non2xx };
}

/**
 * CPU time (ticks of 10 ms, Linux's USER_HZ) used so far by a process and its descendants (gunicorn's
 * workers, the cluster's). A process's /proc/PID/stat counts all its threads: the shipper's, V8's, libuv's.
 */
function treeCpuTicks(rootPid) {
  const procs = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command name, which may itself hold spaces and parentheses.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {} // gone meanwhile
  }
  const tree = new Set([rootPid]);
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

/** Polls the store until it holds `expected` predictions, up to `limitMs`; the ms it took, or undefined and the count. */
async function storedWithin(expected, limitMs) {
  const t0 = performance.now();
  for (;;) {
    const n = await store.predictions.count();
    const took = performance.now() - t0;
    if (n >= expected) return { ms: took, count: n };
    if (took >= limitMs) return { ms: undefined, count: n };
    await sleep(20);
  }
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** One server alone: warm-up run, then the measured run; with `logs`, the store's count is checked after each. */
async function measure(name, start, url, { connections = 16, logs = false } = {}) {
  const base = logs ? await store.predictions.count() : 0;
  const child = start();
  try {
    let answered = await waitFor(url);
    const warm = wrk(url, warmSeconds, connections);
    answered += warm.ok;
    if (logs) await storedWithin(base + answered, 10_000); // the warm-up's records shipped before the CPU is read
    const before = treeCpuTicks(child.pid);
    const result = wrk(url, seconds, connections);
    answered += result.ok;
    // The shipper's work for the measured run is counted too: the CPU is read once the store has it all.
    const shipped = logs ? await storedWithin(base + answered, 2_000) : undefined;
    if (shipped !== undefined && shipped.ms === undefined) await storedWithin(base + answered, 30_000);
    const cpuUs = ((treeCpuTicks(child.pid) - before) * 10_000) / result.total;
    return { name, ...result, cpuUs, shipped: shipped && { ...shipped, missing: Math.max(0, base + answered - shipped.count) } };
  } finally {
    await stop(child);
  }
}

const node = (script, ...args) => () => spawn(process.execPath, [join(here, 'serve', script), ...args], { env, cwd: work, stdio: 'ignore' });
const serve = (...args) => () => spawn(process.execPath, [cli, 'serve', ...args], { env, cwd: work, stdio: 'ignore' });
const single = [
  ['bare', 'B  bare node http (fixed body)', node('bare.mjs', '18081'), 'http://127.0.0.1:18081/'],
  ['fastify', 'F  Fastify alone (fixed object)', node('fastify-fixed.mjs', '18085'), 'http://127.0.0.1:18085/'],
  ['raw', 'W  our work on bare http, no log', node('raw-predict.mjs', '18088', 'bench'), 'http://127.0.0.1:18088/'],
  ['noLog', '   hyperplane serve --no-log', serve('--port', '18089', '--no-log'), 'http://127.0.0.1:18089/v1/models/bench/predict'],
  ['ours', 'S  hyperplane serve (log on)', serve('--port', '18080'), 'http://127.0.0.1:18080/v1/models/bench/predict', true],
  ['explain', '   serve, log on, ?explain=3 (TreeSHAP)', serve('--port', '18086'), 'http://127.0.0.1:18086/v1/models/bench/predict?explain=3', true],
  ['flask', '   Flask + gunicorn -w 2 (sklearn HGB)', () => spawn('/usr/bin/gunicorn', ['-w', '2', '-b', '127.0.0.1:18082', '--chdir', join(here, 'serve'), 'flask_app:app'], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: 'ignore' }), 'http://127.0.0.1:18082/predict'],
];
const roundResults = [];
for (let round = 0; round < rounds; round++) {
  const r = {};
  for (const [key, name, start, url, logs] of single) r[key] = await measure(name, start, url, { logs });
  roundResults.push(r);
}

/** 150 1,000-row batch requests back to back; the last 50's times to the answer's last byte and the server's `ms`. */
async function timeBatches(url) {
  const ms = [];
  const serverMs = [];
  for (let i = 0; i < 150; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    const text = await r.text();
    const t1 = performance.now();
    const body = JSON.parse(text);
    if (body.predictions?.length !== 1000) throw new Error(`batch answer is short: ${text.slice(0, 200)}`);
    if (i >= 100) {
      ms.push(t1 - t0);
      serverMs.push(body.ms);
    }
  }
  return { ms: ms.sort((a, b) => a - b), serverMs: serverMs.sort((a, b) => a - b) };
}
async function batchOn(start, url) {
  const child = start();
  try {
    await waitFor(url);
    return await timeBatches(url);
  } finally {
    await stop(child);
  }
}
const batchTimes = await batchOn(serve('--port', '18080'), 'http://127.0.0.1:18080/v1/models/bench/predict');
const noLogTimes = await batchOn(serve('--port', '18089', '--no-log'), 'http://127.0.0.1:18089/v1/models/bench/predict');
const floorTimes = await batchOn(node('bare-batch.mjs', '18087'), 'http://127.0.0.1:18087/');

/**
 * The shipper's rate: SHIP_RECORDS records of this bench's row and a one-row answer journalled as the
 * server journals them (16 to a commit), then one shipper pass over the closed segments timed into a store:
 * what the shipper thread does, on the bench's own thread. The drain rate when the store comes back.
 */
const shipRecords = Number(process.env.SHIP_RECORDS ?? 200_000);
const responseJson = '{"prediction":"0","probabilities":{"0":0.9874477386252177,"1":0.012552261374782298}}';
async function shipRate(uri) {
  const dir = mkdtempSync(join(tmpdir(), 'hyperplane-ship-bench-'));
  try {
    const journal = new Journal({ dir, sync: { everyMs: 100 }, maxBytes: 2 ** 40 });
    const now = Date.now();
    for (let i = 0; i < shipRecords; i++) {
      journal.add({ id: timeOrderedId(now + i), model: 'bench', version: 1, timestamp: now + i, requestJson: rowJson, responseJson, latencyMs: 0.05 });
      if (i % 16 === 15) journal.commit();
    }
    journal.close();
    const target = await openStore({ uri });
    try {
      // As the shipper thread makes it: two segments at once into PostgreSQL.
      const shipper = new Shipper({ root: dir, log: target.predictions, concurrency: target.dialect === 'postgres' ? 2 : 1 });
      const t0 = performance.now();
      const shipped = await shipper.shipAvailable();
      const secs = (performance.now() - t0) / 1000;
      return { shipped, secs, rate: shipped / secs };
    } finally {
      await target.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const shipSqlite = await shipRate(`sqlite:${join(work, 'ship.db')}`);
let shipPg;
if (process.env.SKIP_PG !== '1') {
  const pgBase = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const schema = `bench_serve_${process.pid}`;
  try {
    shipPg = await shipRate(`${pgBase}?schema=${schema}`);
  } catch (e) {
    shipPg = { error: e instanceof Error ? e.message : String(e) };
  } finally {
    try {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: pgBase });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    } catch {}
  }
}

let workers2;
const overload = [];
if (process.env.PAST_CAPACITY === '1') {
  workers2 = await measure('hyperplane serve --workers 2 (log on)', serve('--port', '18083', '--workers', '2'), 'http://127.0.0.1:18083/v1/models/bench/predict');
  for (const connections of [256, 1024]) {
    overload.push(await measure(`--workers 2, ${connections} connections`, serve('--port', '18084', '--workers', '2', '--max-event-loop-delay-ms', '50'), 'http://127.0.0.1:18084/v1/models/bench/predict', { connections }));
  }
  overload.push(await measure('bare http, 1024 connections', node('bare.mjs', '18086'), 'http://127.0.0.1:18086/', { connections: 1024 }));
}
const logged = await store.predictions.count();
await store.close();
rmSync(work, { recursive: true, force: true });

const f = (x, d = 2) => x.toFixed(d);
const line = (r) => `  ${r.name.padEnd(40)} ${f(r.rps, 0).padStart(7)} req/s   p50 ${f(r.p50)} ms   p99 ${f(r.p99)} ms   CPU ${f(r.cpuUs, 1).padStart(6)} µs/req${r.non2xx > 0 ? `   non-2xx ${r.non2xx}` : ''}`;
const met = (ok) => (ok ? 'met' : 'NOT met');
console.log(`one JSON row per request, wrk -t1 -c16 -d${seconds}s after a ${warmSeconds} s warm-up, ${rounds} rounds; CPU = the server's threads and children`);
const bars = [];
roundResults.forEach((r, i) => {
  console.log(` round ${i + 1}`);
  for (const [key] of single) console.log(line(r[key]));
  const logCost = r.ours.rps / r.noLog.rps;
  const overheadFloor = r.fastify.cpuUs + r.raw.cpuUs - r.bare.cpuUs;
  const overhead = r.ours.cpuUs / overheadFloor;
  const flask = r.ours.rps / r.flask.rps;
  const s = r.ours.shipped;
  const shippedOk = s.ms !== undefined;
  bars.push({ logCost, overhead, flask, p99: r.ours.p99, shippedOk });
  console.log(`  log cost: S / --no-log ${f(logCost)}× (bar ≥ 0.90: ${met(logCost >= 0.9)}); shipper kept up: ${shippedOk ? `all ${r.ours.ok.toLocaleString('en-US')} answered in the store ${f(s.ms, 0)} ms after wrk ended` : `${s.missing.toLocaleString('en-US')} of the answered not in the store 2 s after wrk ended`} (${met(shippedOk)})`);
  console.log(`  overhead: S ${f(r.ours.cpuUs, 1)} µs ≤ 1.15 × (F ${f(r.fastify.cpuUs, 1)} + W ${f(r.raw.cpuUs, 1)} − B ${f(r.bare.cpuUs, 1)} = ${f(overheadFloor, 1)}) = ${f(1.15 * overheadFloor, 1)} µs? S / (F + W − B) ${f(overhead)}× (${met(overhead <= 1.15)})`);
  // The work explain adds to one request is its CPU; at 16 connections the median latency grows by about 16 times that (queueing).
  console.log(`  ?explain=3: CPU +${f(r.explain.cpuUs - r.ours.cpuUs, 1)} µs a request (bar ≤ 50 µs: ${met(r.explain.cpuUs - r.ours.cpuUs <= 50)}); ${f(r.explain.rps, 0)} req/s, p50 ${f(r.explain.p50)} ms (S ${f(r.ours.p50)} ms)`);
  console.log(`  S / Flask ${f(flask, 1)}× (bar ≥ 12: ${met(flask >= 12)}); S p99 ${f(r.ours.p99)} ms (bar ≤ 5: ${met(r.ours.p99 <= 5)}); ceiling: S / bare ${f(r.ours.rps / r.bare.rps)}× in req/s, in CPU ${f(r.ours.cpuUs / r.bare.cpuUs)}× bare's; --no-log / bare ${f(r.noLog.rps / r.bare.rps)}×, F / bare ${f(r.fastify.rps / r.bare.rps)}×, W / bare ${f(r.raw.rps / r.bare.rps)}×`);
});
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
console.log(`1,000-row batch, log on, to the answer's last byte: median ${f(pct(batchTimes.ms, 0.5), 1)} ms, p90 ${f(pct(batchTimes.ms, 0.9), 1)} ms; the server's own time (its ms): median ${f(pct(batchTimes.serverMs, 0.5), 1)} ms (50 back-to-back requests after 100)`);
console.log(`  --no-log: median ${f(pct(noLogTimes.ms, 0.5), 1)} ms, p90 ${f(pct(noLogTimes.ms, 0.9), 1)} ms (server's own ${f(pct(noLogTimes.serverMs, 0.5), 1)} ms)`);
console.log(`  the floor, bare http reading and parsing the same body and answering a fixed 1,000-answer body: median ${f(pct(floorTimes.ms, 0.5), 1)} ms, p90 ${f(pct(floorTimes.ms, 0.9), 1)} ms`);
const answering = Math.max(...roundResults.map((r) => r.ours.rps));
const shipLine = (name, s) => (s === undefined ? '' : s.error !== undefined ? `  into ${name}: not measured (${s.error})` : `  into ${name}: ${s.shipped.toLocaleString('en-US')} records in ${f(s.secs)} s = ${f(s.rate, 0)} records/s = ${f(s.rate / answering, 1)}× one server's best answering rate here (bar ≥ 5: ${met(s.rate >= 5 * answering)})`);
console.log(`shipper, one pass over ${shipRecords.toLocaleString('en-US')} journalled records (the drain after the store was away):`);
console.log(shipLine('SQLite', shipSqlite));
if (shipPg !== undefined) console.log(shipLine('PostgreSQL (COPY)', shipPg));
const span = (k, d = 2) => `${f(Math.min(...bars.map((b) => b[k])), d)}–${f(Math.max(...bars.map((b) => b[k])), d)}`;
console.log(`over the rounds: log cost ${span('logCost')}×, S / (F + W − B) ${span('overhead')}×, S / Flask ${span('flask', 1)}×, p99 ${span('p99')} ms, shipper kept up in ${bars.filter((b) => b.shippedOk).length} of ${bars.length}`);
if (workers2 !== undefined) {
  console.log(line(workers2));
  console.log('past capacity (wrk -t1, 2 s timeout):');
  for (const r of overload) console.log(`  ${r.name.padEnd(40)} ${f(r.rps, 0).padStart(7)} answers/s   p50 ${f(r.p50, 1)} ms   p99 ${f(r.p99, 1)} ms   max ${f(r.max, 0)} ms   503s ${r.non2xx.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')}   timeouts ${r.timeouts}`);
}
console.log(`prediction log: ${logged.toLocaleString('en-US')} predictions stored in all`);
