import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli, fixture, IN_TEST, tempDir } from '../helpers.js';

/** Moving an alias from the dashboard's Models page: the admin API it calls. */
describe('PUT /v1/admin/registry/models/:name/aliases/:alias', () => {
  const dir = tempDir('hyperplane-alias-admin-');
  const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
  let store: Store;
  let server: Server;
  let admin: Record<string, string>;
  let reader: Record<string, string>;

  beforeAll(async () => {
    // Two different packages (a server swaps a version in by its package).
    const packages: string[] = [];
    for (const learner of ['logistic', 'baseline']) {
      const out = join(dir, learner);
      const train = await cli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', learner, '--no-track', '--out', out], { cwd: dir });
      expect(train.code, train.stderr).toBe(0);
      packages.push(join(out, 'model.hpkg'));
    }
    store = await openStore({ uri });
    for (const file of packages) {
      const run = await store.tracking.createRun({ experiment: 'penguins' });
      await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(readFileSync(file)));
      await store.tracking.setStatus(run.id, 'finished');
      await store.registry.createVersion('penguins', { runId: run.id });
    }
    // Version 3: a package that does not load.
    const broken = await store.tracking.createRun({ experiment: 'penguins' });
    await store.tracking.attachArtifact(broken.id, 'model', await store.artifacts.put(new TextEncoder().encode('not a package')));
    await store.tracking.setStatus(broken.id, 'finished');
    await store.registry.createVersion('penguins', { runId: broken.id });
    await store.registry.setAlias('penguins', 'production', 1);
    admin = { authorization: `Bearer ${(await store.apiKeys.create('ops', ['admin'])).key}` };
    reader = { authorization: `Bearer ${(await store.apiKeys.create('dash', ['read'])).key}` };
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const put = (body: unknown, headers = admin, alias = 'production') => server.app.inject({ method: 'PUT', url: `/v1/admin/registry/models/penguins/aliases/${alias}`, headers, payload: body as object });

  it('moves the alias with the version it was confirmed at, audited with the key, and `models show` sees it; the server answers with the new version', async () => {
    const r = await put({ version: 2, expect: 1 });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ model: 'penguins', alias: 'production', from: 1, to: 2 });
    const audit = await store.audit.list({ action: 'alias.set' });
    expect(audit[0]).toMatchObject({ actor: 'key:ops', target: 'penguins@production' });
    const shown = await cli(['models', 'show', 'penguins'], { cwd: dir, env: { HYPERPLANE_STORE: uri } });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\s+2\s+production\s/m);
    const answer = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', headers: admin, payload: { 'Beak Length (mm)': 40 } });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json(), answer.body).toMatchObject({ version: 2 });
    // A rollback is a move back.
    expect((await put({ version: 1, expect: 2 })).json()).toMatchObject({ from: 2, to: 1 });
    // Version 1's very package registered again as version 4: moved to it, the answers name version 4.
    const again = await store.tracking.createRun({ experiment: 'penguins' });
    await store.tracking.attachArtifact(again.id, 'model', (await store.registry.getVersion('penguins', 1))!.artifact);
    await store.tracking.setStatus(again.id, 'finished');
    expect((await store.registry.createVersion('penguins', { runId: again.id })).version).toBe(4);
    expect((await put({ version: 4, expect: 1 })).statusCode).toBe(200);
    const four = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', headers: admin, payload: { 'Beak Length (mm)': 40 } });
    expect(four.json(), four.body).toMatchObject({ version: 4 });
    expect((await put({ version: 1, expect: 4 })).statusCode).toBe(200);
  });

  it('changes nothing when the alias moved since it was confirmed, the version is unknown or broken, or the body is wrong', async () => {
    const before = (await store.registry.getModel('penguins'))!.aliases['production'];
    const stale = await put({ version: 2, expect: 7 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().message).toMatch(/points at version 1 now, not version 7: someone moved it since; nothing changed/);
    expect((await put({ version: 9 })).statusCode).toBe(404);
    const broken = await put({ version: 3 });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/penguins\/3 does not load here, so penguins@production is not moved/);
    for (const body of [{ version: 'two' }, { version: 0 }, { version: 2, extra: true }, [2], { version: 2, expect: 'one' }]) {
      const r = await put(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().problems[0].field).toMatch(/^(version|expect|extra|body)$/);
    }
    expect((await put({ version: 2 }, admin, 'bad alias!')).statusCode).toBe(400);
    expect((await store.registry.getModel('penguins'))!.aliases['production']).toBe(before);
  });

  it('needs an admin key: none is 401, a read key 403', async () => {
    expect((await put({ version: 2 }, {})).statusCode).toBe(401);
    expect((await put({ version: 2 }, reader)).statusCode).toBe(403);
  });
});
