// Micro-benchmark of the prediction journal (issue 18). Build first: npx tsc -p tsconfig.build.json
// Usage: node bench/journal.mjs [turns] [shipRecords]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../dist/store/index.js';
import { Journal } from '../dist/store/prediction-log/journal.js';
import { Shipper } from '../dist/store/prediction-log/shipper.js';

const turns = Number(process.argv[2] ?? 20_000);
const shipRecords = Number(process.argv[3] ?? 200_000);
const PER_TURN = 16;
const requestJson = '{"tenure":12,"plan":"basic","monthly":70.35,"contract":"month-to-month","paperless":true}';
const responseJson = '{"prediction":"yes","probabilities":{"yes":0.73,"no":0.27}}';
let n = 0;
const record = () => ({ id: `01JBENCH${(n++).toString(36).padStart(10, '0')}`, model: 'churn', version: 3, timestamp: Date.now(), requestJson, responseJson, latencyMs: 0.21 });

/** Commits `turns` turns of 16 records, one per event-loop turn (so the group-commit timer runs), timing only add + commit. */
async function commitBench(sync, turnCount) {
  const dir = mkdtempSync(join(tmpdir(), 'hp-journal-bench-'));
  const journal = new Journal({ dir, sync, maxBytes: 2 ** 40 });
  let busy = 0n;
  const turnUs = new Float64Array(turnCount);
  for (let t = 0; t < turnCount; t++) {
    const records = Array.from({ length: PER_TURN }, record);
    const start = process.hrtime.bigint();
    for (const r of records) journal.add(r);
    journal.commit();
    const took = process.hrtime.bigint() - start;
    busy += took;
    turnUs[t] = Number(took) / 1000;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stats = { ...journal.stats(), bytesWritten: 0 };
  stats.bytesWritten = stats.bytes;
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  const perRecordUs = Number(busy) / 1000 / (turnCount * PER_TURN);
  turnUs.sort();
  const at = (q) => turnUs[Math.min(turnCount - 1, Math.floor(q * turnCount))];
  return { perRecordUs, perTurnUs: perRecordUs * PER_TURN, p50: at(0.5), p99: at(0.99), max: turnUs[turnCount - 1], fsyncs: stats.fsyncs, bytesPerRecord: stats.bytesWritten / stats.recordsWritten };
}

async function shipBench(count) {
  const dir = mkdtempSync(join(tmpdir(), 'hp-journal-bench-'));
  const journal = new Journal({ dir, sync: { everyMs: 100 }, maxBytes: 2 ** 40 });
  for (let i = 0; i < count; i++) {
    journal.add(record());
    if (i % PER_TURN === PER_TURN - 1) journal.commit();
  }
  journal.close();
  const store = await openStore({ uri: `sqlite:${join(dir, 'hp.db')}` });
  const shipper = new Shipper({ root: dir, log: store.predictions });
  const start = performance.now();
  const shipped = await shipper.shipAvailable();
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { shipped, seconds, recordsPerSecond: shipped / seconds };
}

const fmt = (x, d = 2) => x.toFixed(d);
const grouped = await commitBench({ everyMs: 100 }, turns);
console.log(`commit, 16 records/turn, sync every 100 ms: ${fmt(grouped.perRecordUs)} µs/record (turn: mean ${fmt(grouped.perTurnUs, 1)}, p50 ${fmt(grouped.p50, 1)}, p99 ${fmt(grouped.p99, 1)}, max ${fmt(grouped.max, 0)} µs), ${grouped.fsyncs} fsyncs, ${fmt(grouped.bytesPerRecord, 0)} B/record`);
const always = await commitBench('always', Math.max(1, Math.floor(turns / 10)));
console.log(`commit, 16 records/turn, sync always:       ${fmt(always.perRecordUs)} µs/record (turn: mean ${fmt(always.perTurnUs, 1)}, p50 ${fmt(always.p50, 1)}, p99 ${fmt(always.p99, 1)}, max ${fmt(always.max, 0)} µs), ${always.fsyncs} fsyncs`);
const ship = await shipBench(shipRecords);
console.log(`shipper into SQLite: ${ship.shipped} records in ${fmt(ship.seconds)} s = ${fmt(ship.recordsPerSecond, 0)} records/s`);
