import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Heatmap } from '../../src/serve/routes/read/monitor-report.js';
import { posteriors } from '../../src/serve/routes/read/serving-posteriors.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Alert, type Prediction, type PredictionRecord, type Store } from '../../src/store/index.js';
import { creditRequests, registerPackage } from '../credit.js';
import { dropPgSchema, fixture, IN_TEST, PG_URL, runCli, tempDir } from '../helpers.js';

const HOUR = 3_600_000;
const PG_SCHEMA = `hp_read_serving_${process.pid}`;

describeOn('SQLite', (dir) => `sqlite:${join(dir, 'hyperplane.db')}`);
describeOn('PostgreSQL', () => `${PG_URL}?schema=${PG_SCHEMA}`, () => dropPgSchema(PG_SCHEMA));

interface View {
  id: string;
  version: number;
  arm: string | null;
  requestId: string | null;
  input: Record<string, unknown>;
  output: { prediction: string; explanation?: unknown };
  explanation: { contributions: unknown[] } | null;
  feedback: { outcome: unknown } | null;
}

function describeOn(backend: string, storeUri: (dir: string) => string, cleanup?: () => Promise<void>): void {
  describe(`the serving read routes on ${backend}`, () => {
    const dir = tempDir('hyperplane-read-serving-');
    const uri = storeUri(dir);
    let reachable = true;
    let store: Store;
    let server: Server;
    const logged: PredictionRecord[] = [];
    // Three full hours back: monitor traffic in the first two (income doubled in the second), arms throughout.
    const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    let explained = '';

    beforeAll(async () => {
      if (cleanup !== undefined) {
        try {
          await (await openStore({ uri })).close();
        } catch (e) {
          // PostgreSQL may be missing outside CI; SQLite never is.
          if (process.env['CI'] === 'true') throw e;
          reachable = false;
          console.warn(`serving read routes on PostgreSQL skipped: ${(e as Error).message}`);
          return;
        }
      }
      const out = join(dir, 'model');
      const train = runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'logistic', '--no-track', '--out', out]);
      expect(train.code, train.stderr).toBe(0);
      // The same package three times: versions 1 (production), 2, 3 (staging).
      await registerPackage(uri, 'credit', join(out, 'model.hpkg'), 'production');
      await registerPackage(uri, 'credit', join(out, 'model.hpkg'));
      await registerPackage(uri, 'credit', join(out, 'model.hpkg'), 'staging');
      store = await openStore({ uri });
      await store.deployments.put('credit', { kind: 'bandit', arms: ['credit/1', 'credit/2'] });
      await store.deployments.put('credit-split', { kind: 'split', arms: [{ ref: 'credit/3', weight: 90 }, { ref: 'credit@staging', weight: 10 }] });
      await store.deployments.put('credit-shadow', { kind: 'shadow', ref: 'credit@production', shadow: 'credit/2' });
      const rows = creditRequests();
      const answer = (prediction: string) => ({ prediction, probabilities: { no: prediction === 'no' ? 0.8 : 0.2, yes: prediction === 'no' ? 0.2 : 0.8 } });
      const p = (id: string, version: number, at: number, request: Record<string, string | number>, extra: Partial<Prediction> = {}): Prediction => ({ id, model: 'credit', version, timestamp: at, request, response: answer('no'), latencyMs: 0.4, ...extra });
      await store.predictions.insert([
        // Monitor traffic (version 1): the first 30 of hour 0 chosen by the bandit as credit/1.
        ...rows.slice(0, 600).map((r, i) => p(`m0-${i}`, 1, start + i * 1000, r, i < 30 ? { arm: 'credit/1' } : {})),
        ...rows.slice(600, 1200).map((r, i) => p(`m1-${i}`, 1, start + HOUR + i * 1000, { ...r, income: (r['income'] as number) * 2 })),
        // The bandit's other arm: 20 in hour 1.
        ...rows.slice(0, 20).map((r, i) => p(`b-${i}`, 2, start + HOUR + i * 1000 + 500, r, { arm: 'credit/2' })),
        // The split: credit/3 10 in hour 0 and 5 in hour 2, credit@staging 7 in hour 1.
        ...rows.slice(0, 15).map((r, i) => p(`s3-${i}`, 3, start + (i < 10 ? 0 : 2 * HOUR) + i * 1000 + 700, r, { arm: 'credit/3' })),
        ...rows.slice(0, 7).map((r, i) => p(`st-${i}`, 3, start + HOUR + i * 1000 + 700, r, { arm: 'credit@staging' })),
        // The shadow: 10 answers with their copies (7 agree), and a copy whose answer is not in the log.
        ...rows.slice(0, 10).flatMap((r, i) => [
          p(`pr-${i}`, 1, start + 2 * HOUR + i * 1000, r, { arm: 'credit@production', requestId: `req-${i}` }),
          { ...p(`sh-${i}`, 2, start + 2 * HOUR + i * 1000 + 3, r, { arm: 'shadow', requestId: `req-${i}` }), response: answer(i < 7 ? 'no' : 'yes') },
        ]),
        p('sh-lone', 2, start + 2 * HOUR + 50_000, rows[11]!, { arm: 'shadow', requestId: 'req-lone' }),
      ]);
      // Rewards: credit/1 24 of 30, credit/2 5 of 20.
      await store.feedback.insert([
        ...Array.from({ length: 30 }, (_, i) => ({ predictionId: `m0-${i}`, outcome: i < 24 ? 'no' : 'yes', reward: i < 24 ? 1 : 0, timestamp: start + 2 * HOUR })),
        ...Array.from({ length: 20 }, (_, i) => ({ predictionId: `b-${i}`, outcome: i < 5 ? 'no' : 'yes', reward: i < 5 ? 1 : 0, timestamp: start + 2 * HOUR })),
      ]);
      await store.alerts.save([alert('al-1', 'firing'), alert('al-0', 'resolved')]);
      server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (r) => logged.push(r), unshipped: () => ({ find: async (id) => logged.find((r) => r.id === id) }) } });
      // Real shadowed traffic: one explained row, and a batch of three under one request id; the copies agree (same package).
      const one = await server.app.inject({ method: 'POST', url: '/v1/models/credit-shadow/predict?explain=3', payload: rows[20]!, headers: { 'x-request-id': 'live-1' } });
      expect(one.statusCode, one.body).toBe(200);
      explained = (one.json() as { id: string }).id;
      const batch = await server.app.inject({ method: 'POST', url: '/v1/models/credit-shadow/predict', payload: { rows: rows.slice(21, 24) }, headers: { 'x-request-id': 'live-2' } });
      expect(batch.statusCode, batch.body).toBe(200);
      await server.logged();
      await store.predictions.insert(logged);
      await store.feedback.insert([{ predictionId: explained, outcome: 'yes', reward: null }]);
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      await store?.close();
      if (reachable) await cleanup?.();
    });

    beforeEach((context) => {
      if (!reachable) context.skip();
    });

    const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });
    function alert(id: string, state: Alert['state']): Alert {
      const evidence = { metric: 'drift_share', op: '>', threshold: 0.1, windows: [{ version: 1, start: new Date(start + HOUR).toISOString(), end: new Date(start + 2 * HOUR).toISOString(), value: 0.4 }] };
      return { id, model: 'credit', version: 1, rule: 'drift', condition: 'drift_share > 0.1', state, firedAt: start + (state === 'resolved' ? 0 : HOUR), resolvedAt: state === 'resolved' ? start + HOUR : null, updatedAt: start + HOUR, silencedUntil: null, webhook: null, evidence };
    }

    it('lists the deployments with their policies and references', async () => {
      const r = await get('/v1/deployments');
      expect(r.statusCode, r.body).toBe(200);
      const { deployments } = r.json() as { deployments: { name: string; refs: string[]; policy: { kind: string } }[] };
      expect(deployments.map((d) => [d.name, d.policy.kind, d.refs])).toEqual([
        ['credit', 'bandit', ['credit/1', 'credit/2']],
        ['credit-shadow', 'shadow', ['credit@production', 'credit/2']],
        ['credit-split', 'split', ['credit/3', 'credit@staging']],
      ]);
    });

    it("counts a split's traffic per arm and window", async () => {
      const r = await get(`/v1/deployments/credit-split?since=${start}&window=1h`);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { traffic: { windows: number[]; arms: { arm: string; counts: number[] }[] }; shadow?: unknown; posteriors?: unknown };
      expect(body.traffic.windows.slice(0, 3)).toEqual([start, start + HOUR, start + 2 * HOUR]);
      expect(body.traffic.arms.map((a) => [a.arm, a.counts.slice(0, 3)])).toEqual([
        ['credit/3', [10, 0, 5]],
        ['credit@staging', [0, 7, 0]],
      ]);
      expect(body.shadow).toBeUndefined();
      expect(body.posteriors).toBeUndefined();
    });

    it("a shadow's agreement with production: constructed copies and real ones, matched by request id and row", async () => {
      const r = await get('/v1/deployments/credit-shadow?since=1d');
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { shadow: unknown; traffic: { arms: { arm: string; counts: number[] }[] } };
      // 10 constructed (7 agree) and 4 real rows (the same package: all agree); the lone copy has no answer.
      expect(body.shadow).toEqual({ compared: 14, agreed: 11, share: 11 / 14, unmatched: 1, truncated: false });
      const total = (arm: string) => body.traffic.arms.find((a) => a.arm === arm)!.counts.reduce((s, n) => s + n, 0);
      expect([total('credit@production'), total('shadow')]).toEqual([14, 15]);
    });

    it("a bandit's posteriors per arm from the rewards, with 90% intervals", async () => {
      const r = await get('/v1/deployments/credit?since=1d');
      expect(r.statusCode, r.body).toBe(200);
      const { posteriors: arms } = r.json() as { posteriors: { arm: string; alpha: number; beta: number; mean: number; interval: [number, number] }[] };
      expect(arms.map((a) => [a.arm, a.alpha, a.beta])).toEqual([
        ['credit/1', 25, 7],
        ['credit/2', 6, 16],
      ]);
      expect(arms[0]!.mean).toBeCloseTo(25 / 32, 12);
      // scipy.stats.beta.ppf(0.05 / 0.95, a, b)
      expect(arms[0]!.interval[0]).toBeCloseTo(0.6533474562111927, 9);
      expect(arms[0]!.interval[1]).toBeCloseTo(0.8889112287407399, 9);
      expect(arms[1]!.interval[0]).toBeCloseTo(0.13244818558662141, 9);
      expect(arms[1]!.interval[1]).toBeCloseTo(0.4369763160312658, 9);
      expect(posteriors(['a'], [])[0]!.interval.map((x) => Number(x.toFixed(9)))).toEqual([0.05, 0.95]);
    });

    it('refuses bad input naming the field, and an unknown deployment naming it', async () => {
      for (const [url, field] of [
        ['/v1/deployments/credit?since=yesterday', 'since'],
        ['/v1/deployments/credit?window=5s', 'window'],
        ['/v1/deployments/credit?colour=red', 'colour'],
        ['/v1/predictions?limit=0', 'limit'],
        ['/v1/predictions?version=x', 'version'],
        ['/v1/predictions?cursor=nope', 'cursor'],
        ['/v1/monitor/credit?since=120d', 'since'],
        ['/v1/alerts?all=maybe', 'all'],
      ] as const) {
        const r = await get(url);
        expect(r.statusCode, url).toBe(400);
        expect(r.json(), url).toMatchObject({ error: 'bad request', message: expect.stringContaining(field) });
      }
      const missing = await get('/v1/deployments/nope');
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toContain("'nope'");
    });

    it('searches the log by model, version and time, paging by cursor', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await get(`/v1/predictions?model=credit&version=1&since=${start + HOUR}&until=${start + 2 * HOUR}&limit=250${cursor !== null ? `&cursor=${cursor}` : ''}`);
        expect(r.statusCode, r.body).toBe(200);
        const page = r.json() as { predictions: View[]; nextCursor: string | null };
        ids.push(...page.predictions.map((p) => p.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(ids).toEqual(Array.from({ length: 600 }, (_, i) => `m1-${i}`));
      const split = (await get('/v1/predictions?model=credit&version=3&arm=credit%40staging')).json() as { predictions: View[] };
      expect(split.predictions.map((p) => p.id)).toEqual(Array.from({ length: 7 }, (_, i) => `st-${i}`));
      const labelled = (await get(`/v1/predictions?model=credit&version=2&labelled=true&since=${start}`)).json() as { predictions: View[] };
      expect(labelled.predictions).toHaveLength(20);
      expect(labelled.predictions[0]!.feedback).toMatchObject({ outcome: 'no', reward: 1 });
    });

    it('one prediction: its input, output, explanation and feedback; an unknown id is a 404 naming it', async () => {
      const r = await get(`/v1/predictions/${explained}`);
      expect(r.statusCode, r.body).toBe(200);
      const p = r.json() as View & { feedbackHistory: unknown[] };
      expect(p).toMatchObject({ id: explained, model: 'credit', version: 1, arm: 'credit@production', requestId: 'live-1', feedback: { outcome: 'yes' } });
      expect(p.input['income']).toBe(creditRequests()[20]!['income']);
      expect(['yes', 'no']).toContain(p.output.prediction);
      expect(p.explanation!.contributions).toHaveLength(3);
      expect(p.output.explanation).toEqual(p.explanation);
      expect(p.feedbackHistory).toHaveLength(1);
      // Answered a moment ago and not shipped yet: found in the server's journal.
      const fresh = await server.app.inject({ method: 'POST', url: '/v1/models/credit/predict', payload: creditRequests()[30]! });
      expect(fresh.statusCode, fresh.body).toBe(200);
      const freshId = (fresh.json() as { id: string }).id;
      expect(await store.predictions.get(freshId)).toBeUndefined();
      const unshipped = await get(`/v1/predictions/${freshId}`);
      expect(unshipped.statusCode, unshipped.body).toBe(200);
      expect((unshipped.json() as View).input['income']).toBe(creditRequests()[30]!['income']);
      const missing = await get('/v1/predictions/no-such-id');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ error: 'not found', message: expect.stringContaining("'no-such-id'") });
    });

    it('the monitor report as `monitor --json` gives it, with the shifted column drifted in the heatmap', async () => {
      const r = await get('/v1/monitor/credit?since=1d&window=1h');
      expect(r.statusCode, r.body).toBe(200);
      const report = r.json() as { model: string; version: number; rows: number; alerts: unknown[]; windows: { start: string; rows: number }[]; heatmap: Heatmap };
      expect(report).toMatchObject({ model: 'credit', version: 1, alerts: [] });
      expect(report.windows.slice(0, 2).map((w) => [w.start, w.rows])).toEqual([
        [new Date(start).toISOString(), 600],
        [new Date(start + HOUR).toISOString(), 600],
      ]);
      const { heatmap } = report;
      expect(heatmap.windows).toEqual(report.windows.map((w) => w.start));
      expect(heatmap.effect).toHaveLength(heatmap.columns.length);
      for (const row of heatmap.effect) expect(row).toHaveLength(report.windows.length);
      const income = heatmap.columns.indexOf('income');
      expect(income).toBeGreaterThanOrEqual(0);
      expect(heatmap.drifted[income]!.slice(0, 2)).toEqual([false, true]);
      expect(heatmap.effect[income]![1]!).toBeGreaterThan(heatmap.effect[income]![0]!);
      // A window under the minimum rows (30) is not judged: no effect to draw, rather than an effect of 0.
      expect(report.windows.some((w) => w.rows < 30)).toBe(true);
      report.windows.forEach((w, j) => {
        if (w.rows < 30) for (const row of heatmap.effect) expect(row[j]).toBeNull();
      });
      // Reading never raises an alert.
      expect((await store.alerts.list({ all: true })).map((a) => a.id).sort()).toEqual(['al-0', 'al-1']);
      const byVersion = await get('/v1/monitor/credit?version=2&since=1d');
      expect(byVersion.statusCode, byVersion.body).toBe(200);
      expect(byVersion.json()).toMatchObject({ version: 2 });
      expect((await get('/v1/monitor/nope')).statusCode).toBe(404);
      // Asked again at once: the same report, not computed again (its windows' own objects are the cached ones' copies).
      const again = await get('/v1/monitor/credit?since=1d&window=1h');
      expect(again.json()).toEqual(report);
      // The classifier ran over the range only, not per window, on the serving thread.
      expect((report.windows as { multivariate?: unknown }[]).every((w) => w.multivariate === undefined)).toBe(true);
      expect((report as unknown as { multivariate: { auc: number | null } }).multivariate).toBeDefined();
    });

    it('lists alerts with their evidence: firing, or all', async () => {
      const firing = (await get('/v1/alerts?model=credit')).json() as { alerts: Alert[] };
      expect(firing.alerts.map((a) => a.id)).toEqual(['al-1']);
      expect(firing.alerts[0]!.evidence.windows[0]!.value).toBe(0.4);
      const all = (await get('/v1/alerts?all=true')).json() as { alerts: Alert[] };
      expect(all.alerts.map((a) => a.id).sort()).toEqual(['al-0', 'al-1']);
    });

    it("answers as its OpenAPI document says: each route's success answer conforms to the published schema", async () => {
      const spec = (await get('/openapi.json')).json() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }> };
      for (const [path, url] of [
        ['/v1/deployments', '/v1/deployments'],
        ['/v1/deployments/{name}', '/v1/deployments/credit-shadow'],
        ['/v1/deployments/{name}', '/v1/deployments/credit'],
        ['/v1/predictions', '/v1/predictions?limit=5&model=credit'],
        ['/v1/predictions/{id}', `/v1/predictions/${explained}`],
        ['/v1/monitor/{model}', '/v1/monitor/credit?since=1d'],
        ['/v1/alerts', '/v1/alerts?all=true'],
      ] as const) {
        const op = spec.paths[path]!.get;
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
        const check = new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile(op.responses['200']!.content['application/json']!.schema);
        const r = await get(url);
        expect(r.statusCode, url).toBe(200);
        expect(check(r.json()), `${url}: ${JSON.stringify(check.errors)}`).toBe(true);
      }
    });

    // Last: once a key exists, every read route needs one with the read scope.
    it('once a key exists: no key 401, a predict key 403, a read key 200', async () => {
      const predictKey = (await store.apiKeys.create('p', ['predict'])).key;
      const readKey = (await store.apiKeys.create('r', ['read'])).key;
      await server.reload();
      for (const url of ['/v1/deployments', '/v1/deployments/credit', `/v1/predictions/${explained}`, '/v1/predictions?limit=1', '/v1/monitor/credit?since=1d', '/v1/alerts']) {
        expect((await get(url)).statusCode, url).toBe(401);
        expect((await get(url, { authorization: `Bearer ${predictKey}` })).statusCode, url).toBe(403);
        expect((await get(url, { authorization: `Bearer ${readKey}` })).statusCode, url).toBe(200);
      }
    });
  });
}
