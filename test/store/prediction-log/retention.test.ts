import { afterAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../../src/store/index.js';
import { WINDOWS_KEEP_MS, sweep } from '../../../src/store/prediction-log/retention.js';
// Compiled, as serve runs it: the shipper is a thread started from a .js file beside it.
import { ShipperThread } from '../../../dist/store/prediction-log/shipper-handle.js';
import { tempDir } from '../../helpers.js';
import { postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from '../harness.js';
import { prediction, sleep } from './fixtures.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

/** 300 predictions over the 90 days before NOW (one every 7.2 h), each with feedback an hour later. */
async function history(store: SqlStore, now = NOW): Promise<string[]> {
  const ids: string[] = [];
  const records = Array.from({ length: 300 }, (_, i) => {
    const id = `p${String(i).padStart(4, '0')}`;
    ids.push(id);
    return prediction(id, now - 90 * DAY + i * (90 * DAY / 300));
  });
  await store.predictions.insert(records);
  await store.feedback.insert(records.map((r) => ({ predictionId: r.id, outcome: 'yes', reward: 1, timestamp: r.timestamp + 3_600_000 })));
  return ids;
}

function retentionSuite(harness: StoreHarness): void {
  describe(`retention on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it('removes predictions and feedback older than the window, in bounded statements, and keeps the recent ones', async () => {
      const store = await (await harness.fresh()).open();
      try {
        await history(store);
        const statements: number[] = [];
        const counted = { list: store.predictions.list.bind(store.predictions), deleteBefore: async (before: number) => {
          const n = await store.predictions.deleteBefore(before);
          statements.push(n);
          return n;
        } };
        const removed = await sweep({ predictions: counted, feedback: store.feedback, keepMs: 30 * DAY, rowsPerStatement: 20 }, NOW);
        const cutoff = NOW - 30 * DAY;
        const left = (await store.predictions.list({ limit: 1000 })).predictions;
        expect(left.length).toBe(100);
        expect(left.every((p) => p.timestamp >= cutoff)).toBe(true);
        expect(removed.predictions).toBe(200);
        // Many statements, none far above the target: the slice adapted to the density.
        expect(statements.length).toBeGreaterThan(5);
        expect(Math.max(...statements)).toBeLessThanOrEqual(60);
        const feedback = await store.feedback.list({ limit: 1000 });
        expect(feedback.every((f) => f.timestamp >= cutoff)).toBe(true);
        expect(removed.feedback).toBe(300 - feedback.length);
        expect(feedback.length).toBe(100);
        // A second sweep finds nothing to remove.
        expect(await sweep({ predictions: store.predictions, feedback: store.feedback, keepMs: 30 * DAY }, NOW)).toEqual({ predictions: 0, feedback: 0 });
        // Monitoring's hourly aggregates outlive the raw log: gone only past WINDOWS_KEEP_MS.
        const HOUR = 3_600_000;
        const hourAt = (start: number) => ({ seq: start, parts: [{ model: 'm', version: 1, start, windowMs: HOUR, rows: 1, aggregate: '{}' }] });
        const old = Math.floor((NOW - WINDOWS_KEEP_MS - DAY) / HOUR) * HOUR;
        const kept = Math.floor((NOW - 60 * DAY) / HOUR) * HOUR;
        await store.monitorWindows.fold('1-1', [hourAt(old), hourAt(kept)], (a) => a);
        await sweep({ predictions: store.predictions, feedback: store.feedback, windows: store.monitorWindows, keepMs: 30 * DAY }, NOW);
        expect((await store.monitorWindows.list({ model: 'm', windowMs: HOUR })).map((w) => w.start)).toEqual([kept]);
      } finally {
        await store.close();
      }
    });
  });
}

retentionSuite(sqliteHarness());
const unreachable = await postgresUnreachable();
if (unreachable === undefined) retentionSuite(postgresHarness());

describe('retention in the shipper thread', () => {
  it('sweeps at its start and on its timer, on its own connection, and reports what it removed', async () => {
    const harness = sqliteHarness();
    const spot = await harness.fresh();
    const store = await spot.open();
    try {
      await history(store, Date.now() + 3_600_000); // no record within a few ms of the cutoff
      const thread = new ShipperThread({ uri: spot.uri, root: tempDir('hyperplane-journal-'), keepMs: 30 * DAY, sweepEveryMs: 200, pollMs: 50 });
      for (let i = 0; i < 100 && thread.retentionStats().lastSweepMs === null; i++) await sleep(50);
      expect(thread.retentionStats()).toMatchObject({ predictionsRemoved: 200, feedbackRemoved: 200 });
      // A record that grows old while the server runs goes at the next sweep.
      await store.predictions.insert([prediction('old-later', Date.now() - 31 * DAY)]);
      for (let i = 0; i < 100 && thread.retentionStats().predictionsRemoved === 200; i++) await sleep(50);
      expect(thread.retentionStats().predictionsRemoved).toBe(201);
      await thread.stop();
      expect(await store.predictions.get('old-later')).toBeUndefined();
      expect(await store.predictions.count()).toBe(100);
    } finally {
      await store.close();
      await harness.dispose();
    }
  });
});
