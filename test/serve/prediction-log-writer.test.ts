import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { PredictionLogWriter } from '../../src/serve/prediction-log-writer.js';
import { openStore, type Prediction, type PredictionLog, type PredictionWithFeedback, type SqlStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const prediction = (i: number): Prediction => ({
  id: `p-${i}`,
  model: 'churn',
  version: 1,
  timestamp: 1_700_000_000_000 + i,
  request: { tenure: i, plan: 'basic' },
  response: { prediction: i % 2 === 0 ? 'yes' : 'no', probabilities: { yes: 0.25, no: 0.75 } },
  latencyMs: 0.4,
});

/** A prediction log in memory that can be made to fail, as a stopped database would. */
class FlakyLog implements PredictionLog {
  readonly rows = new Map<string, Prediction>();
  /** Records the store was sent that it already had: a writer that re-sends needlessly shows here. */
  resent = 0;
  calls = 0;
  down = false;
  /** Never answers, as a store behind a dropped network link. */
  hang = false;
  /** Ids the store refuses as invalid, as the SQL store does a bad field. */
  invalid = new Set<string>();

  async insert(batch: readonly Prediction[]): Promise<void> {
    this.calls++;
    if (this.hang) return new Promise<void>(() => undefined);
    await new Promise((r) => setTimeout(r, 1));
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const bad = batch.find((p) => this.invalid.has(p.id));
    if (bad !== undefined) throw new HyperplaneError('prediction id must be a non-empty string', { field: 'prediction id' });
    for (const p of batch) {
      if (this.rows.has(p.id)) this.resent++;
      else this.rows.set(p.id, p);
    }
  }
  async get(id: string): Promise<Prediction | undefined> {
    return this.rows.get(id);
  }
  async list(): Promise<{ predictions: Prediction[]; nextCursor: string | null }> {
    return { predictions: [...this.rows.values()], nextCursor: null };
  }
  async listWithFeedback(): Promise<{ predictions: PredictionWithFeedback[]; nextCursor: string | null }> {
    return { predictions: [...this.rows.values()].map((p) => ({ ...p, feedback: null })), nextCursor: null };
  }
  async models(): Promise<string[]> {
    return [...new Set([...this.rows.values()].map((p) => p.model))].sort();
  }
  async count(): Promise<number> {
    return this.rows.size;
  }
  async deleteBefore(): Promise<number> {
    return 0;
  }
}

const spillFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('predictions-')) : []);
const lines = (dir: string): string[] => spillFiles(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
const nextTask = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the prediction log writer', () => {
  const open: PredictionLogWriter[] = [];
  const writer = (log: PredictionLog, options: ConstructorParameters<typeof PredictionLogWriter>[1]): PredictionLogWriter => {
    const w = new PredictionLogWriter(log, options);
    open.push(w);
    return w;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });

  it('stores 10,000 predictions in SQLite once each, with nothing left in memory or on disk after close', async () => {
    const dir = tempDir('hyperplane-plw-');
    const store: SqlStore = await openStore({ uri: `sqlite:${join(dir, 'hyperplane.db')}` });
    try {
      const spillDir = join(dir, 'spill');
      const w = writer(store.predictions, { spillDir });
      for (let i = 0; i < 10_000; i++) {
        w.record(prediction(i));
        if (i % 1000 === 999) await nextTask();
      }
      await w.close();
      expect(await store.predictions.count()).toBe(10_000);
      const { predictions } = await store.predictions.list({ limit: 20_000 });
      const ids = new Set(predictions.map((p) => p.id));
      expect(ids.size).toBe(10_000);
      for (let i = 0; i < 10_000; i++) expect(ids.has(`p-${i}`)).toBe(true);
      expect(await store.predictions.get('p-1234')).toEqual(prediction(1234));
      expect(w.stats()).toMatchObject({ buffered: 0, spilled: 0, stored: 10_000, failures: 0 });
      expect(spillFiles(spillDir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('with writeWhenIdle, writes each record as soon as no insert is in flight, in batches that grow with the load', async () => {
    const log = new FlakyLog();
    const sizes: number[] = [];
    const insert = log.insert.bind(log);
    log.insert = (batch) => {
      sizes.push(batch.length);
      return insert(batch);
    };
    // No batch fills and the timer never fires: only writing when idle can store anything.
    const w = writer(log, { spillDir: join(tempDir('hyperplane-plw-'), 'spill'), batchSize: 10_000, flushIntervalMs: 600_000, writeWhenIdle: true });
    // Polled, not timed: a busy machine may take a while, but only writing when idle can ever get there.
    const until = async (done: () => boolean): Promise<void> => {
      for (let waited = 0; !done() && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    };
    w.record(prediction(0));
    await until(() => log.rows.has('p-0'));
    expect(log.rows.has('p-0')).toBe(true);
    // A burst while an insert is in flight goes out together in the next one.
    w.record(prediction(1));
    await nextTask();
    for (let i = 2; i < 300; i++) w.record(prediction(i));
    await until(() => log.rows.size === 300);
    expect(log.rows.size).toBe(300);
    expect(sizes[0]).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThan(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('keeps memory bounded while the store is down, spills to disk, and replays every record once when it is back', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    const maxBuffered = 1000;
    const w = writer(log, { spillDir, maxBuffered, batchSize: 200, flushIntervalMs: 20, retryMinMs: 5, retryMaxMs: 50 });
    let maxSeen = 0;
    let spilledSeen = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i === 3_000) log.down = true;
      if (i === 15_000) log.down = false;
      w.record(prediction(i));
      const s = w.stats();
      maxSeen = Math.max(maxSeen, s.buffered);
      expect(s.buffered).toBeLessThanOrEqual(maxBuffered);
      if (i % 250 === 249) {
        // Requests arrive over time: the writer and the disk get turns between them.
        await new Promise((r) => setTimeout(r, 1));
        spilledSeen = Math.max(spilledSeen, w.stats().spilled);
        expect(w.stats().buffered).toBeLessThanOrEqual(maxBuffered);
      }
      if (i === 14_999) {
        expect(w.stats().storeDown).toBe(true);
        expect(spillFiles(spillDir).length).toBeGreaterThan(0);
      }
    }
    expect(maxSeen).toBe(maxBuffered);
    expect(spilledSeen).toBeGreaterThan(5_000);
    await w.flush();
    expect(log.rows.size).toBe(20_000);
    for (let i = 0; i < 20_000; i++) expect(log.rows.has(`p-${i}`)).toBe(true);
    expect(log.resent).toBe(0);
    expect(spillFiles(spillDir)).toEqual([]);
    const s = w.stats();
    expect(s).toMatchObject({ buffered: 0, spilling: 0, spilled: 0, storeDown: false });
    expect(s.failures).toBeGreaterThan(0);
    expect(s.lastError).toContain('ECONNREFUSED');
  });

  it('replays a spill file left by a crashed process, skipping its torn last line, then deletes it', async () => {
    const spillDir = tempDir('hyperplane-plw-spill-');
    // A process that has exited: its pid names the file.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const complete = Array.from({ length: 1_234 }, (_, i) => JSON.stringify(prediction(i))).join('\n');
    const torn = JSON.stringify(prediction(1_234)).slice(0, 40);
    const file = join(spillDir, `predictions-${dead}-1700000000000-1.ndjson`);
    writeFileSync(file, `${complete}\n${torn}`);
    const other = join(spillDir, 'notes.txt');
    writeFileSync(other, 'not a spill file');

    const log = new FlakyLog();
    const w = writer(log, { spillDir, batchSize: 100 });
    await w.flush();
    expect(log.rows.size).toBe(1_234);
    expect(log.rows.get('p-1233')).toEqual(prediction(1233));
    expect(log.rows.has('p-1234')).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(spillFiles(spillDir)).toEqual([]);
    expect(existsSync(other)).toBe(true);
    expect(w.stats()).toMatchObject({ stored: 1_234, unreadable: 1, spilled: 0 });
  });

  it('leaves the spill file of a writer that is still running alone', async () => {
    const spillDir = tempDir('hyperplane-plw-spill-');
    const live = process.ppid;
    const file = join(spillDir, `predictions-${live}-1700000000000-1.ndjson`);
    writeFileSync(file, `${JSON.stringify(prediction(1))}\n`);
    const log = new FlakyLog();
    const w = writer(log, { spillDir });
    await w.flush();
    expect(log.rows.size).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('flush() with the store down resolves once every record is in the spill file', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    log.down = true;
    const w = writer(log, { spillDir, batchSize: 50, retryMinMs: 10_000, retryMaxMs: 10_000 });
    for (let i = 0; i < 420; i++) w.record(prediction(i));
    await w.flush();
    const ids = lines(spillDir).map((l) => (JSON.parse(l) as Prediction).id);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 420 }, (_, i) => `p-${i}`)));
    expect(w.stats()).toMatchObject({ buffered: 0, spilling: 0, spilled: 420, stored: 0, storeDown: true });
    expect(log.rows.size).toBe(0);

    // Back up: the next flush replays the file and removes it.
    log.down = false;
    await w.flush();
    expect(log.rows.size).toBe(420);
    expect(spillFiles(spillDir)).toEqual([]);
  });

  it('flush() does not wait forever on a store that never answers', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    log.hang = true;
    const w = writer(log, { spillDir, insertTimeoutMs: 100 });
    for (let i = 0; i < 600; i++) w.record(prediction(i));
    await w.flush();
    expect(lines(spillDir)).toHaveLength(600);
    expect(w.stats()).toMatchObject({ buffered: 0, spilled: 600, storeDown: true });
    expect(w.stats().lastError).toContain('did not answer');
  });

  it('close() with the store down leaves the records in a spill file that the next writer replays', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    log.down = true;
    const first = writer(log, { spillDir });
    for (let i = 0; i < 777; i++) first.record(prediction(i));
    await first.close();
    expect(lines(spillDir)).toHaveLength(777);

    log.down = false;
    const second = writer(log, { spillDir });
    await second.flush();
    expect(log.rows.size).toBe(777);
    expect(spillFiles(spillDir)).toEqual([]);
  });

  it('record() returns synchronously and does no store or disk work itself, for 100,000 records', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    const w = writer(log, { spillDir, maxBuffered: 10_000 });
    for (let i = 0; i < 100_000; i++) expect(w.record(prediction(i))).toBeUndefined();
    // Nothing ran inside record(): no insert, no file yet; memory holds exactly the bound.
    expect(log.calls).toBe(0);
    expect(existsSync(spillDir)).toBe(false);
    expect(w.stats()).toMatchObject({ buffered: 10_000, spilling: 90_000 });
    await w.flush();
    expect(log.rows.size).toBe(100_000);
    expect(spillFiles(spillDir)).toEqual([]);
  });

  it('sets aside a record the store refuses as invalid and stores the rest of its batch', async () => {
    const spillDir = join(tempDir('hyperplane-plw-'), 'spill');
    const log = new FlakyLog();
    log.invalid.add('p-37');
    const w = writer(log, { spillDir, batchSize: 100 });
    for (let i = 0; i < 250; i++) w.record(prediction(i));
    await w.flush();
    expect(log.rows.size).toBe(249);
    expect(w.stats()).toMatchObject({ rejected: 1, stored: 249, storeDown: false });
    const rejected = readdirSync(spillDir).filter((f) => f.startsWith('rejected-'));
    expect(rejected).toHaveLength(1);
    expect(readFileSync(join(spillDir, rejected[0]!), 'utf8')).toContain('"id":"p-37"');
  });

  it('rejects bad options with the field named', () => {
    expect(() => new PredictionLogWriter(new FlakyLog(), { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new PredictionLogWriter(new FlakyLog(), { maxBuffered: 1.5 })).toThrow(/maxBuffered/);
  });
});
