import { expect, it } from 'vitest';
import type { Alert } from '../../../src/store/index.js';
import type { SuiteContext } from './context.js';

const evidence = { metric: 'drift_share', op: '>', threshold: 0.1, windows: [{ version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T01:00:00.000Z', value: 0.5 }] };
const alert = (id: string, rule: string, firedAt: number, over: Partial<Alert> = {}): Alert => ({
  id,
  model: 'credit',
  version: 1,
  rule,
  condition: rule,
  state: 'firing',
  firedAt,
  resolvedAt: null,
  updatedAt: firedAt,
  silencedUntil: null,
  webhook: null,
  evidence,
  ...over,
});

export function alertCases(ctx: SuiteContext): void {
  it('saves, updates by id, and gives the newest alert of each rule', async () => {
    const { alerts } = ctx.store;
    const a = alert('a1', 'drift', 1000, { webhook: 'ops' });
    await alerts.save([a, alert('b1', 'auc', 1500), alert('x1', 'drift', 1200, { model: 'other' })]);
    expect(await alerts.get('a1')).toEqual(a);
    // The first episode resolves and a second opens, in one save: the resolution goes first, so one firing per rule holds.
    await alerts.save([alert('a2', 'drift', 3000), { ...a, state: 'resolved', resolvedAt: 2000, updatedAt: 2000 }]);
    const latest = await alerts.latest('credit', 1);
    expect(latest.map((x) => [x.id, x.state]).sort()).toEqual([
      ['a2', 'firing'],
      ['b1', 'firing'],
    ]);
    expect(await alerts.get('a1')).toMatchObject({ state: 'resolved', resolvedAt: 2000, evidence });
    expect(await alerts.latest('credit', 2)).toEqual([]);
  });

  it('lists firing alerts newest first (all with `all`), by model', async () => {
    const { alerts } = ctx.store;
    await alerts.save([alert('a1', 'drift', 1000, { state: 'resolved', resolvedAt: 1100 }), alert('a2', 'drift', 2000), alert('x1', 'drift', 3000, { model: 'other' })]);
    expect((await alerts.list()).map((x) => x.id)).toEqual(['x1', 'a2']);
    expect((await alerts.list({ model: 'credit' })).map((x) => x.id)).toEqual(['a2']);
    expect((await alerts.list({ model: 'credit', all: true })).map((x) => x.id)).toEqual(['a2', 'a1']);
    expect((await alerts.list({ all: true, limit: 1 })).map((x) => x.id)).toEqual(['x1']);
  });

  it('silences an alert until a time; an unknown id gives undefined', async () => {
    const { alerts } = ctx.store;
    await alerts.save([alert('a1', 'drift', 1000)]);
    expect(await alerts.silence('a1', 9000)).toMatchObject({ id: 'a1', silencedUntil: 9000 });
    expect((await alerts.get('a1'))?.silencedUntil).toBe(9000);
    expect(await alerts.silence('nope', 9000)).toBeUndefined();
  });

  it('a second firing alert of the same rule and version is refused by the database', async () => {
    const { alerts } = ctx.store;
    await alerts.save([alert('a1', 'drift', 1000)]);
    await expect(alerts.save([alert('a2', 'drift', 2000)])).rejects.toThrow();
    expect((await alerts.list()).map((x) => x.id)).toEqual(['a1']);
  });
}
