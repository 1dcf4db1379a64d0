// Shipper throughput into each store (issue 18): journal records, then time shipAvailable() loading them.
// Build first: npx tsc -p tsconfig.build.json
// Usage: [ROW=wide] node bench/ship.mjs [records] [postgres URL]   (URL default: $HYPERPLANE_TEST_PG, then postgres://postgres@127.0.0.1:5432/test)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../dist/store/index.js';
import { Journal } from '../dist/store/prediction-log/journal.js';
import { Shipper } from '../dist/store/prediction-log/shipper.js';

const count = Number(process.argv[2] ?? 200_000);
const pgUrl = process.argv[3] ?? process.env.HYPERPLANE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
// ROW=wide: the serving bench's row (28 features), whose request text is ~7× longer.
const requestJson =
  process.env.ROW === 'wide'
    ? JSON.stringify(Object.fromEntries(Array.from({ length: 28 }, (_, j) => [`f${j}`, Number((Math.sin(j * 7.3) * 2).toFixed(4))])))
    : '{"tenure":12,"plan":"basic","monthly":70.35,"contract":"month-to-month","paperless":true}';
const responseJson = '{"prediction":"yes","probabilities":{"yes":0.73,"no":0.27}}';
let n = 0;
const record = () => ({ id: `01JBENCH${(n++).toString(36).padStart(10, '0')}`, model: 'churn', version: 3, timestamp: Date.now(), requestJson, responseJson, latencyMs: 0.21, arm: 'churn/3' });

/** Journals `count` records in a fresh directory and ships them into the store at `uri`; returns records/s. */
async function ship(uri) {
  const dir = mkdtempSync(join(tmpdir(), 'hp-ship-bench-'));
  try {
    const journal = new Journal({ dir, sync: { everyMs: 100 }, maxBytes: 2 ** 40 });
    for (let i = 0; i < count; i++) {
      journal.add(record());
      if (i % 16 === 15) journal.commit();
    }
    journal.close();
    const store = await openStore({ uri: uri ?? `sqlite:${join(dir, 'hp.db')}` });
    try {
      // As the shipper thread makes it: two segments at once into PostgreSQL.
      const shipper = new Shipper({ root: dir, log: store.predictions, concurrency: store.dialect === 'postgres' ? 2 : 1 });
      const start = performance.now();
      const shipped = await shipper.shipAvailable();
      const seconds = (performance.now() - start) / 1000;
      const stored = await store.predictions.count();
      if (stored !== shipped) throw new Error(`shipped ${shipped} but the store holds ${stored}`);
      return { shipped, seconds };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const report = (name, { shipped, seconds }) => console.log(`shipper into ${name}: ${shipped} records in ${seconds.toFixed(2)} s = ${Math.round(shipped / seconds)} records/s`);

report('SQLite', await ship(undefined));
const schema = `bench_ship_${process.pid}`;
try {
  report('PostgreSQL', await ship(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`));
} finally {
  await dropSchema(schema);
}
