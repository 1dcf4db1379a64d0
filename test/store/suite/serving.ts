import { expect, it } from 'vitest';
import type { Prediction } from '../../../src/store/index.js';
import type { SuiteContext } from './context.js';

const prediction = (i: number, model = 'churn'): Prediction => ({
  id: `p${String(i).padStart(5, '0')}`,
  model,
  version: 1 + (i % 2),
  timestamp: 1_000_000 + i,
  request: { tenure: i, plan: 'pro' },
  response: { label: i % 3 === 0 ? 'yes' : 'no', p: i / 1000 },
  latencyMs: 1.25,
});

export function servingCases(ctx: SuiteContext): void {
  it('keeps deployments and their traffic policies', async () => {
    const d = ctx.store.deployments;
    const policy = { kind: 'split', arms: [{ ref: 'churn@production', weight: 0.9 }, { ref: 'churn@staging', weight: 0.1 }] };
    expect(await d.put('churn', policy)).toMatchObject({ name: 'churn', policy });
    await d.put('fraud', { kind: 'fixed', ref: 'fraud@champion' });
    await d.put('churn', { kind: 'fixed', ref: 'churn@production' });
    expect((await d.get('churn'))!.policy).toEqual({ kind: 'fixed', ref: 'churn@production' });
    expect((await d.list()).map((x) => x.name)).toEqual(['churn', 'fraud']);
    expect(await d.delete('churn')).toBe(true);
    expect(await d.delete('churn')).toBe(false);
    expect(await d.get('churn')).toBeUndefined();
  });

  it("sums feedback rewards by the version and arm of the logged prediction: a bandit's shared state", async () => {
    await ctx.store.predictions.insert([
      { ...prediction(1, 'bandit'), version: 3, arm: 'bandit/3', requestId: 'r1' },
      { ...prediction(2, 'bandit'), version: 3, arm: 'bandit/3' },
      { ...prediction(3, 'bandit'), version: 4, arm: 'bandit/4' },
      { ...prediction(4, 'other'), version: 1 },
    ]);
    expect((await ctx.store.predictions.get('p00001'))).toMatchObject({ arm: 'bandit/3', requestId: 'r1' });
    await ctx.store.feedback.insert([
      { predictionId: 'p00001', outcome: 'yes', reward: 1, timestamp: 10 },
      { predictionId: 'p00002', outcome: 'no', reward: 0, timestamp: 20 },
      { predictionId: 'p00003', outcome: 'yes', reward: 1, timestamp: 30 },
      { predictionId: 'p00003', outcome: 'later', timestamp: 40 }, // no reward: not counted
      { predictionId: 'p00004', outcome: 'yes', reward: 1, timestamp: 50 }, // another model
      { predictionId: 'unlogged', outcome: 'yes', reward: 1, timestamp: 60 }, // its prediction is not logged yet
    ]);
    const tally = (await ctx.store.feedback.rewards('bandit')).sort((a, b) => a.version - b.version);
    expect(tally).toEqual([
      { version: 3, arm: 'bandit/3', count: 2, total: 1 },
      { version: 4, arm: 'bandit/4', count: 1, total: 1 },
    ]);
    expect(await ctx.store.feedback.rewards('bandit', 25)).toEqual([{ version: 4, arm: 'bandit/4', count: 1, total: 1 }]);
    expect((await ctx.store.feedback.list({ predictionId: 'p00001' }))[0]!.reward).toBe(1);
    // A retried POST is not a second reward; a corrected outcome replaces the first (p00002: 0, then 1).
    await ctx.store.feedback.insert([
      { predictionId: 'p00001', outcome: 'yes', reward: 1, timestamp: 70 },
      { predictionId: 'p00002', outcome: 'yes', reward: 1, timestamp: 80 },
    ]);
    expect((await ctx.store.feedback.rewards('bandit')).sort((a, b) => a.version - b.version)).toEqual([
      { version: 3, arm: 'bandit/3', count: 2, total: 2 },
      { version: 4, arm: 'bandit/4', count: 1, total: 1 },
    ]);
    // The retried (id, outcome) pair added no row.
    expect((await ctx.store.feedback.list({ predictionId: 'p00001' })).length).toBe(1);
  });

  it('adds no row for a repeated (prediction id, outcome) pair, within a batch or across batches; another outcome is a row', async () => {
    const { feedback } = ctx.store;
    await feedback.insert([
      { predictionId: 'dup-1', outcome: 'yes', reward: 1, timestamp: 10 },
      { predictionId: 'dup-1', outcome: 'yes', reward: 1, timestamp: 11 },
      { predictionId: 'dup-1', outcome: { reward: 1 }, timestamp: 12 },
    ]);
    await feedback.insert([
      { predictionId: 'dup-1', outcome: 'yes', reward: 1, timestamp: 20 },
      { predictionId: 'dup-1', outcome: { reward: 1 }, timestamp: 21 },
      { predictionId: 'dup-1', outcome: 'no', reward: 0, timestamp: 22 },
      { predictionId: 'dup-2', outcome: 'yes', timestamp: 23 },
    ]);
    // 'yes' after { reward: 1 } goes back to an earlier outcome: it is the later one now (20), still one row.
    expect((await feedback.list({ predictionId: 'dup-1' })).map((f) => [f.outcome, f.timestamp])).toEqual([
      [{ reward: 1 }, 12],
      ['yes', 20],
      ['no', 22],
    ]);
    expect((await feedback.list({ predictionId: 'dup-2' })).length).toBe(1);
    // Going back to an earlier outcome (yes, no, then yes again) makes it the latest, still one row a pair;
    // repeating the latest adds nothing and keeps its first time.
    await feedback.insert([{ predictionId: 'dup-1', outcome: 'yes', reward: 1, timestamp: 30 }]);
    await feedback.insert([{ predictionId: 'dup-1', outcome: 'yes', reward: 1, timestamp: 40 }]);
    expect((await feedback.list({ predictionId: 'dup-1' })).map((f) => [f.outcome, f.timestamp])).toEqual([
      [{ reward: 1 }, 12],
      ['no', 22],
      ['yes', 30],
    ]);
  });

  it('takes a batch of 3,000 outcomes in one call, and the same batch again adds nothing (SQLite once refused past ~1,000: too deep an expression)', async () => {
    const { feedback } = ctx.store;
    const batch = Array.from({ length: 3000 }, (_, i) => ({ predictionId: `bulk-${i}`, outcome: i % 2 === 0 ? 'yes' : 'no', reward: i % 2, timestamp: 50 + i }));
    await feedback.insert(batch);
    await feedback.insert(batch);
    const listed = await feedback.list({ since: 50, until: 50 + 3000 });
    expect(listed.filter((f) => f.predictionId.startsWith('bulk-')).length).toBe(3000);
  });

  it('logs predictions in batches, skips replayed ids, pages and expires them', async () => {
    const log = ctx.store.predictions;
    await log.insert(Array.from({ length: 2500 }, (_, i) => prediction(i)));
    await log.insert([prediction(0), prediction(1), prediction(9000, 'fraud')]); // a replay after an outage
    expect(await log.count()).toBe(2501);
    expect(await log.count({ model: 'churn', version: 2 })).toBe(1250);
    expect(await log.get('p00007')).toEqual(prediction(7));
    expect(await log.get('nope')).toBeUndefined();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { predictions: Prediction[]; nextCursor: string | null } = await log.list({ model: 'churn', limit: 1000, ...(cursor === null ? {} : { cursor }) });
      seen.push(...page.predictions.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => prediction(i).id));
    expect((await log.list({ since: 1_000_010, until: 1_000_013 })).predictions.map((p) => p.id)).toEqual(['p00010', 'p00011', 'p00012']);
    expect(await log.deleteBefore(1_000_100, 'churn')).toBe(100);
    expect(await log.count()).toBe(2401);
  });

  it('lists predictions with their latest feedback, filtered by arm, paging with the same cursors as list', async () => {
    const { predictions, feedback } = ctx.store;
    await predictions.insert([
      ...Array.from({ length: 5 }, (_, i) => ({ ...prediction(i), arm: i % 2 === 0 ? 'churn/1' : 'churn/2' })),
      { ...prediction(5), arm: 'shadow' },
      prediction(6, 'fraud'),
    ]);
    await feedback.insert([
      { predictionId: 'p00000', outcome: 'no', reward: 0, timestamp: 10 },
      { predictionId: 'p00000', outcome: 'yes', reward: 1, timestamp: 20 }, // a correction: the latest wins
      { predictionId: 'p00002', outcome: 'yes', timestamp: 30 },
    ]);
    await feedback.insert([{ predictionId: 'p00000', outcome: 'no', reward: 0, timestamp: 40 }]); // back to the first outcome: latest again
    expect(await predictions.models()).toEqual(['churn', 'fraud']);
    const all = await predictions.listWithFeedback({ model: 'churn' });
    expect(all.predictions.map((p) => [p.id, p.arm ?? null, p.feedback?.outcome ?? null, p.feedback?.reward ?? null, p.feedback?.timestamp ?? null])).toEqual([
      ['p00000', 'churn/1', 'no', 0, 40],
      ['p00001', 'churn/2', null, null, null],
      ['p00002', 'churn/1', 'yes', null, 30],
      ['p00003', 'churn/2', null, null, null],
      ['p00004', 'churn/1', null, null, null],
      ['p00005', 'shadow', null, null, null],
    ]);
    expect(all.predictions[0]).toMatchObject({ request: prediction(0).request, response: prediction(0).response, version: 1, latencyMs: 1.25 });
    expect((await predictions.list({ arm: 'churn/1' })).predictions.map((p) => p.id)).toEqual(['p00000', 'p00002', 'p00004']);
    expect(await predictions.count({ model: 'churn', arm: 'shadow' })).toBe(1);
    // Pages of two, the cursor of one listing accepted by the other: they order the log alike.
    const first = await predictions.listWithFeedback({ arm: 'churn/1', limit: 2 });
    expect(first.predictions.map((p) => p.id)).toEqual(['p00000', 'p00002']);
    const second = await predictions.list({ arm: 'churn/1', limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ predictions: [{ ...prediction(4), arm: 'churn/1' }], nextCursor: null });
    expect((await predictions.listWithFeedback({ model: 'fraud', since: 1_000_006, until: 1_000_007 })).predictions).toEqual([{ ...prediction(6, 'fraud'), feedback: null }]);
  });

  it('records feedback in batches and finds it by prediction, model and time', async () => {
    const { predictions, feedback } = ctx.store;
    await predictions.insert([prediction(1), prediction(2), prediction(3, 'fraud')]);
    await feedback.insert([
      { predictionId: 'p00001', outcome: 'yes', timestamp: 10 },
      { predictionId: 'p00002', outcome: 0, timestamp: 20 },
      { predictionId: 'p00003', outcome: { reward: 1 }, timestamp: 30 },
      { predictionId: 'not-logged-yet', outcome: 'no', timestamp: 40 },
    ]);
    const all = await feedback.list();
    expect(all.map((f) => [f.predictionId, f.outcome, f.timestamp])).toEqual([
      ['p00001', 'yes', 10],
      ['p00002', 0, 20],
      ['p00003', { reward: 1 }, 30],
      ['not-logged-yet', 'no', 40],
    ]);
    expect((await feedback.list({ model: 'churn' })).map((f) => f.predictionId)).toEqual(['p00001', 'p00002']);
    expect((await feedback.list({ predictionId: 'p00003' })).map((f) => f.outcome)).toEqual([{ reward: 1 }]);
    expect((await feedback.list({ since: 20, until: 40 })).length).toBe(2);
    expect(await feedback.deleteBefore(25)).toBe(2);
    expect((await feedback.list()).length).toBe(2);
  });

  it('stores API keys hashed, verifies them with scopes, and honours revocation', async () => {
    const keys = ctx.store.apiKeys;
    const { key, info } = await keys.create('ci', ['predict', 'feedback']);
    const admin = await keys.create('ops', ['admin']);
    expect(key).toMatch(/^hp_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await keys.verify(key)).toEqual(info);
    expect(await keys.verify(key, 'predict')).toEqual(info);
    expect(await keys.verify(key, 'admin')).toBeUndefined();
    expect((await keys.verify(admin.key, 'predict'))?.name).toBe('ops');
    const wrongSecret = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await keys.verify(wrongSecret)).toBeUndefined();
    expect(await keys.verify('hp_not_a_key')).toBeUndefined();
    expect(await keys.verify('')).toBeUndefined();
    const rows = await ctx.store.db.selectFrom('api_keys').select('key_hash').execute();
    expect(rows.every((r) => !key.includes(r.key_hash) && r.key_hash.length === 64)).toBe(true);
    expect((await keys.list()).map((k) => k.name)).toEqual(['ci', 'ops']);
    expect(await keys.revoke(info.id)).toBe(true);
    expect(await keys.revoke(info.id)).toBe(false);
    expect(await keys.verify(key)).toBeUndefined();
    expect((await keys.list())[0]!.revokedAt).not.toBeNull();
    expect(await keys.delete(admin.info.id)).toBe(true);
    expect(await keys.verify(admin.key)).toBeUndefined();
    await expect(keys.create('x', [])).rejects.toThrow('an API key needs at least one scope');
    await expect(keys.create('x', ['root' as never])).rejects.toThrow("unknown scope 'root' (allowed: predict, feedback, read, admin)");
  });
}

/** Cursors a client crafted: refused as the caller's error on both databases, never a database error (PostgreSQL's bigint refuses 1.5 and 2^63). */
export function craftedCursorCases(ctx: SuiteContext): void {
  const crafted = (order: string, key: unknown): string => Buffer.from(JSON.stringify([order, key, 'x'])).toString('base64url');
  it.each([1.5, 1e300, 2 ** 63, null, 'x'])('refuses a run or prediction cursor with the key %s', async (key) => {
    await ctx.store.tracking.createRun({});
    await ctx.store.predictions.insert([prediction(1)]);
    await expect(ctx.store.tracking.listRuns({ cursor: crafted('startTime desc', key) })).rejects.toThrow("field 'cursor': the cursor is not one this store handed out");
    await expect(ctx.store.predictions.list({ cursor: crafted('ts asc', key) })).rejects.toThrow("field 'cursor': the cursor is not one this store handed out");
  });
}
