import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/serve/server.js';
import type { RunRecord, SqlStore } from '../../src/store/index.js';
import { IN_TEST } from '../helpers.js';
import { postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from '../store/harness.js';

const pgUnreachable = await postgresUnreachable();
const skipPg = pgUnreachable !== undefined && process.env['CI'] !== 'true';
if (skipPg) console.warn(`skipping the PostgreSQL read API tests: ${pgUnreachable}`);

const XSS = '<img src=x onerror=alert(1)>';
const T0 = 1_700_000_000_000;
const SUMMARY = { leaderboard: [{ learner: 'gbdt', score: 0.9 }], importance: [{ column: 'x', importance: 1 }], test: { auc: 0.9 } };

type Json = Record<string, unknown>;
type RunRow = { id: string; name: string; metrics: Record<string, number>; params?: Record<string, unknown>; tags: Record<string, string> };

/** Eight runs in 'alpha' (auc rising, learner alternating, run 0 with a loss curve and artifacts, run 3 named as an XSS probe), two in 'beta' without auc. */
async function seed(store: SqlStore): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const run = await store.tracking.createRun({
      experiment: 'alpha',
      name: i === 3 ? XSS : `run-${i}`,
      params: { lr: i / 10, depth: 3 },
      tags: { learner: i % 2 === 0 ? 'gbdt' : 'linear' },
      inputs: [{ role: 'train', source: 'data.csv', fingerprint: i < 4 ? 'f'.repeat(64) : 'e'.repeat(64), rows: 100 }],
      git: { commit: 'abc123', dirty: false },
      environment: { node: 'v22.0.0', packages: { hyperplane: '1.0.0' }, os: 'linux', cpu: 'x64' },
      startTime: T0 + i * 1000,
    });
    await store.tracking.logMetrics(run.id, [{ name: 'auc', value: (50 + 5 * i) / 100 }]);
    if (i <= 1) await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(new TextEncoder().encode(`model bytes ${i}`)));
    await store.tracking.setStatus(run.id, 'finished', T0 + i * 1000 + 500);
    ids.push(run.id);
  }
  await store.tracking.logMetrics(ids[0]!, [0.9, 0.7, 0.5, 0.4].map((value, step) => ({ name: 'loss', value, step, timestamp: T0 + step })));
  await store.tracking.attachArtifact(ids[0]!, 'summary', await store.artifacts.put(new TextEncoder().encode(JSON.stringify(SUMMARY))));
  for (let i = 0; i < 2; i++) {
    const run = await store.tracking.createRun({ experiment: 'beta', name: `beta-${i}`, startTime: T0 + 100_000 + i });
    await store.tracking.logMetrics(run.id, [{ name: 'rmse', value: 1 + i }]);
    ids.push(run.id);
  }
  const v1 = await store.registry.createVersion('iris', { runId: ids[0]! });
  const v2 = await store.registry.createVersion('iris', { runId: ids[1]! });
  await store.registry.setAlias('iris', 'staging', v1.version, { actor: 'cli:alice' });
  await store.registry.setAlias('iris', 'staging', v2.version, { actor: 'cli:bob' });
  await store.registry.setAlias('iris', 'champion', v1.version, { actor: 'cli:alice' });
  await store.registry.deleteAlias('iris', 'champion', { actor: 'cli:carol' });
  await store.registry.createModel('empty', { description: 'nothing yet' });
  return ids;
}

