import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../../src/serve/server.js';
import { MAX_FEEDBACK_ITEMS } from '../../src/serve/schemas/requests.js';
import { openStore, type PredictionRecord, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];
/** A row limit small enough to send one row past it. */
const MAX_ROWS = 40;

interface Operation {
  requestBody?: { content?: Record<string, { schema?: object }> };
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let store: Store;
let server: Server;
let spec: Spec;
let admin: Record<string, string>;
const recorded = new Map<string, PredictionRecord>();

let runIds: string[] = [];

beforeAll(async () => {
  store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-openapi-'), 'hyperplane.db')}` });
  const out = tempDir('hyperplane-openapi-model-');
  const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--no-track', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const run = await store.tracking.createRun({ experiment: 'openapi' });
  await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(readFileSync(join(out, 'model.hpkg'))));
  await store.tracking.logMetrics(run.id, [{ name: 'accuracy', value: 0.9 }]);
  await store.tracking.setStatus(run.id, 'finished');
  // A second run, for the read APIs' comparison.
  const other = await store.tracking.createRun({ experiment: 'openapi' });
  await store.tracking.logMetrics(other.id, [{ name: 'accuracy', value: 0.8 }]);
  await store.tracking.setStatus(other.id, 'finished');
  runIds = [run.id, other.id];
  const v = await store.registry.createVersion('penguins', { runId: run.id });
  await store.registry.setAlias('penguins', 'production', v.version);
  // One key for every scope: admin routes always need a key.
  admin = { authorization: `Bearer ${(await store.apiKeys.create('all', ['admin', 'predict', 'feedback'])).key}` };
  server = await buildServer({ store, ...IN_TEST, reloadMs: 0, anyVersion: true, maxRows: MAX_ROWS, log: { record: (p) => recorded.set(p.id, p), unshipped: () => ({ find: async (id) => recorded.get(id) }) } });
  spec = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Spec;
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

/** OpenAPI 3.0's boolean exclusiveMinimum/Maximum as JSON Schema's numbers, which Ajv takes. */
function asDraft7(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asDraft7);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asDraft7(v)]));
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (out[exclusive] === true) {
      out[exclusive] = out[bound];
      delete out[bound];
    } else if (out[exclusive] === false) delete out[exclusive];
  }
  return out;
}

/** A validator for the published schemas: Fastify's own Ajv (it knows OpenAPI 3.0's nullable). */
function validatorFor(schema: object): (value: unknown) => string | undefined {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  ajv.addSchema({ $id: 'api', components: asDraft7(spec.components) }, 'api');
  const check = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')) as object);
  return (value) => (check(value) ? undefined : ajv.errorsText(check.errors));
}
const operation = (method: string, path: string): Operation => spec.paths[path]![method]!;
const okSchema = (op: Operation): object => Object.values(op.responses[Object.keys(op.responses).find((c) => c.startsWith('2'))!]!.content ?? {})[0]!.schema!;

