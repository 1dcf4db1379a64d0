import { expect, it } from 'vitest';
import type { WindowPart } from '../../../src/store/index.js';
import type { SuiteContext } from './context.js';

const HOUR = 3_600_000;
/** A stand-in summary: a list of row ids, merged by concatenation, so a double count shows as a repeated id. */
const part = (start: number, ids: number[], version = 1): WindowPart => ({ model: 'credit', version, start, windowMs: HOUR, rows: ids.length, aggregate: JSON.stringify(ids) });
const merge = (a: string, b: string): string => JSON.stringify([...(JSON.parse(a) as number[]), ...(JSON.parse(b) as number[])]);

export function monitorWindowCases(ctx: SuiteContext): void {
  it('folds segments into their windows once: a segment shipped again after a crash adds nothing', async () => {
    const { monitorWindows } = ctx.store;
    expect(await monitorWindows.fold('111-1', [{ seq: 1, parts: [part(0, [1, 2]), part(HOUR, [3])] }, { seq: 2, parts: [part(HOUR, [4])] }], merge)).toBe(2);
    // Segment 2 again (its delete did not happen) with segment 3: only 3 is folded.
    expect(await monitorWindows.fold('111-1', [{ seq: 2, parts: [part(HOUR, [4])] }, { seq: 3, parts: [part(HOUR, [5]), part(0, [6], 2)] }], merge)).toBe(1);
    expect(await monitorWindows.fold('111-1', [{ seq: 3, parts: [part(HOUR, [5])] }], merge)).toBe(0);
    // Another journal's segment 1 is its own.
    expect(await monitorWindows.fold('222-5', [{ seq: 1, parts: [part(0, [7])] }], merge)).toBe(1);
    const windows = await monitorWindows.list({ model: 'credit', version: 1, windowMs: HOUR });
    expect(windows.map((w) => [w.start, w.rows, JSON.parse(w.aggregate)])).toEqual([
      [0, 3, [1, 2, 7]],
      [HOUR, 3, [3, 4, 5]],
    ]);
    expect((await monitorWindows.list({ model: 'credit', windowMs: HOUR, since: HOUR })).map((w) => [w.version, w.start])).toEqual([[1, HOUR]]);
    expect(await monitorWindows.watched(0)).toEqual([
      { model: 'credit', version: 1 },
      { model: 'credit', version: 2 },
    ]);
    expect(await monitorWindows.deleteBefore(HOUR)).toBe(2);
    expect((await monitorWindows.list({ model: 'credit', windowMs: HOUR })).map((w) => w.start)).toEqual([HOUR]);
  });

  it('counts predictions per window and lists only the labelled ones when asked', async () => {
    const { predictions, feedback } = ctx.store;
    const at = (id: string, ts: number) => ({ id, model: 'credit', version: 1, timestamp: ts, request: {}, response: {}, latencyMs: 1 });
    await predictions.insert([at('a', 10), at('b', HOUR - 1), at('c', HOUR), at('d', 3 * HOUR + 5), { ...at('e', 20), version: 2 }]);
    expect(await predictions.countByWindow({ model: 'credit', version: 1 }, HOUR)).toEqual([
      { start: 0, rows: 2 },
      { start: HOUR, rows: 1 },
      { start: 3 * HOUR, rows: 1 },
    ]);
    expect(await predictions.countByWindow({ model: 'credit', since: HOUR }, 2 * HOUR)).toEqual([
      { start: 0, rows: 1 },
      { start: 2 * HOUR, rows: 1 },
    ]);
    // By arm: a split's arms apart, predictions with no arm as null (first), arms in order within a window.
    await predictions.insert([
      { ...at('f', 30), arm: 'credit/2' },
      { ...at('g', 40), arm: 'credit/1' },
      { ...at('h', 50), arm: 'credit/2' },
      { ...at('i', HOUR + 1), arm: 'shadow' },
    ]);
    expect(await predictions.countByWindow({ model: 'credit', version: 1 }, HOUR, { byArm: true })).toEqual([
      { start: 0, rows: 2, arm: null },
      { start: 0, rows: 1, arm: 'credit/1' },
      { start: 0, rows: 2, arm: 'credit/2' },
      { start: HOUR, rows: 1, arm: null },
      { start: HOUR, rows: 1, arm: 'shadow' },
      { start: 3 * HOUR, rows: 1, arm: null },
    ]);
    await feedback.insert([{ predictionId: 'b', outcome: 'yes' }, { predictionId: 'd', outcome: 'no' }]);
    const labelled = await predictions.listWithFeedback({ model: 'credit', labelled: true });
    expect(labelled.predictions.map((p) => [p.id, p.feedback?.outcome])).toEqual([
      ['b', 'yes'],
      ['d', 'no'],
    ]);
  });

  it('a lease is held by one holder until it expires or is released', async () => {
    const { leases } = ctx.store;
    expect(await leases.acquire('monitor/credit', 'server-a', 60_000)).toBe(true);
    expect(await leases.acquire('monitor/credit', 'server-b', 60_000)).toBe(false);
    // Its holder renews it.
    expect(await leases.acquire('monitor/credit', 'server-a', 60_000)).toBe(true);
    expect((await leases.holder('monitor/credit'))?.holder).toBe('server-a');
    // Another holder cannot release it.
    await leases.release('monitor/credit', 'server-b');
    expect(await leases.acquire('monitor/credit', 'server-b', 60_000)).toBe(false);
    await leases.release('monitor/credit', 'server-a');
    expect(await leases.holder('monitor/credit')).toBeUndefined();
    expect(await leases.acquire('monitor/credit', 'server-b', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    // Expired: anyone may take it.
    expect(await leases.acquire('monitor/credit', 'server-a', 60_000)).toBe(true);
    // Two at once: exactly one wins.
    await leases.release('monitor/credit', 'server-a');
    const race = await Promise.all(['x', 'y', 'z'].map((h) => leases.acquire('monitor/other', h, 60_000)));
    expect(race.filter(Boolean)).toHaveLength(1);
  });
}
