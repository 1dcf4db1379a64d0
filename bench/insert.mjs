// PredictionLog.insert() alone, in the shipper's 5,000-record batches (issue 18): SQLite's prepared
// statement, and on PostgreSQL COPY beside the multi-row INSERT path, in one run so the same load applies.
// Build first: npx tsc -p tsconfig.build.json
// Usage: node bench/insert.mjs [records] [postgres URL]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../dist/store/index.js';
import { SqlPredictionLog } from '../dist/store/sql/predictions.js';

const count = Number(process.argv[2] ?? 200_000);
const pgUrl = process.argv[3] ?? process.env.HYPERPLANE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 5_000;
const requestJson = '{"tenure":12,"plan":"basic","monthly":70.35,"contract":"month-to-month","paperless":true}';
const responseJson = '{"prediction":"yes","probabilities":{"yes":0.73,"no":0.27}}';
const records = (prefix) =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i.toString(36).padStart(10, '0')}`, model: 'churn', version: 3, timestamp: 1_700_000_000_000 + i, requestJson, responseJson, latencyMs: 0.21, arm: 'churn/3' }));

async function timeInserts(name, log, batch) {
  const start = performance.now();
  for (let i = 0; i < batch.length; i += BATCH) await log.insert(batch.slice(i, i + BATCH));
  const seconds = (performance.now() - start) / 1000;
  console.log(`insert() into ${name}: ${batch.length} records in ${seconds.toFixed(2)} s = ${Math.round(batch.length / seconds)} records/s`);
}

const dir = mkdtempSync(join(tmpdir(), 'hp-insert-bench-'));
try {
  const sqlite = await openStore({ uri: `sqlite:${join(dir, 'hp.db')}` });
  await timeInserts('SQLite', sqlite.predictions, records('s'));
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `bench_insert_${process.pid}`;
const store = await openStore({ uri: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}` });
try {
  await timeInserts('PostgreSQL, COPY', store.predictions, records('c'));
  // Without the COPY loader: the multi-row INSERT path every batch took before.
  await timeInserts('PostgreSQL, INSERT', new SqlPredictionLog(store.db), records('i'));
} finally {
  await store.db.schema.dropSchema(schema).cascade().execute();
  await store.close();
}
