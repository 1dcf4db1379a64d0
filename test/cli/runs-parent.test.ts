import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { expectRefused, IN_TEST, runCliAsync, tempDir } from '../helpers.js';

describe("a run's children (a search's trials): runs list --parent and GET /v1/runs?parent=", () => {
  const dir = tempDir('hyperplane-runs-parent-');
  const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
  let store: Store;
  let server: Server;
  let parent = '';

  beforeAll(async () => {
    store = await openStore({ uri });
    parent = (await store.tracking.createRun({ experiment: 'search', name: 'search' })).id;
    for (let i = 0; i < 2; i++) await store.tracking.createRun({ experiment: 'search', name: `trial-${i}`, parent, startTime: 1_800_000_000_000 + i });
    await store.tracking.createRun({ experiment: 'search', name: 'elsewhere' });
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0, dashboard: false });
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('lists only the runs under the parent named by a prefix', async () => {
    const r = await runCliAsync(['runs', 'list', '--parent', parent.slice(0, 8), '--json'], 60_000, { env: { HYPERPLANE_STORE: uri } });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { runs: { name: string }[] }).runs.map((x) => x.name)).toEqual(['trial-1', 'trial-0']);
  });

  it('answers the same over the API, with the total; an unknown parent is a 404 naming it', async () => {
    const r = await server.app.inject({ method: 'GET', url: `/v1/runs?parent=${parent.slice(0, 8)}` });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { runs: { name: string }[]; total: number };
    expect([body.runs.map((x) => x.name), body.total]).toEqual([['trial-1', 'trial-0'], 2]);
    const missing = await server.app.inject({ method: 'GET', url: `/v1/runs?parent=${'f'.repeat(32)}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain(`no run '${'f'.repeat(32)}'`);
  });

  it('refuses an unknown parent in one line', async () => {
    await expectRefused(['runs', 'list', '--parent', 'f'.repeat(32)], new RegExp(`no run '${'f'.repeat(32)}'`));
  });
});
