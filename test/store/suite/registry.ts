import { expect, it } from 'vitest';
import { parseModelRef } from '../../../src/store/index.js';
import { bytes, type SuiteContext } from './context.js';

/** A finished run with a stored 'model' artifact, as training leaves it. */
async function trainedRun(ctx: SuiteContext, label: string, auc = 0.9): Promise<{ runId: string; artifact: string }> {
  const { tracking, artifacts } = ctx.store;
  const run = await tracking.createRun({ inputs: [{ role: 'train', source: 'd.csv', fingerprint: `fp-${label}`, rows: 10 }] });
  await tracking.logMetrics(run.id, [{ name: 'auc', value: auc }]);
  const artifact = await artifacts.put(bytes(`model ${label}`));
  await tracking.attachArtifact(run.id, 'model', artifact);
  await tracking.setStatus(run.id, 'finished');
  return { runId: run.id, artifact };
}

export function registryCases(ctx: SuiteContext): void {
  it('creates, gets, lists and deletes models', async () => {
    const r = ctx.store.registry;
    const m = await r.createModel('churn', { description: 'who leaves' });
    expect(m).toMatchObject({ name: 'churn', description: 'who leaves', latestVersion: null, aliases: {} });
    await expect(r.createModel('churn')).rejects.toThrow("model 'churn' already exists");
    await expect(r.createModel('bad/name')).rejects.toThrow("model name 'bad/name' must start with a letter or digit");
    await expect(r.createModel('a@b')).rejects.toThrow('must start with a letter or digit');
    await r.createModel('fraud');
    expect((await r.listModels()).map((x) => x.name)).toEqual(['churn', 'fraud']);
    const { runId } = await trainedRun(ctx, 'a');
    await r.createVersion('churn', { runId });
    await r.setAlias('churn', 'production', 1);
    await r.deleteModel('churn');
    expect(await r.getModel('churn')).toBeUndefined();
    expect(await r.listVersions('churn')).toEqual([]);
    expect(await r.aliasHistory('churn')).toEqual([]);
    await expect(r.deleteModel('churn')).rejects.toThrow("no model named 'churn'");
    // The run it came from can go now.
    await ctx.store.tracking.deleteRun(runId);
  });

  it('numbers versions 1, 2, 3… per model, never reusing a deleted number', async () => {
    const r = ctx.store.registry;
    const a = await trainedRun(ctx, 'a', 0.91);
    const v1 = await r.createVersion('churn', { runId: a.runId, schema: { columns: ['x'] }, signature: { inputs: [{ name: 'x', type: 'number' }] }, description: 'first' });
    expect(v1).toMatchObject({
      model: 'churn',
      version: 1,
      runId: a.runId,
      artifact: a.artifact,
      metrics: { auc: 0.91 },
      schema: { columns: ['x'] },
      signature: { inputs: [{ name: 'x', type: 'number' }] },
      fingerprint: 'fp-a',
      description: 'first',
      aliases: [],
    });
    const b = await trainedRun(ctx, 'b');
    expect((await r.createVersion('churn', { runId: b.runId, metrics: { auc: 0.5 }, fingerprint: 'given' })).version).toBe(2);
    expect((await r.createVersion('fraud', { artifact: b.artifact })).version).toBe(1);
    await r.deleteVersion('churn', 2);
    expect((await r.createVersion('churn', { artifact: a.artifact })).version).toBe(3);
    expect((await r.listVersions('churn')).map((v) => v.version)).toEqual([1, 3]);
    expect((await r.getModel('churn'))!.latestVersion).toBe(3);
    await expect(r.deleteVersion('churn', 2)).rejects.toThrow("model 'churn' has no version 2 (its versions: 1, 3)");
    await expect(r.createVersion('churn', { artifact: 'c'.repeat(64) })).rejects.toThrow(`artifact ${'c'.repeat(64)} is not in the store`);
    await expect(r.createVersion('churn', {})).rejects.toThrow('a model version needs an artifact or a run');
    const bare = await ctx.store.tracking.createRun({});
    await expect(r.createVersion('churn', { runId: bare.id })).rejects.toThrow(`run ${bare.id} has no 'model' artifact`);
    await expect(r.createVersion('churn', { runId: '0'.repeat(32) })).rejects.toThrow('no run');
  });

  it('hands out distinct, gapless numbers to concurrent registrations', async () => {
    const r = ctx.store.registry;
    const { artifact } = await trainedRun(ctx, 'a');
    const made = await Promise.all(Array.from({ length: 24 }, () => r.createVersion('churn', { artifact })));
    expect(made.map((v) => v.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it('moves aliases in transactions and records every move', async () => {
    const r = ctx.store.registry;
    const a = await trainedRun(ctx, 'a');
    const b = await trainedRun(ctx, 'b');
    await r.createVersion('churn', { runId: a.runId });
    await r.createVersion('churn', { runId: b.runId });
    expect(await r.setAlias('churn', 'staging', 1)).toMatchObject({ from: null, to: 1 });
    expect(await r.setAlias('churn', 'production', 1)).toMatchObject({ from: null, to: 1 });
    expect(await r.setAlias('churn', 'production', 2)).toMatchObject({ from: 1, to: 2 });
    expect(await r.setAlias('churn', 'production', 2)).toMatchObject({ from: 2, to: 2 }); // no move, no history
    expect(await r.setAlias('churn', 'champion', 2)).toMatchObject({ from: null, to: 2 });
    expect(await r.deleteAlias('churn', 'champion')).toMatchObject({ from: 2, to: null });
    expect((await r.getModel('churn'))!.aliases).toEqual({ production: 2, staging: 1 });
    expect((await r.getVersion('churn', 2))!.aliases).toEqual(['production']);
    const history = await r.aliasHistory('churn');
    expect(history.map((h) => [h.alias, h.from, h.to])).toEqual([
      ['staging', null, 1],
      ['production', null, 1],
      ['production', 1, 2],
      ['champion', null, 2],
      ['champion', 2, null],
    ]);
    expect(history.every((h, i) => i === 0 || h.at >= history[i - 1]!.at)).toBe(true);
    expect((await r.aliasHistory('churn', 'production')).length).toBe(2);

    await expect(r.setAlias('churn', 'production', 7)).rejects.toThrow("model 'churn' has no version 7 (its versions: 1, 2)");
    await expect(r.setAlias('nope', 'production', 1)).rejects.toThrow("no model named 'nope'");
    await expect(r.setAlias('churn', '3', 1)).rejects.toThrow("alias '3' must start with a letter");
    await expect(r.deleteAlias('churn', 'champion')).rejects.toThrow("model 'churn' has no alias 'champion'");
    await expect(r.deleteVersion('churn', 2)).rejects.toThrow("churn/2 can't be deleted: alias production points at it");
  });

  it('never points an alias at a version whose artifact is missing', async () => {
    const r = ctx.store.registry;
    const a = await trainedRun(ctx, 'a');
    const b = await trainedRun(ctx, 'b');
    await r.createVersion('churn', { runId: a.runId });
    await r.createVersion('churn', { runId: b.runId });
    await r.setAlias('churn', 'production', 1);
    await ctx.store.artifacts.delete(b.artifact);
    await expect(r.setAlias('churn', 'production', 2)).rejects.toThrow(`churn/2's artifact ${b.artifact} is not in the store, so 'production' can't point at it`);
    expect((await r.getModel('churn'))!.aliases).toEqual({ production: 1 });
    expect((await r.aliasHistory('churn')).length).toBe(1);
  });

  it('keeps alias moves atomic under concurrency: each move starts where the previous ended', async () => {
    const r = ctx.store.registry;
    const { artifact } = await trainedRun(ctx, 'a');
    for (let i = 0; i < 6; i++) await r.createVersion('churn', { artifact });
    const moves = await Promise.all(Array.from({ length: 30 }, (_, i) => r.setAlias('churn', 'production', (i % 6) + 1)));
    const history = await r.aliasHistory('churn', 'production');
    expect(history[0]!.from).toBeNull();
    for (let i = 1; i < history.length; i++) expect(history[i]!.from).toBe(history[i - 1]!.to);
    expect((await r.getModel('churn'))!.aliases['production']).toBe(history[history.length - 1]!.to);
    expect(history.length).toBe(moves.filter((m) => m.from !== m.to).length);
  });

  it('resolves name@alias, name/N, name/latest and run ids to a version and its artifact', async () => {
    const r = ctx.store.registry;
    const a = await trainedRun(ctx, 'a');
    const b = await trainedRun(ctx, 'b');
    const loose = await trainedRun(ctx, 'c');
    await r.createVersion('churn', { runId: a.runId });
    await r.createVersion('churn', { runId: b.runId });
    await r.setAlias('churn', 'production', 1);
    const v1 = { model: 'churn', version: 1, runId: a.runId, artifact: a.artifact };
    const v2 = { model: 'churn', version: 2, runId: b.runId, artifact: b.artifact };
    expect(await r.resolve('churn@production')).toEqual(v1);
    expect(await r.resolve('churn/2')).toEqual(v2);
    expect(await r.resolve('churn/latest')).toEqual(v2);
    expect(await r.resolve(b.runId)).toEqual(v2);
    expect(await r.resolve(a.runId.slice(0, 10))).toEqual(v1);
    expect(await r.resolve(loose.runId)).toEqual({ model: null, version: null, runId: loose.runId, artifact: loose.artifact });
    await expect(r.resolve('churn@staging')).rejects.toThrow("model 'churn' has no alias 'staging' (its aliases: production)");
    await expect(r.resolve('churn/9')).rejects.toThrow("model 'churn' has no version 9 (its versions: 1, 2)");
    await expect(r.resolve('fraud@production')).rejects.toThrow("no model named 'fraud'");
    await expect(r.resolve('churn/x')).rejects.toThrow("after '/' comes a version number or 'latest'");
    await expect(r.resolve('deadbeef00')).rejects.toThrow("'deadbeef00' is neither a run id nor a model reference");
    expect(parseModelRef('a.b-c@champion')).toEqual({ kind: 'alias', model: 'a.b-c', alias: 'champion' });
    expect(parseModelRef('churn/12')).toEqual({ kind: 'version', model: 'churn', version: 12 });
  });
}
