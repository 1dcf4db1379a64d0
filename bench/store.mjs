// Tracking at scale (issue 6): `hyperplane runs list` over 10,000 runs, filtered by a metric and sorted,
// on the SQLite default and on PostgreSQL — the query MLflow users find slow with many runs. Each
// command is the whole process (start, open, query, print): what a user waits for.
//
//   npm run build && node bench/store.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../dist/store/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(dirname(here), 'dist/cli/main.js');
const RUNS = 10_000;

function runs() {
  return Array.from({ length: RUNS }, (_, i) => ({
    experiment: i % 4 === 0 ? 'churn' : 'fraud',
    params: { learner: i % 3 === 0 ? 'gbdt' : 'logistic', num_leaves: 15 + (i % 50) },
    tags: { target: 'label', team: i % 2 === 0 ? 'risk' : 'growth' },
    seed: i,
    metrics: [{ name: 'auc', value: 0.8 + ((i * 7919) % 2000) / 10_000 }, { name: 'log_loss', value: 0.2 + ((i * 104729) % 1000) / 5000 }],
    status: 'finished',
    startTime: Date.now() - (RUNS - i) * 60_000,
    endTime: Date.now() - (RUNS - i) * 60_000 + 30_000,
  }));
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, uri, cleanup) {
  const store = await openStore({ uri });
  let t0 = performance.now();
  await store.tracking.importRuns(runs());
  const importMs = performance.now() - t0;
  const queries = {
    'latest 20': ['runs', 'list', '--limit', '20'],
    'auc > 0.95, best first': ['runs', 'list', '--where', 'auc > 0.95', '--sort', '-auc', '--limit', '20'],
    'tag + experiment + metric': ['runs', 'list', '--experiment', 'churn', '--tag', 'team=risk', '--where', 'log_loss < 0.3', '--limit', '20'],
  };
  console.log(`${label}: ${RUNS.toLocaleString('en-US')} runs imported in ${(importMs / 1000).toFixed(2)} s`);
  for (const [name, args] of Object.entries(queries)) {
    const times = [];
    for (let k = 0; k < 5; k++) {
      t0 = performance.now();
      execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, HYPERPLANE_STORE: uri }, stdio: ['ignore', 'ignore', 'inherit'] });
      times.push(performance.now() - t0);
    }
    const lib = [];
    const query = name === 'latest 20' ? { limit: 20 } : name.startsWith('auc') ? { metrics: [{ metric: 'auc', op: '>', value: 0.95 }], orderBy: { by: 'metric', metric: 'auc', direction: 'desc' }, limit: 20 } : { experiment: 'churn', tags: { team: 'risk' }, metrics: [{ metric: 'log_loss', op: '<', value: 0.3 }], limit: 20 };
    for (let k = 0; k < 20; k++) {
      t0 = performance.now();
      await store.tracking.listRuns(query);
      lib.push(performance.now() - t0);
    }
    console.log(`  ${name.padEnd(28)} command ${median(times).toFixed(0).padStart(4)} ms (median of 5)   query ${median(lib).toFixed(1).padStart(5)} ms (median of 20)`);
  }
  // What the command costs before its query: Node and the runs command's own modules (a bare --help loads every command).
  const start = (args) => {
    const t = performance.now();
    execFileSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
    return performance.now() - t;
  };
  console.log(`  (starts: \`hyperplane runs --help\` ${start(['runs', '--help']).toFixed(0)} ms, a bare \`hyperplane --help\` ${start(['--help']).toFixed(0)} ms)`);
  await store.close();
  await cleanup();
}

const dir = mkdtempSync(join(tmpdir(), 'hyperplane-store-bench-'));
await measure('SQLite', `sqlite:${join(dir, 'hyperplane.db')}`, () => rmSync(dir, { recursive: true, force: true }));
const schema = `bench_${process.pid}`;
const pgBase = process.env.HYPERPLANE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
await measure('PostgreSQL', `${pgBase}?schema=${schema}`, async () => {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  await client.query(`drop schema ${schema} cascade`);
  await client.end();
});
