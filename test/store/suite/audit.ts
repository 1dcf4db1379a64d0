import { expect, it } from 'vitest';
import { bytes, type SuiteContext } from './context.js';

/** A model with versions 1 and 2 (stored artifacts), ready for alias moves. */
async function twoVersions(ctx: SuiteContext, model: string): Promise<void> {
  const { registry, artifacts } = ctx.store;
  await registry.createVersion(model, { artifact: await artifacts.put(bytes(`${model} 1`)) });
  await registry.createVersion(model, { artifact: await artifacts.put(bytes(`${model} 2`)) });
}

export function auditCases(ctx: SuiteContext): void {
  it('records alias moves, version and model deletes with the actor, the time, and the before and after', async () => {
    const { registry, audit } = ctx.store;
    await twoVersions(ctx, 'churn');
    const t0 = Date.now();
    await registry.setAlias('churn', 'production', 1, { actor: 'key:ops' });
    await registry.setAlias('churn', 'production', 2, { actor: 'cli:alice' });
    await registry.setAlias('churn', 'production', 2, { actor: 'cli:alice' }); // no change: nothing to record
    await registry.deleteAlias('churn', 'production', { actor: 'cli:bob' });
    await registry.deleteVersion('churn', 1, { actor: 'cli:bob' });
    const entries = await audit.list();
    // Newest first.
    expect(entries.map((e) => [e.actor, e.action, e.target, e.before, e.after])).toEqual([
      ['cli:bob', 'version.delete', 'churn/1', expect.objectContaining({ version: 1 }), null],
      ['cli:bob', 'alias.delete', 'churn@production', { version: 2 }, null],
      ['cli:alice', 'alias.set', 'churn@production', { version: 1 }, { version: 2 }],
      ['key:ops', 'alias.set', 'churn@production', null, { version: 1 }],
    ]);
    expect(entries.every((e) => e.at >= t0 && e.at <= Date.now() && Number.isInteger(e.id))).toBe(true);
    await registry.deleteModel('churn', { actor: 'key:ops' });
    expect((await audit.list({ limit: 1 }))[0]).toMatchObject({ actor: 'key:ops', action: 'model.delete', target: 'churn', after: null });
  });

  it('records deployment puts and deletes with the policy before and after', async () => {
    const { deployments, audit } = ctx.store;
    await deployments.put('churn', { kind: 'fixed', ref: 'churn@production' }, { actor: 'cli:alice' });
    await deployments.put('churn', { kind: 'fixed', ref: 'churn@staging' }, { actor: 'key:deployer' });
    expect(await deployments.delete('churn', { actor: 'cli:alice' })).toBe(true);
    expect(await deployments.delete('churn', { actor: 'cli:alice' })).toBe(false); // nothing deleted, nothing recorded
    expect((await audit.list()).map((e) => [e.actor, e.action, e.target, e.before, e.after])).toEqual([
      ['cli:alice', 'deployment.delete', 'churn', { kind: 'fixed', ref: 'churn@staging' }, null],
      ['key:deployer', 'deployment.put', 'churn', { kind: 'fixed', ref: 'churn@production' }, { kind: 'fixed', ref: 'churn@staging' }],
      ['cli:alice', 'deployment.put', 'churn', null, { kind: 'fixed', ref: 'churn@production' }],
    ]);
  });

  it('records key creation, revocation and deletion, never the secret', async () => {
    const { apiKeys, audit } = ctx.store;
    const { key, info } = await apiKeys.create('ci', ['predict'], { actor: 'cli:alice' });
    expect(await apiKeys.revoke(info.id, { actor: 'key:ops' })).toBe(true);
    expect(await apiKeys.revoke(info.id, { actor: 'key:ops' })).toBe(false);
    expect(await apiKeys.delete(info.id, { actor: 'cli:alice' })).toBe(true);
    const entries = await audit.list();
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['cli:alice', 'key.delete', info.id],
      ['key:ops', 'key.revoke', info.id],
      ['cli:alice', 'key.create', info.id],
    ]);
    expect(entries[2]!.after).toEqual({ name: 'ci', scopes: ['predict'], expiresAt: null });
    expect(JSON.stringify(entries)).not.toContain(key.slice(20));
  });

  it('writes the entry in the same transaction as the change: a refused change leaves no entry', async () => {
    const { registry, audit } = ctx.store;
    await twoVersions(ctx, 'fraud');
    await registry.setAlias('fraud', 'champion', 2, { actor: 'cli:alice' });
    await expect(registry.deleteVersion('fraud', 2, { actor: 'cli:mallory' })).rejects.toThrow('alias champion points at it');
    await expect(registry.setAlias('fraud', 'champion', 9, { actor: 'cli:mallory' })).rejects.toThrow('has no version 9');
    expect((await audit.list({ actor: 'cli:mallory' }))).toEqual([]);
  });

  it('uses the store-wide actor when a change names none, and filters by actor, action, target and time', async () => {
    const other = await ctx.spot.open({ actor: 'cli:carol' });
    try {
      await other.deployments.put('a', { kind: 'fixed', ref: 'a@production' });
      await other.deployments.put('b', { kind: 'fixed', ref: 'b@production' }, { actor: 'key:bot' });
      const middle = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      await other.deployments.delete('a');
      const { audit } = ctx.store;
      expect((await audit.list({ actor: 'cli:carol' })).map((e) => e.action)).toEqual(['deployment.delete', 'deployment.put']);
      expect((await audit.list({ action: 'deployment.put' })).map((e) => e.target)).toEqual(['b', 'a']);
      expect((await audit.list({ target: 'b' })).map((e) => e.actor)).toEqual(['key:bot']);
      expect((await audit.list({ since: middle + 1 })).map((e) => e.action)).toEqual(['deployment.delete']);
      expect((await audit.list({ until: middle + 1 })).length).toBe(2);
      const firstPage = await audit.list({ limit: 2 });
      expect(firstPage.map((e) => e.action)).toEqual(['deployment.delete', 'deployment.put']);
      expect((await audit.list({ limit: 2, beforeId: firstPage[1]!.id })).map((e) => e.target)).toEqual(['a']);
      await expect(audit.list({ limit: 0 })).rejects.toThrow('limit must be an integer from 1 to 10000');
    } finally {
      await other.close();
    }
  });

  it('records what a caller reports itself, and refuses an entry without an actor or action', async () => {
    const { audit } = ctx.store;
    const entry = await audit.record({ actor: 'key:ops', action: 'server.reload', target: 'churn', before: { version: 1 }, after: { version: 2 } });
    expect(entry).toMatchObject({ actor: 'key:ops', action: 'server.reload', target: 'churn', before: { version: 1 }, after: { version: 2 } });
    expect(await audit.list()).toEqual([entry]);
    await expect(audit.record({ actor: '', action: 'x', target: 't' })).rejects.toThrow('actor');
    await expect(audit.record({ actor: 'a', action: 'Not An Action!', target: 't' })).rejects.toThrow('action');
    await expect(ctx.store.deployments.put('c', { kind: 'fixed' }, { actor: ' ' })).rejects.toThrow('actor');
  });

  it('treats a key as invalid once it expires, and lists its expiry', async () => {
    const keys = ctx.store.apiKeys;
    const inAnHour = Date.now() + 3_600_000;
    const lasting = await keys.create('lasting', ['predict'], { expiresAt: inAnHour });
    const brief = await keys.create('brief', ['admin'], { expiresAt: Date.now() + 300 });
    const forever = await keys.create('forever', ['predict']);
    expect(lasting.info.expiresAt).toBe(inAnHour);
    expect(forever.info.expiresAt).toBeNull();
    expect((await keys.verify(lasting.key, 'predict'))?.name).toBe('lasting');
    expect((await keys.verify(brief.key, 'admin'))?.name).toBe('brief');
    await new Promise((r) => setTimeout(r, 400));
    expect(await keys.verify(brief.key)).toBeUndefined();
    expect(await keys.verify(brief.key, 'admin')).toBeUndefined();
    expect((await keys.verify(lasting.key))?.name).toBe('lasting');
    expect((await keys.verify(forever.key))?.name).toBe('forever');
    expect(Object.fromEntries((await keys.list()).map((k) => [k.name, k.expiresAt]))).toEqual({ lasting: inAnHour, brief: brief.info.expiresAt, forever: null });
    await expect(keys.create('past', ['predict'], { expiresAt: Date.now() - 1000 })).rejects.toThrow('expiry is in the past');
    await expect(keys.create('odd', ['predict'], { expiresAt: 1.5 })).rejects.toThrow('expiry');
  });
}