describe('the OpenAPI document', () => {
  it('gives every route a schema for its success answer and its errors, and one for its body or query where it takes one', () => {
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, method, op })));
    expect(routes.length).toBeGreaterThan(15);
    for (const { route, method, op } of routes) {
      const codes = Object.keys(op.responses);
      expect(codes.filter((c) => c.startsWith('2')), route).toHaveLength(1);
      expect(okSchema(op), route).toBeDefined();
      const errors = codes.filter((c) => /^[45]/.test(c));
      expect(errors.length, `${route}: error answers`).toBeGreaterThan(0);
      for (const code of errors) expect(op.responses[code]!.content?.['application/json']?.schema, `${route} ${code}`).toEqual({ $ref: '#/components/schemas/Error' });
      if (method === 'post' || method === 'put') {
        // Every body route names a generated component (reload takes no body).
        if (!route.endsWith('/reload')) expect(op.requestBody?.content?.['application/json']?.schema, `${route}: body`).toMatchObject({ $ref: expect.stringMatching(/^#\/components\/schemas\//) });
      }
    }
    expect(operation('get', '/v1/admin/audit').parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:actor', 'query:since', 'query:before', 'query:limit']));
    // Every reference resolves.
    const refs = [...JSON.stringify(spec).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    for (const name of new Set(refs)) expect(spec.components.schemas[name], name).toBeDefined();
  });

  it('publishes the limits the routes enforce, from the same zod schemas: one row or item past them is refused, at them is taken', async () => {
    const batch = (spec.components.schemas['PredictRequest']!['anyOf'] as { properties?: { rows?: { maxItems?: number; minItems?: number } } }[]).find((s) => s.properties?.rows !== undefined)!;
    expect(batch.properties!.rows).toMatchObject({ maxItems: MAX_ROWS, minItems: 1 });
    const rows = (n: number) => ({ rows: Array.from({ length: n }, (_, i) => penguins[i % penguins.length]!) });
    const post = (url: string, payload: object) => server.app.inject({ method: 'POST', url, payload, headers: admin });
    const over = await post('/v1/models/penguins/predict', rows(MAX_ROWS + 1));
    expect(over.statusCode, over.body).toBe(413);
    expect(over.json().message).toContain(`at most ${MAX_ROWS}`);
    expect((await post('/v1/models/penguins/predict', rows(MAX_ROWS))).statusCode).toBe(200);
    expect((await post('/v1/models/penguins/predict', rows(0))).statusCode).toBe(400);

    const feedbackLists = (spec.components.schemas['FeedbackRequest']!['anyOf'] as { type?: string; maxItems?: number }[]).filter((s) => s.type === 'array');
    expect(feedbackLists.map((s) => s.maxItems)).toEqual([MAX_FEEDBACK_ITEMS]);
    const id = (await post('/v1/models/penguins/predict', penguins[0]!)).json().id as string;
    const items = (n: number) => Array.from({ length: n }, () => ({ id, outcome: 'Adelie' }));
    expect((await post('/v1/feedback', items(MAX_FEEDBACK_ITEMS + 1))).statusCode).toBe(413);
    expect((await post('/v1/feedback', items(MAX_FEEDBACK_ITEMS))).statusCode).toBe(202);
    // The documented reward bounds are the ones the route refuses past.
    const item = spec.components.schemas['FeedbackItem']! as { properties: { outcome: { anyOf: { properties?: { reward?: { minimum: number; maximum: number } } }[] } } };
    const reward = item.properties.outcome.anyOf.find((s) => s.properties?.reward !== undefined)!.properties!.reward!;
    expect((await post('/v1/feedback', { id, outcome: { reward: reward.maximum } })).statusCode).toBe(202);
    expect((await post('/v1/feedback', { id, outcome: { reward: reward.maximum + 0.5 } })).statusCode).toBe(400);
    // The deployment body is the policy schema `hyperplane deploy` checks with: its arm limit is the one refused past.
    const policies = (spec.components.schemas['DeploymentRequest']! as { properties: { policy: { oneOf: { properties: { kind: { enum: string[] }; arms?: { maxItems: number } } }[] } } }).properties.policy.oneOf;
    const maxArms = policies.find((p) => p.properties.kind.enum[0] === 'bandit')!.properties.arms!.maxItems;
    const put = await server.app.inject({ method: 'PUT', url: '/v1/admin/deployments/penguins', payload: { policy: { kind: 'bandit', arms: Array.from({ length: maxArms + 1 }, (_, i) => `penguins/${i + 1}`) } }, headers: admin });
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json().message).toContain('policy.arms');
    // The audit query's documented parameters are the ones it takes; any other is refused.
    const params = operation('get', '/v1/admin/audit').parameters!.map((p) => p.name);
    expect((await server.app.inject({ method: 'GET', url: `/v1/admin/audit?${params.map((p) => `${p}=1`).join('&')}`, headers: admin })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/v1/admin/audit?colour=1', headers: admin })).statusCode).toBe(400);
  });

  it('describes the answers real requests get: each conforms to its route\'s published schema', async () => {
    const send = (method: string, url: string, payload?: unknown) => server.app.inject({ method: method as 'GET', url, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const one = (await send('POST', '/v1/models/penguins/predict', penguins[0]!)).json() as { id: string };
    const calls: [method: string, path: string, url: string, body?: unknown, query?: string][] = [
      ['post', '/v1/models/{model}/predict', '/v1/models/penguins/predict', penguins[1]],
      ['post', '/v1/models/{model}/predict', '/v1/models/penguins/predict', { rows: penguins.slice(0, 3) }],
      ['post', '/v1/models/{model}/predict', '/v1/models/penguins/predict?explain=2', penguins[3]],
      ['post', '/v1/models/{model}/predict', '/v1/models/penguins/predict?explain=all', { rows: penguins.slice(0, 2) }],
      ['post', '/v1/models/{model}/versions/{version}/predict', '/v1/models/penguins/versions/1/predict', penguins[2]],
      ['get', '/v1/models/{model}', '/v1/models/penguins'],
      ['get', '/v1/models/{model}/versions/{version}', '/v1/models/penguins/versions/1'],
      ['post', '/v1/feedback', '/v1/feedback', [{ id: one.id, outcome: 'Adelie' }, { id: 'nope', outcome: 'Adelie' }]],
      ['post', '/v2/models/{model}/infer', '/v2/models/penguins/infer', { id: 'r1', inputs: [{ name: 'Island', shape: [1], datatype: 'BYTES', data: ['Dream'] }] }],
      ['post', '/v2/models/{model}/versions/{version}/infer', '/v2/models/penguins/versions/1/infer', { inputs: [{ name: 'Island', shape: [2], datatype: 'BYTES', data: ['Dream', 'Biscoe'] }] }],
      ['get', '/v2/models/{model}', '/v2/models/penguins'],
      ['get', '/v2/models/{model}/ready', '/v2/models/penguins/ready'],
      ['get', '/v2/health/live', '/v2/health/live'],
      ['get', '/v2/health/ready', '/v2/health/ready'],
      ['post', '/invocations', '/invocations', { dataframe_records: penguins.slice(0, 2) }],
      ['post', '/v1/admin/reload', '/v1/admin/reload'],
      ['put', '/v1/admin/deployments/{name}', '/v1/admin/deployments/penguins', { policy: { kind: 'fixed', ref: 'penguins/1' } }],
      ['put', '/v1/admin/registry/models/{name}/aliases/{alias}', '/v1/admin/registry/models/penguins/aliases/production', { version: 1, expect: 1 }],
      ['get', '/v1/admin/audit', '/v1/admin/audit'],
      ['get', '/healthz', '/healthz'],
      ['get', '/readyz', '/readyz'],
      // The dashboard's read APIs.
      ['get', '/v1/experiments', '/v1/experiments'],
      ['get', '/v1/runs', '/v1/runs?order=-accuracy&columns=accuracy'],
      ['get', '/v1/runs/{id}', `/v1/runs/${runIds[0]}`],
      ['get', '/v1/runs/{id}/metrics/{name}', `/v1/runs/${runIds[0]}/metrics/accuracy`],
      ['get', '/v1/runs/compare', `/v1/runs/compare?ids=${runIds.join(',')}`],
      ['get', '/v1/registry/models', '/v1/registry/models'],
      ['get', '/v1/registry/models/{name}', '/v1/registry/models/penguins'],
      // After the deployment put above.
      ['get', '/v1/deployments', '/v1/deployments'],
      ['get', '/v1/deployments/{name}', '/v1/deployments/penguins'],
      ['get', '/v1/predictions', '/v1/predictions?limit=1'],
      ['get', '/v1/predictions/{id}', `/v1/predictions/${one.id}`],
      ['get', '/v1/monitor/{model}', '/v1/monitor/penguins?since=1d'],
      ['get', '/v1/alerts', '/v1/alerts'],
    ];
    // This server logs to a map: the prediction read back by id goes to the store as the shipper would put it.
    await store.predictions.insert([recorded.get(one.id)!]);
    const answered = new Set<string>();
    for (const [method, path, url, body] of calls) {
      const op = operation(method, path);
      if (body !== undefined) {
        const request = op.requestBody!.content!['application/json']!.schema!;
        expect(validatorFor(request)(body), `${method} ${url}: the request`).toBeUndefined();
      }
      const r = await send(method.toUpperCase(), url, body);
      expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 300)}`).toBeLessThan(300);
      expect(validatorFor(okSchema(op))(r.json()), `${method} ${url}: ${r.body.slice(0, 300)}`).toBeUndefined();
      answered.add(`${method} ${path}`);
    }
    // Errors, of each kind of route.
    for (const [method, path, url, body] of [['post', '/v1/models/{model}/predict', '/v1/models/penguins/predict', { rows: [{ 'Beak Length (mm)': 'long' }] }], ['post', '/v1/feedback', '/v1/feedback', []], ['get', '/v1/models/{model}', '/v1/models/nope']] as const) {
      const r = await send(method.toUpperCase(), url, body);
      const schema = operation(method, path).responses[String(r.statusCode)]?.content?.['application/json']?.schema;
      expect(schema, `${url}: ${r.statusCode} is documented`).toBeDefined();
      expect(validatorFor(schema!)(r.json()), r.body).toBeUndefined();
    }
    // Every JSON route was called (metrics is Prometheus text).
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    // The artifact download answers bytes, tested in read-runs.test.ts.
    expect(documented.filter((route) => !answered.has(route) && route !== 'get /metrics' && route !== 'get /v1/runs/{id}/artifacts/{name}')).toEqual([]);
  });
});
