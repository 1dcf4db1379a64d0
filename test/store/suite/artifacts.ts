import { readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { HyperplaneError } from '../../../src/errors.js';
import { FileArtifacts, sha256Hex } from '../../../src/store/index.js';
import { bytes, type SuiteContext } from './context.js';

/** Changes a stored blob's bytes behind the store's back, as a bad disk or a careless hand would. */
async function corrupt(ctx: SuiteContext, sha: string): Promise<string> {
  const { artifacts, db } = ctx.store;
  if (artifacts instanceof FileArtifacts) {
    writeFileSync(artifacts.pathOf(sha), 'flipped bits');
    return artifacts.pathOf(sha);
  }
  await sql`update artifact_blobs set data = ${Buffer.from('flipped bits')} where sha256 = ${sha}`.execute(db);
  return 'artifact_blobs';
}

export function artifactCases(ctx: SuiteContext): void {
  it('stores blobs by sha256 and lists them with sizes', async () => {
    const a = ctx.store.artifacts;
    const one = bytes('one model package');
    const sha = await a.put(one);
    expect(sha).toBe(sha256Hex(one));
    expect(await a.put(one)).toBe(sha);
    expect(Array.from(await a.get(sha))).toEqual(Array.from(one));
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 7) & 255);
    const bigSha = await a.put(big);
    expect((await a.get(bigSha)).length).toBe(big.length);
    // Sized without reading.
    expect(await a.size(bigSha)).toBe(3_000_000);
    expect(await a.size(sha)).toBe(one.length);
    expect(await a.size('0'.repeat(64))).toBeUndefined();
    expect(await a.has(sha)).toBe(true);
    const listed = await a.list();
    expect(listed.map((x) => [x.sha256, x.size]).sort()).toEqual([[sha, one.length], [bigSha, big.length]].sort());
    expect(listed.every((x) => Math.abs(x.storedAt - Date.now()) < 60_000)).toBe(true);
    expect(await a.delete(sha)).toBe(true);
    expect(await a.delete(sha)).toBe(false);
    expect(await a.has(sha)).toBe(false);
    await expect(a.get(sha)).rejects.toThrow(`artifact ${sha} is not in the store`);
    await expect(a.get('../../etc/passwd')).rejects.toThrow('is not a sha256');
  });

  it('verifies every read: a corrupt blob is an error naming it and where it is', async () => {
    const a = ctx.store.artifacts;
    const good = bytes('the real model');
    const sha = await a.put(good);
    const where = await corrupt(ctx, sha);
    const error = await a.get(sha).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HyperplaneError);
    expect((error as Error).message).toContain(`artifact ${sha} is corrupt: its bytes hash to ${sha256Hex(bytes('flipped bits'))}`);
    expect((error as Error).message).toContain(where);
    // Putting the true bytes again repairs it.
    await a.put(good);
    expect(Array.from(await a.get(sha))).toEqual(Array.from(good));
  });

  it('writes files atomically and leaves no temporary files behind', async () => {
    const a = ctx.store.artifacts;
    if (!(a instanceof FileArtifacts)) return;
    const shas = await Promise.all(Array.from({ length: 20 }, (_, i) => a.put(bytes(`blob ${i % 10}`))));
    expect(new Set(shas).size).toBe(10);
    const dir = dirname(a.pathOf(shas[0]!));
    expect(readdirSync(dir).some((f) => f.startsWith('.tmp-'))).toBe(false);
    expect(a.pathOf(shas[0]!)).toMatch(new RegExp(`artifacts/sha256/${shas[0]!.slice(0, 2)}/${shas[0]!.slice(2)}$`));
    // A temporary file left by a killed writer is not a blob.
    writeFileSync(`${dir}/.tmp-999-abc`, 'half');
    expect((await a.list()).length).toBe(10);
  });

  it('garbage-collects artifacts no run and no version references', async () => {
    const { artifacts, tracking, registry, gc } = ctx.store;
    const run = await tracking.createRun({});
    const byRun = await artifacts.put(bytes('linked to a run'));
    const byVersion = await artifacts.put(bytes('registered'));
    const orphan = await artifacts.put(bytes('orphan, 20 bytes....'));
    await tracking.attachArtifact(run.id, 'model', byRun);
    await registry.createVersion('churn', { artifact: byVersion });
    expect(await gc.unreferenced()).toEqual([]); // all younger than the default hour
    const unreferenced = await gc.unreferenced({ minAgeMs: 0 });
    expect(unreferenced.map((u) => [u.sha256, u.size])).toEqual([[orphan, 20]]);
    expect(await gc.collect({ minAgeMs: 0 })).toMatchObject({ artifacts: [{ sha256: orphan, size: 20 }], bytes: 20 });
    expect(await artifacts.has(orphan)).toBe(false);
    expect(await artifacts.has(byRun)).toBe(true);
    expect(await artifacts.has(byVersion)).toBe(true);
    await tracking.deleteRun(run.id);
    expect((await gc.collect({ minAgeMs: 0 })).artifacts.map((x) => x.sha256)).toEqual([byRun]);
  });
}
