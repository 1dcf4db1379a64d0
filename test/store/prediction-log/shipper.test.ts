import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../../src/errors.js';
import type { PredictionLog, PredictionRecord, SqlStore } from '../../../src/store/index.js';
import { Journal } from '../../../src/store/prediction-log/journal.js';
import { encodeHeader, encodeRecords } from '../../../src/store/prediction-log/record-format.js';
import { Shipper, type ShipFold } from '../../../src/store/prediction-log/shipper.js';
import { tempDir } from '../../helpers.js';
import { PG_URL, postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from '../harness.js';
import { prediction, sleep } from './fixtures.js';

/** A pid that is certainly not running: a child that has exited and been reaped. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

const allIds = async (store: SqlStore): Promise<string[]> => (await store.predictions.list({ limit: 100_000 })).predictions.map((p) => p.id).sort();
const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

/** A dead writer's journal directory: closed segments of `closed` ids, then an `.open` one with `open` ids and half a record. */
function orphanDir(root: string, pid: number, closed: string[][], open: string[]): string {
  const dir = join(root, `${pid}-${Date.now() - 60_000}`);
  mkdirSync(dir, { recursive: true });
  closed.forEach((ids, i) => writeFileSync(join(dir, `${String(i + 1).padStart(6, '0')}.seg`), Buffer.concat([encodeHeader(pid, Date.now() - 60_000), encodeRecords(ids.map((id) => prediction(id)))])));
  const torn = encodeRecords([prediction('never-finished')]);
  const openBytes = Buffer.concat([encodeHeader(pid, Date.now()), encodeRecords(open.map((id) => prediction(id))), torn.subarray(0, torn.length - 7)]);
  writeFileSync(join(dir, `${String(closed.length + 1).padStart(6, '0')}.open`), openBytes);
  return dir;
}

function shippingSuite(harness: StoreHarness): void {
  describe(`Shipper into ${harness.name}`, () => {
    afterAll(() => harness.dispose());
    const withStore = async (body: (store: SqlStore, root: string) => Promise<void>): Promise<void> => {
      const store = await (await harness.fresh()).open();
      try {
        await body(store, tempDir('hyperplane-journal-'));
      } finally {
        await store.close();
      }
    };

    for (const concurrency of [1, 2])
    it(`ships every record exactly once, deletes shipped segments, and inserts nothing twice when a segment comes back (${concurrency} segment${concurrency > 1 ? 's' : ''} at once)`, async () =>
      withStore(async (store, root) => {
        const journal = new Journal({ dir: root, sync: { everyMs: 50 }, maxBytes: 1 << 30, segmentBytes: 20_000 });
        const ids = range('s', 1200);
        ids.forEach((id, i) => {
          journal.add(prediction(id, 1_700_000_000_000 + i));
          if (i % 16 === 15) journal.commit();
        });
        journal.close();
        const segments = readdirSync(journal.dir).filter((f) => f.endsWith('.seg'));
        expect(segments.length).toBeGreaterThan(3);
        const kept = join(tempDir(), 'copy.seg');
        copyFileSync(join(journal.dir, segments[1]!), kept);

        const shipper = new Shipper({ root, log: store.predictions, batchSize: 500, concurrency });
        expect(await shipper.shipAvailable()).toBe(1200);
        expect(await allIds(store)).toEqual(ids);
        expect(readdirSync(journal.dir).filter((f) => /\.(seg|open)$/.test(f))).toEqual([]);
        expect(shipper.stats()).toMatchObject({ recordsShipped: 1200, segmentsShipped: segments.length, tornSkipped: 0, rejected: 0, storeDown: false, lagMs: 0 });

        // Killed between the insert and the delete: the segment is shipped again.
        copyFileSync(kept, join(journal.dir, segments[1]!));
        await shipper.shipAvailable();
        expect(existsSync(join(journal.dir, segments[1]!))).toBe(false);
        expect(await store.predictions.count()).toBe(1200);
        await shipper.stop();
      }));

    it("folds each stored segment into the monitor's windows once: a segment shipped again adds nothing, a refused record is left out, a failing summary loses no record", async () =>
      withStore(async (store, root) => {
        const HOUR = 3_600_000;
        const journal = new Journal({ dir: root, sync: { everyMs: 50 }, maxBytes: 1 << 30, segmentBytes: 10_000 });
        const ids = range('w', 600);
        // Two hours of traffic; one record the store refuses.
        ids.forEach((id, i) => {
          journal.add(id === 'w00100' ? { ...prediction(id), requestJson: '' } : prediction(id, 1_700_000_000_000 + i * 12_000));
          if (i % 16 === 15) journal.commit();
        });
        journal.close();
        const segments = readdirSync(journal.dir).filter((f) => f.endsWith('.seg'));
        expect(segments.length).toBeGreaterThan(3);
        const kept = join(tempDir(), 'copy.seg');
        copyFileSync(join(journal.dir, segments[2]!), kept);
        // A stand-in summary: the ids per hour, merged by concatenation, so a double count shows as a repeat.
        const fold: ShipFold = {
          windows: store.monitorWindows,
          summarize: async (records) => {
            const byHour = new Map<number, string[]>();
            for (const r of records) {
              const start = Math.floor(r.timestamp / HOUR) * HOUR;
              byHour.set(start, [...(byHour.get(start) ?? []), r.id]);
            }
            return [...byHour].map(([start, list]) => ({ model: 'churn', version: 1, start, windowMs: HOUR, rows: list.length, aggregate: JSON.stringify(list) }));
          },
          merge: (a, b) => JSON.stringify([...(JSON.parse(a) as string[]), ...(JSON.parse(b) as string[])]),
        };
        // Batches of 7: each segment is stored and summarized in several, the refused record in one of them.
        const shipper = new Shipper({ root, log: store.predictions, fold, concurrency: 2, batchSize: 7 });
        expect(await shipper.shipAvailable()).toBe(599);
        const folded = async (): Promise<string[]> => (await store.monitorWindows.list({ model: 'churn', windowMs: HOUR })).flatMap((w) => JSON.parse(w.aggregate) as string[]).sort();
        expect(await folded()).toEqual(ids.filter((id) => id !== 'w00100'));
        const windows = await store.monitorWindows.list({ model: 'churn', windowMs: HOUR });
        expect(windows.length).toBeGreaterThanOrEqual(2);
        expect(windows.reduce((n, w) => n + w.rows, 0)).toBe(599);
        // Killed between the fold and the delete: the segment comes back, is stored again (idempotently) and not folded again.
        copyFileSync(kept, join(journal.dir, segments[2]!));
        await shipper.shipAvailable();
        expect(existsSync(join(journal.dir, segments[2]!))).toBe(false);
        expect(await folded()).toEqual(ids.filter((id) => id !== 'w00100'));
        await shipper.stop();

        // A summary that throws: the records are stored all the same, and the failure reported.
        const later = new Journal({ dir: root, sync: 'always', maxBytes: 1 << 30 });
        later.add(prediction('late'));
        later.close();
        const errors: string[] = [];
        const failing = new Shipper({ root, log: store.predictions, fold: { ...fold, summarize: () => Promise.reject(new Error('no reference')) }, onError: (m) => errors.push(m) });
        expect(await failing.shipAvailable()).toBe(1);
        expect((await store.predictions.get('late'))?.id).toBe('late');
        expect(errors.join('\n')).toMatch(/monitoring could not summarize/);
        await failing.stop();
      }));

    it('sets aside a record the store refuses, without blocking its segment', async () =>
      withStore(async (store, root) => {
        const journal = new Journal({ dir: root, sync: 'always', maxBytes: 1 << 30 });
        const ids = range('r', 100);
        for (const id of ids) journal.add(id === 'r00037' ? { ...prediction(id), requestJson: '' } : prediction(id));
        journal.close();
        const shipper = new Shipper({ root, log: store.predictions });
        await shipper.shipAvailable();
        expect(await allIds(store)).toEqual(ids.filter((id) => id !== 'r00037'));
        expect(shipper.stats()).toMatchObject({ rejected: 1, recordsShipped: 99 });
        const rejected = readFileSync(join(root, 'rejected', `${process.pid}.ndjson`), 'utf8').trim().split('\n');
        expect(rejected).toHaveLength(1);
        expect(JSON.parse(rejected[0]!)).toMatchObject({ record: { id: 'r00037', requestJson: '' }, error: expect.stringMatching(/request JSON/) });
        expect(readdirSync(journal.dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
      }));

    it("adopts a dead process's directory, its .open segment's torn tail skipped and counted, and removes it", async () =>
      withStore(async (store, root) => {
        const dir = orphanDir(root, deadPid(), [range('o', 300), range('p', 10)], range('q', 7));
        // Batches of 64: the segments span several, and the torn tail is found after the last.
        const shipper = new Shipper({ root, log: store.predictions, batchSize: 64 });
        expect(await shipper.shipAvailable()).toBe(317);
        expect(await allIds(store)).toEqual([...range('o', 300), ...range('p', 10), ...range('q', 7)]);
        expect(shipper.stats()).toMatchObject({ tornSkipped: 1, recordsShipped: 317 });
        expect(shipper.stats().tornBytes).toBeGreaterThan(0);
        expect(existsSync(dir)).toBe(false);
      }));
  });
}

shippingSuite(sqliteHarness());
const unreachable = await postgresUnreachable();
if (unreachable === undefined) shippingSuite(postgresHarness());
else if (process.env['CI'] === 'true') {
  describe('Shipper into PostgreSQL', () => {
    it('reaches the test database', () => {
      throw new Error(`PostgreSQL at ${PG_URL} is unreachable: ${unreachable}`);
    });
  });
} else console.warn(`skipping the journal shipper on PostgreSQL: ${PG_URL} is unreachable (${unreachable})`);

/** A log that remembers what it was given, and can be made to fail. */
class FakeLog implements Pick<PredictionLog, 'insert'> {
  readonly stored = new Map<string, PredictionRecord>();
  calls = 0;
  constructor(private failures: number) {}
  async insert(batch: readonly PredictionRecord[]): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connection refused');
    }
    for (const r of batch) {
      if (r.id.startsWith('bad')) throw new HyperplaneError(`bad record ${r.id}`);
    }
    for (const r of batch) this.stored.set(r.id, r);
  }
}

describe('Shipper', () => {
  it('waits out a store that fails inserts, with backoff, and loses nothing', async () => {
    const root = tempDir('hyperplane-journal-');
    const journal = new Journal({ dir: root, sync: { everyMs: 50 }, maxBytes: 1 << 30, segmentBytes: 4000 });
    const log = new FakeLog(4);
    const shipper = new Shipper({ root, log, pollMs: 20, journal });
    shipper.start();
    const ids = range('d', 200);
    for (const id of ids) {
      journal.add(prediction(id));
      journal.commit();
    }
    await sleep(50);
    expect(shipper.stats().storeDown).toBe(true);
    expect(shipper.stats().lagMs).toBeGreaterThanOrEqual(40);
    expect(shipper.stats().lastError).toMatch(/connection refused/);
    // 4 failures back off 100 + 200 + 400 + 800 ms.
    for (let waited = 0; log.stored.size < 200 && waited < 5000; waited += 50) await sleep(50);
    expect([...log.stored.keys()].sort()).toEqual(ids);
    expect(shipper.stats().storeDown).toBe(false);
    journal.close();
    await shipper.stop();
  });

  it('ships a committed record within 2 s, asking the live journal to close an old segment', async () => {
    const root = tempDir('hyperplane-journal-');
    // A max age so long that only the shipper's request closes the segment.
    const journal = new Journal({ dir: root, sync: { everyMs: 100 }, maxBytes: 1 << 30, segmentMaxAgeMs: 60_000 });
    const log = new FakeLog(0);
    const shipper = new Shipper({ root, log, journal, segmentMaxAgeMs: 500 });
    shipper.start();
    const started = Date.now();
    journal.add(prediction('fast'));
    journal.commit();
    while (!log.stored.has('fast') && Date.now() - started < 5000) await sleep(20);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(journal.stats().segments).toBe(0);
    expect(journal.bytes()).toBe(0);
    await shipper.stop();
    journal.close();
  });

  it('reports a rate above 0 when its first pass ships everything at once (a late start under load)', async () => {
    const root = tempDir('hyperplane-journal-');
    // Records journaled and closed before the shipper starts: its first pass takes them all.
    const journal = new Journal({ dir: root, sync: { everyMs: 50 }, maxBytes: 1 << 30, segmentBytes: 4000 });
    for (let i = 0; i < 200; i++) journal.add(prediction(`early-${i}`));
    journal.commit();
    journal.close();
    const log = new FakeLog(0);
    const shipper = new Shipper({ root, log, pollMs: 20 });
    shipper.start();
    const started = Date.now();
    while (shipper.stats().recordsShipped < 200 && Date.now() - started < 5000) await sleep(20);
    expect(shipper.stats().recordsShipped).toBe(200);
    expect(shipper.stats().recordsPerSecond).toBeGreaterThan(0);
    await shipper.stop();
  });

  it("respects a live process's lock and a live writer's directory; takes over a dead shipper's lock", async () => {
    const root = tempDir('hyperplane-journal-');
    const dir = orphanDir(root, deadPid(), [range('a', 5)], []);
    // A live process (this test's parent) holds the lock: not ours to ship.
    writeFileSync(join(dir, 'ship.lock'), `${process.ppid}\n`);
    const live = join(root, `${process.ppid}-${Date.now()}`);
    mkdirSync(live);
    writeFileSync(join(live, '000001.seg'), Buffer.concat([encodeHeader(process.ppid, Date.now()), encodeRecords([prediction('theirs')])]));
    const log = new FakeLog(0);
    const shipper = new Shipper({ root, log });
    expect(await shipper.shipAvailable()).toBe(0);
    expect(existsSync(join(dir, '000001.seg'))).toBe(true);
    expect(existsSync(join(live, '000001.seg'))).toBe(true);
    // The lock's holder dies: its lock is stale and taken over.
    writeFileSync(join(dir, 'ship.lock'), `${deadPid()}\n`);
    expect(await shipper.shipAvailable()).toBe(5);
    expect([...log.stored.keys()].sort()).toEqual(range('a', 5));
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(live, '000001.seg'))).toBe(true);
  });

  it('two shippers over one root ship each orphan once', async () => {
    const root = tempDir('hyperplane-journal-');
    for (let i = 0; i < 6; i++) orphanDir(root, deadPid(), [range(`x${i}-`, 50)], []);
    const log = new FakeLog(0);
    let inserted = 0;
    const counting: Pick<PredictionLog, 'insert'> = { insert: async (b) => { inserted += b.length; await sleep(5); await log.insert(b); } };
    const a = new Shipper({ root, log: counting });
    const b = new Shipper({ root, log: counting });
    // Each takes a directory's lock before shipping it; a lock already held (here by the other shipper of
    // this process, elsewhere by a live process) keeps the second one off.
    await Promise.all([a.shipAvailable(), b.shipAvailable()]);
    expect(log.stored.size).toBe(300);
    expect(inserted).toBeLessThanOrEqual(300 + 50);
    expect(readdirSync(root)).toEqual([]);
  });

  it("leaves a segment of an unknown format version where it is, reported once, and ships the rest of the directory", async () => {
    const root = tempDir('hyperplane-journal-');
    const dir = orphanDir(root, deadPid(), [range('u', 3), range('v', 3)], []);
    const future = readFileSync(join(dir, '000001.seg'));
    future.writeUInt16LE(9, 4);
    writeFileSync(join(dir, '000001.seg'), future);
    const errors: string[] = [];
    const log = new FakeLog(0);
    const shipper = new Shipper({ root, log, onError: (message, error) => errors.push(`${message}: ${error instanceof Error ? error.message : ''}`) });
    await shipper.shipAvailable();
    await shipper.shipAvailable();
    expect([...log.stored.keys()].sort()).toEqual(range('v', 3));
    expect(existsSync(join(dir, '000001.seg'))).toBe(true);
    expect(errors.filter((e) => e.includes('format version 9'))).toHaveLength(1);
    expect(errors[0]).toContain(join(dir, '000001.seg'));
  });

  it('bisects a batch to set aside the one record the store refuses', async () => {
    const root = tempDir('hyperplane-journal-');
    const journal = new Journal({ dir: root, sync: 'always', maxBytes: 1 << 30 });
    const ids = [...range('g', 500), 'bad-1', ...range('h', 500)];
    for (const id of ids) journal.add(prediction(id));
    journal.close();
    const log = new FakeLog(0);
    const shipper = new Shipper({ root, log });
    await shipper.shipAvailable();
    expect(log.stored.size).toBe(1000);
    expect(log.stored.has('bad-1')).toBe(false);
    expect(shipper.stats().rejected).toBe(1);
    // log2(1001) halvings, not one insert per record.
    expect(log.calls).toBeLessThan(40);
  });
});
