import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorSchedule } from '../../src/monitor/schedule.js';
import { WindowFolder } from '../../src/monitor/window.js';
import { mergeAggregates } from '../../src/monitor/ship-fold.js';
import { openStore, type Store } from '../../src/store/index.js';
import { Random } from '../../src/synth/random.js';
import { tempDir } from '../helpers.js';
import { answer, LABELS, reference, row } from './traffic.js';

const HOUR = 3_600_000;

describe('the scheduled monitor: one server per model, by a lease', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('only the lease holder monitors a model; once it stops, another takes over at its next pass', async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-schedule-'), 'h.db')}` });
    const ref = reference();
    // An hour of traffic with income shifted, folded into the store as the shipper would.
    const rng = new Random(3);
    const now = Date.now();
    const start = Math.floor(now / HOUR) * HOUR;
    const folder = new WindowFolder(ref, LABELS);
    for (let i = 0; i < 600; i++) {
      const r = row(rng, i);
      folder.add(answer(rng, `p${i}`, start + i, { ...r, income: r.income + 20 }));
    }
    const parts = folder.windows().map((w) => ({ model: 'm', version: 1, start: w.start, windowMs: HOUR, rows: w.rows, aggregate: JSON.stringify(w) }));
    await store.monitorWindows.fold('1-1', [{ seq: 1, parts }], mergeAggregates);
    const watched = { model: 'm', version: 1, reference: ref, task: 'binary' as const, labels: LABELS, trainingMetrics: {} };
    const schedule = (holder: string): MonitorSchedule => new MonitorSchedule({ store: store!, lookup: async () => watched, everyMs: 60_000, holder });
    const a = schedule('host:1');
    const b = schedule('host:2');
    const first = await a.tick(now);
    expect(first.map((g) => [g.model, g.version, g.rows])).toEqual([['m', 1, 600]]);
    expect(first[0]!.columns.find((c) => c.column === 'income')?.drifted).toBe(true);
    // The other server finds the lease held: it does nothing.
    expect(await b.tick(now)).toEqual([]);
    expect((await store.leases.holder('monitor/m'))?.holder).toBe('host:1');
    await a.stop();
    expect(await store.leases.holder('monitor/m')).toBeUndefined();
    expect((await b.tick(now)).map((g) => g.rows)).toEqual([600]);
    expect((await store.leases.holder('monitor/m'))?.holder).toBe('host:2');
    await b.stop();
  });
});