for (const [harness, skip] of [
  [sqliteHarness(), false],
  [postgresHarness(), skipPg],
] as [StoreHarness, boolean][]) {
  describe.skipIf(skip)(`the runs and registry read APIs on ${harness.name}`, () => {
    let store: SqlStore;
    let server: Server;
    let ids: string[];

    beforeAll(async () => {
      store = await (await harness.fresh()).open();
      ids = await seed(store);
      server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    });
    afterAll(async () => {
      await server?.close();
      await store?.close();
      await harness.dispose();
    });

    const get = (url: string, key?: string) => server.app.inject({ method: 'GET', url, ...(key !== undefined ? { headers: { authorization: `Bearer ${key}` } } : {}) });
    const json = async (url: string): Promise<Json> => {
      const r = await get(url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      return r.json() as Json;
    };
    /** A 4xx naming the field. */
    const refused = async (url: string, status: number, field: string): Promise<string> => {
      const r = await get(url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(status);
      const body = r.json() as { error: string; message: string; problems: { field: string }[] };
      expect(body.problems[0]!.field, url).toBe(field);
      expect(body.message).toContain(field);
      return body.message;
    };

    it('lists experiments with their run counts', async () => {
      const { experiments } = (await json('/v1/experiments')) as { experiments: { name: string; runs: number }[] };
      expect(experiments.map((e) => [e.name, e.runs]).sort()).toEqual([['alpha', 8], ['beta', 2]]);
    });

    it('pages through every run once with the cursor, newest first, with the total', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = (await json(`/v1/runs?limit=3${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as { runs: RunRow[]; nextCursor: string | null; total: number };
        expect(page.total).toBe(10);
        seen.push(...page.runs.map((r) => r.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(4);
      expect(seen).toHaveLength(10);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen[0]).toBe(ids[9]);
    });

    it('sorts by a metric, filters by where, tag, status and experiment, and chooses columns', async () => {
      const best = (await json('/v1/runs?order=-auc&limit=10')) as { runs: RunRow[] };
      expect(best.runs.slice(0, 8).map((r) => r.id)).toEqual([...ids.slice(0, 8)].reverse());
      const asc = (await json('/v1/runs?order=auc&experiment=alpha')) as { runs: RunRow[] };
      expect(asc.runs.map((r) => r.id)).toEqual(ids.slice(0, 8));

      const where = (await json(`/v1/runs?where=${encodeURIComponent('auc > 0.7')}&where=${encodeURIComponent('auc<=0.8')}`)) as { runs: RunRow[]; total: number };
      expect(where.runs.map((r) => r.metrics['auc']).sort()).toEqual([0.75, 0.8]);
      expect(where.total).toBe(2);

      const tagged = (await json('/v1/runs?tag=learner%3Dlinear&order=auc')) as { runs: RunRow[]; total: number };
      expect(tagged.runs.map((r) => r.id)).toEqual([ids[1], ids[3], ids[5], ids[7]]);
      expect(tagged.total).toBe(4);
      expect(((await json('/v1/runs?status=running')) as { total: number }).total).toBe(2);

      const cols = (await json('/v1/runs?experiment=alpha&columns=params.lr,loss&order=start&limit=1')) as { runs: RunRow[] };
      expect(cols.runs[0]).toMatchObject({ id: ids[0], experiment: 'alpha', params: { lr: 0 }, metrics: { loss: 0.4 } });
      expect(cols.runs[0]!.metrics).not.toHaveProperty('auc');
    });

    it('refuses bad list input with a 4xx naming the field', async () => {
      expect(await refused(`/v1/runs?where=${encodeURIComponent('acu > 0.5')}`, 400, 'where')).toContain('auc');
      await refused('/v1/runs?where=auc', 400, 'where');
      await refused('/v1/runs?tag=learner%3Dx&tag=colour%3Dred', 400, 'tag');
      await refused('/v1/runs?order=-acu', 400, 'order');
      await refused('/v1/runs?limit=0', 400, 'limit');
      await refused('/v1/runs?limit=10001', 400, 'limit');
      await refused('/v1/runs?cursor=nonsense', 400, 'cursor');
      await refused('/v1/runs?status=done', 400, 'status');
      await refused('/v1/runs?sort=auc', 400, 'sort');
      await refused('/v1/runs?experiment=gamma', 404, 'experiment');
    });

    it('returns a name as data, unescaped', async () => {
      const run = await json(`/v1/runs/${ids[3]}`);
      expect(run['name']).toBe(XSS);
      const page = (await json('/v1/runs?experiment=alpha')) as { runs: RunRow[] };
      expect(page.runs.find((r) => r.id === ids[3])!.name).toBe(XSS);
    });

    it("shows a run: params, tags, metrics, data, git, environment, artifacts with sizes, and its summary.json", async () => {
      const run = await json(`/v1/runs/${ids[0]!.slice(0, 10)}`);
      expect(run).toMatchObject({
        id: ids[0],
        experiment: 'alpha',
        name: 'run-0',
        status: 'finished',
        startTime: T0,
        endTime: T0 + 500,
        params: { lr: 0, depth: 3 },
        tags: { learner: 'gbdt' },
        metrics: { auc: 0.5, loss: 0.4 },
        inputs: [{ role: 'train', source: 'data.csv', fingerprint: 'f'.repeat(64), rows: 100 }],
        git: { commit: 'abc123', dirty: false },
        environment: { node: 'v22.0.0' },
        warnings: [],
        summary: SUMMARY,
      });
      const artifacts = run['artifacts'] as { name: string; size: number; file: string; url: string }[];
      expect(artifacts.map((a) => [a.name, a.size, a.file])).toEqual([
        ['model', 'model bytes 0'.length, 'model.hpkg'],
        ['summary', JSON.stringify(SUMMARY).length, 'summary.json'],
      ]);
      expect((await json(`/v1/runs/${ids[2]}`))['summary']).toBeNull();
      await refused('/v1/runs/0123456789abcdef', 404, 'id');
    });

    it("gives a metric's history, and names what is missing", async () => {
      const history = await json(`/v1/runs/${ids[0]}/metrics/loss`);
      expect(history['points']).toEqual([0.9, 0.7, 0.5, 0.4].map((value, step) => ({ step, value, timestamp: T0 + step })));
      expect(await refused(`/v1/runs/${ids[0]}/metrics/los`, 404, 'name')).toContain("'los'");
    });

    it('downloads an artifact as an attachment, and 404s naming what is missing', async () => {
      const r = await get(`/v1/runs/${ids[0]}/artifacts/model`);
      expect(r.statusCode).toBe(200);
      expect(r.rawPayload.toString()).toBe('model bytes 0');
      expect(r.headers['content-type']).toBe('application/octet-stream');
      expect(r.headers['content-disposition']).toContain('attachment; filename="model.hpkg"');
      const summary = await get(`/v1/runs/${ids[0]}/artifacts/summary`);
      expect(summary.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(summary.body)).toEqual(SUMMARY);
      expect(await refused(`/v1/runs/${ids[0]}/artifacts/report`, 404, 'name')).toContain("no artifact 'report'");
      await refused('/v1/runs/ffffffffffff/artifacts/model', 404, 'id');
    });

    it('compares runs: values per run and whether they differ', async () => {
      const c = (await json(`/v1/runs/compare?ids=${ids[0]},${ids[1]},${ids[2]}`)) as Json & { runs: { id: string }[]; params: { name: string; values: unknown[]; differ: boolean }[]; metrics: { name: string; values: unknown[]; differ: boolean }[]; data: { differ: boolean }[]; differ: { params: string[] } };
      expect(c.runs.map((r) => r.id)).toEqual(ids.slice(0, 3));
      expect(c.params).toEqual([
        { name: 'depth', values: [3, 3, 3], differ: false },
        { name: 'lr', values: [0, 0.1, 0.2], differ: true },
      ]);
      expect(c.metrics.find((m) => m.name === 'loss')).toEqual({ name: 'loss', values: [0.4, null, null], differ: true });
      expect(c.differ.params).toEqual(['lr']);
      expect(c.data[0]!.differ).toBe(false);
      const data = (await json(`/v1/runs/compare?ids=${ids[0]}&ids=${ids[5]}`)) as { data: { differ: boolean }[] };
      expect(data.data[0]!.differ).toBe(true);
      await refused(`/v1/runs/compare?ids=${ids[0]}`, 400, 'ids');
      await refused(`/v1/runs/compare?ids=${ids[0]},${ids[0]}`, 400, 'ids');
      await refused(`/v1/runs/compare?ids=${Array.from({ length: 51 }, (_, i) => `r${i}`).join(',')}`, 400, 'ids');
      await refused(`/v1/runs/compare?ids=${ids[0]},0123456789abcdef`, 404, 'ids');
    });

    it('lists models, and shows one with its versions, aliases and alias history with who moved them', async () => {
      const { models } = (await json('/v1/registry/models')) as { models: Json[] };
      expect(models.find((m) => m['name'] === 'iris')).toMatchObject({ versions: 2, latestVersion: 2, aliases: { staging: 2 } });
      expect(models.find((m) => m['name'] === 'empty')).toMatchObject({ description: 'nothing yet', versions: 0, latestVersion: null, aliases: {} });

      const iris = await json('/v1/registry/models/iris');
      expect(iris['aliases']).toEqual({ staging: 2 });
      const versions = iris['versions'] as { version: number; runId: string; metrics: Record<string, number>; aliases: string[]; createdAt: number }[];
      expect(versions.map((v) => [v.version, v.runId, v.aliases])).toEqual([
        [2, ids[1], ['staging']],
        [1, ids[0], []],
      ]);
      expect(versions[1]!.metrics).toMatchObject({ auc: 0.5 });
      expect((iris['aliasHistory'] as Json[]).map((m) => [m['alias'], m['from'], m['to'], m['actor']])).toEqual([
        ['staging', null, 1, 'cli:alice'],
        ['staging', 1, 2, 'cli:bob'],
        ['champion', null, 1, 'cli:alice'],
        ['champion', 1, null, 'cli:carol'],
      ]);
      await refused('/v1/registry/models/nope', 404, 'name');
    });

    it('answers as its OpenAPI document says: each JSON answer conforms to its published schema, and the list query is documented', async () => {
      type Op = { parameters?: { name: string }[]; responses: Record<string, { content?: Record<string, { schema?: object }> }> };
      const spec = (await json('/openapi.json')) as { paths: Record<string, Record<string, Op>>; components: object };
      const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
      ajv.addSchema({ $id: 'api', components: spec.components }, 'api');
      const calls: [path: string, url: string][] = [
        ['/v1/experiments', '/v1/experiments'],
        ['/v1/runs', '/v1/runs?columns=auc,params.lr'],
        ['/v1/runs/compare', `/v1/runs/compare?ids=${ids[0]},${ids[8]}`],
        ['/v1/runs/{id}', `/v1/runs/${ids[0]}`],
        ['/v1/runs/{id}/metrics/{name}', `/v1/runs/${ids[0]}/metrics/loss`],
        ['/v1/registry/models', '/v1/registry/models'],
        ['/v1/registry/models/{name}', '/v1/registry/models/iris'],
      ];
      for (const [path, url] of calls) {
        const op = spec.paths[path]!['get']!;
        const schema = op.responses['200']!.content!['application/json']!.schema!;
        const check = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')) as object);
        expect(check(await json(url)), `${url}: ${ajv.errorsText(check.errors)}`).toBe(true);
        expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['401', '403']));
      }
      expect(spec.paths['/v1/runs/{id}/artifacts/{name}']!['get']!.responses['200']!.content).toHaveProperty('application/octet-stream');
      expect(spec.paths['/v1/runs']!['get']!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['experiment', 'status', 'where', 'tag', 'order', 'limit', 'cursor', 'columns']));
    });

    it('answers the first page of 2,000 more runs', async () => {
      const runs: RunRecord[] = Array.from({ length: 2000 }, (_, i) => ({ experiment: 'bulk', name: `bulk-${i}`, status: 'finished', startTime: T0 + 200_000 + i, metrics: [{ name: 'auc', value: (i % 997) / 997 }], tags: { learner: 'gbdt' } }));
      await store.tracking.importRuns(runs);
      const page = (await json('/v1/runs?experiment=bulk&order=-auc&limit=100')) as { runs: RunRow[]; total: number; nextCursor: string | null };
      expect(page.runs).toHaveLength(100);
      expect(page.total).toBe(2000);
      expect(page.nextCursor).not.toBeNull();
    });

    it('answers 503 with Retry-After when the store fails to answer', async () => {
      const failing = Object.create(store.tracking, { listRuns: { value: () => Promise.reject(new Error('connection refused')) } }) as SqlStore['tracking'];
      const broken = await buildServer({ store: Object.create(store, { tracking: { value: failing } }) as SqlStore, ...IN_TEST, reloadMs: 0 });
      try {
        const r = await broken.app.inject({ method: 'GET', url: '/v1/runs' });
        expect(r.statusCode, r.body).toBe(503);
        expect(r.headers['retry-after']).toBe('1');
        expect(r.json()).toMatchObject({ error: 'unavailable', message: expect.stringContaining('connection refused') });
      } finally {
        await broken.close();
      }
    });

    it('needs a read-scoped key once a key exists: none 401, predict 403, read and admin 200', async () => {
      expect((await get('/v1/runs')).statusCode).toBe(200);
      const read = (await store.apiKeys.create('dashboard', ['read'])).key;
      const predict = (await store.apiKeys.create('app', ['predict'])).key;
      const admin = (await store.apiKeys.create('ops', ['admin'])).key;
      await server.reload();
      for (const url of ['/v1/runs', '/v1/experiments', `/v1/runs/${ids[0]}`, `/v1/runs/${ids[0]}/artifacts/model`, '/v1/registry/models', '/v1/registry/models/iris']) {
        expect((await get(url)).statusCode, url).toBe(401);
        expect((await get(url, predict)).statusCode, url).toBe(403);
        expect((await get(url, read)).statusCode, url).toBe(200);
        expect((await get(url, admin)).statusCode, url).toBe(200);
      }
    });
  });
}
