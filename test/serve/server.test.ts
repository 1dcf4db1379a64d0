import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { decodePrediction, openStore, type Prediction, type PredictionRecord, type Store } from '../../src/store/index.js';
import { apiMarkdown, ROUTE_DOCS } from '../../src/serve/api-docs.js';
import { fixture, IN_TEST, ROOT, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];

/** Trains a model with the CLI (not recorded), then records it as a finished run and registers it. */
async function register(store: Store, args: string[], name: string, alias?: string, target = 'Species'): Promise<{ version: number; bytes: Uint8Array }> {
  const out = tempDir('hyperplane-serve-model-');
  const r = runCli(['train', fixture('penguins.json'), '--target', target, ...args, '--no-track', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const bytes = readFileSync(join(out, 'model.hpkg'));
  const run = await store.tracking.createRun({ experiment: 'serve-test' });
  await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(bytes));
  await store.tracking.setStatus(run.id, 'finished');
  const v = await store.registry.createVersion(name, { runId: run.id });
  if (alias !== undefined) await store.registry.setAlias(name, alias, v.version);
  return { version: v.version, bytes };
}

describe('the prediction server', () => {
  let store: Store;
  let server: Server;
  let v1: Uint8Array;
  const logged: Prediction[] = [];

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-serve-'), 'hyperplane.db')}` });
    ({ bytes: v1 } = await register(store, ['--learner', 'gbdt', '--n-estimators', '30'], 'penguins', 'production'));
    // --any-version: these tests ask for versions by number too (penguins/1), not only the production alias.
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0, anyVersion: true, log: { record: (p) => logged.push(decodePrediction(p)) } });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const post = (url: string, payload: unknown) => server.app.inject({ method: 'POST', url, payload: payload as object });

  it('answers one row with an id, the class, its probabilities and the version, exactly as the library and `hyperplane predict` do', async () => {
    const row = penguins[5]!;
    const r = await post('/v1/models/penguins/predict', row);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({ model: 'penguins', version: 1 });
    const pipeline = new Pipeline(decodePackage(v1, 'v1').pipeline);
    const scores = pipeline.scoreRows([row]);
    expect(body.probabilities).toEqual({ Adelie: scores[0], Chinstrap: scores[1], Gentoo: scores[2] });
    expect(body.prediction).toBe(pipeline.label(scores)[0]);
    // The CLI's batch path, from the registry, gives the same numbers to the last digit.
    const cli = runCli(['predict', 'penguins@production', fixture('penguins.json')], { env: { HYPERPLANE_STORE: `sqlite:${store.location}` } });
    expect(cli.code, cli.stderr).toBe(0);
    const line = cli.stdout.trimEnd().split('\n')[6]!.split(',');
    expect(line[0]).toBe(body.prediction);
    expect(line.slice(1).map(Number)).toEqual([scores[0], scores[1], scores[2]]);
    // The log keeps what the model read: the row less its target column, which the client sent along.
    const { Species: _target, ...read } = row as Record<string, unknown>;
    expect(logged.at(-1)).toMatchObject({ id: body.id, model: 'penguins', version: 1, request: read, response: { prediction: body.prediction } });
    expect(Object.keys(logged.at(-1)!.request as object)).not.toContain('Species');
  });

  it('answers a batch of rows under any reference to the same version, and logs each row with its answer', async () => {
    logged.length = 0;
    const r = await post('/v1/models/penguins@production/predict', { rows: penguins });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.predictions).toHaveLength(penguins.length);
    // Each row is logged as the model read it (the target sent along is not kept), beside its own answer,
    // and before the answer went out.
    expect(logged.map((p) => p.request)).toEqual(penguins.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'Species'))));
    expect(logged.map((p) => [p.id, p.response])).toEqual(body.predictions.map((a: { id: string; prediction: string; probabilities: unknown }) => [a.id, { prediction: a.prediction, probabilities: a.probabilities }]));
    expect(new Set(body.predictions.map((p: { id: string }) => p.id)).size).toBe(penguins.length);
    const accuracy = body.predictions.filter((p: { prediction: string }, i: number) => p.prediction === penguins[i]!['Species']).length / penguins.length;
    expect(accuracy).toBeGreaterThan(0.95);
    const byVersion = await post('/v1/models/penguins/versions/1/predict', { rows: penguins.slice(0, 3) });
    expect(byVersion.json().predictions.map((p: { probabilities: unknown }) => p.probabilities)).toEqual(body.predictions.slice(0, 3).map((p: { probabilities: unknown }) => p.probabilities));
  });

  it('treats a missing feature as missing and notes an unknown category', async () => {
    const { Island: _island, ...withoutIsland } = penguins[0]!;
    const missing = await post('/v1/models/penguins/predict', withoutIsland);
    expect(missing.statusCode, missing.body).toBe(200);
    const unknown = await post('/v1/models/penguins/predict', { ...penguins[0]!, Island: 'Atlantis' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json().notes).toEqual(["unknown category 'Atlantis' for 'Island': scored as other"]);
  });

  it.each([
    ['malformed JSON', '{"Island": "Dream",', 400, /bad request/],
    ['a wrong type', { ...penguins[0]!, 'Body Mass (g)': 'heavy' }, 400, /invalid input/],
    ['an array field', { ...penguins[0]!, 'Beak Length (mm)': [1, 2] }, 400, /invalid input/],
    ['a row that is not an object', { rows: [1, 2] }, 400, /invalid input/],
    ['no rows', { rows: [] }, 400, /'rows' is empty/],
    ['an unknown model', null, 404, /model 'nope' is not served here/],
  ])('answers %s with a clean 4xx', async (label, payload, status, pattern) => {
    const url = label === 'an unknown model' ? '/v1/models/nope/predict' : '/v1/models/penguins/predict';
    const r = typeof payload === 'string' ? await server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } }) : await post(url, payload ?? {});
    expect(r.statusCode, r.body).toBe(status);
    expect(r.body).toMatch(pattern);
    if (label === 'a wrong type') expect(r.json().problems).toEqual([{ field: 'Body Mass (g)', problem: "got 'heavy'", expected: 'a number (or null when missing)' }]);
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers a regression model with its value and no probabilities, as the library scores it', async () => {
    const { bytes } = await register(store, ['--learner', 'gbdt', '--n-estimators', '20'], 'mass', 'production', 'Body Mass (g)');
    const own = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      const { 'Body Mass (g)': _mass, ...row } = penguins[5]!;
      const one = await own.app.inject({ method: 'POST', url: '/v1/models/mass/predict', payload: row });
      expect(one.statusCode, one.body).toBe(200);
      const answer = one.json();
      expect(answer.probabilities).toBeUndefined();
      const pipeline = new Pipeline(decodePackage(bytes, 'mass').pipeline);
      expect(answer.prediction).toBe(pipeline.scoreRows([row])[0]);
      const batch = (await own.app.inject({ method: 'POST', url: '/v1/models/mass/predict', payload: { rows: [row, row] } })).json();
      expect(batch.predictions.map((p: { prediction: number }) => p.prediction)).toEqual([answer.prediction, answer.prediction]);
    } finally {
      await own.close();
    }
  });

  it('remembers an unknown model for a second without asking the store again, and serves it once registered and reloaded', async () => {
    // Its own server: the shared one must keep serving one model (/invocations' default).
    // Remembered for a minute here: registering a model takes longer than the default second on a busy machine.
    const own = await buildServer({ store, ...IN_TEST, reloadMs: 0, unknownModelMs: 60_000 });
    const post = (url: string, payload: object) => own.app.inject({ method: 'POST', url, payload });
    const registry = store.registry;
    const resolve = registry.resolve.bind(registry);
    let asked = 0;
    registry.resolve = async (ref) => {
      asked++;
      return resolve(ref);
    };
    try {
      for (let i = 0; i < 5; i++) expect((await post('/v1/models/later/predict', penguins[0]!)).statusCode).toBe(404);
      expect(asked).toBe(1);
      await register(store, ['--learner', 'logistic'], 'later', 'production');
      // Still remembered as unknown until the next reload (or the time is up).
      expect((await post('/v1/models/later/predict', penguins[0]!)).statusCode).toBe(404);
      await own.reload();
      const served = await post('/v1/models/later/predict', penguins[0]!);
      expect(served.statusCode, served.body).toBe(200);
      expect(served.json()).toMatchObject({ model: 'later', version: 1 });
    } finally {
      registry.resolve = resolve;
      await own.close();
    }
  });

  it('answers 503 with Retry-After, not 404, when the store fails while loading a model', async () => {
    const registry = store.registry;
    const resolve = registry.resolve.bind(registry);
    registry.resolve = async () => {
      throw new Error('connection refused');
    };
    try {
      const r = await post('/v1/models/elsewhere/predict', penguins[0]!);
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json().message).toMatch(/the model store could not be read \(connection refused\)/);
    } finally {
      registry.resolve = resolve;
    }
    // Not remembered: with the store back, the same name is looked up again (and is unknown).
    expect((await post('/v1/models/elsewhere/predict', penguins[0]!)).json().error).toBe('unknown model');
  });

  it('answers a body over the limit with 413 and an extra field with 400 when extra fields are rejected', async () => {
    const strict = await buildServer({ store, ...IN_TEST, reloadMs: 0, bodyLimit: 2048, validation: { extraFields: 'reject' } });
    try {
      const big = await strict.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: { rows: penguins.slice(0, 50) } });
      expect(big.statusCode).toBe(413);
      const extra = await strict.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: { ...penguins[0]!, colour: 'blue' } });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().problems[0]).toMatchObject({ field: 'colour', problem: 'the model does not take this field' });
    } finally {
      await strict.close();
    }
  });

  it('scores feedback against the prediction, even when the feedback overtakes the record on its way to the store', async () => {
    // A log that holds its records, as the journal does until its shipper has stored them.
    const journaled: PredictionRecord[] = [];
    const held = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (r) => journaled.push(r), unshipped: () => ({ find: async (id) => journaled.find((r) => r.id === id) }) } });
    try {
      const p = (await held.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[1]! })).json();
      expect(await store.predictions.get(p.id)).toBeUndefined();
      const feedback = (outcome: string) => held.app.inject({ method: 'POST', url: '/v1/feedback', payload: { id: p.id, outcome } });
      const [other, third] = ['Adelie', 'Chinstrap', 'Gentoo'].filter((l) => l !== p.prediction) as [string, string];
      expect((await feedback(other)).statusCode).toBe(202);
      expect((await feedback(third)).statusCode).toBe(202);
      // Shipped.
      await store.predictions.insert(journaled.splice(0));
      expect((await store.predictions.get(p.id))?.id).toBe(p.id);
      expect((await feedback(p.prediction)).statusCode).toBe(202);
      // The first two were scored from the log's unshipped record, the last from the store.
      expect((await store.feedback.list({ predictionId: p.id })).map((f) => f.reward)).toEqual([0, 0, 1]);
    } finally {
      await held.close();
    }
  });

  it('takes feedback by prediction id, one or many, and rejects feedback without an id', async () => {
    const p = (await post('/v1/models/penguins/predict', penguins[1]!)).json();
    const one = await post('/v1/feedback', { id: p.id, outcome: 'Adelie' });
    expect(one.statusCode, one.body).toBe(202);
    const many = await post('/v1/feedback', [{ id: p.id, outcome: 'Adelie' }, { id: 'other', outcome: 1 }]);
    expect(many.json()).toEqual({ accepted: 1, results: [{ status: 'accepted' }, { status: 'unknown id', problem: "no prediction 'other'" }] });
    // The same (id, outcome) twice is one row.
    expect((await store.feedback.list({ predictionId: p.id })).map((f) => f.outcome)).toEqual(['Adelie']);
    const bad = await post('/v1/feedback', [{ outcome: 'Adelie' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems[0]).toMatchObject({ field: 'id' });
  });

  it('speaks the Open Inference Protocol (v2): metadata, readiness, and infer by columns or by one matrix', async () => {
    const meta = (await server.app.inject({ method: 'GET', url: '/v2/models/penguins' })).json();
    expect(meta).toMatchObject({ name: 'penguins', versions: ['1'], platform: 'hyperplane' });
    expect(meta.inputs).toContainEqual({ name: 'Island', datatype: 'BYTES', shape: [-1] });
    expect((await server.app.inject({ method: 'GET', url: '/v2/models/penguins/ready' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/v2/health/ready' })).json()).toEqual({ ready: true });
    const rows = penguins.slice(0, 3);
    const names = meta.inputs.map((i: { name: string }) => i.name) as string[];
    logged.length = 0;
    const byColumns = await post('/v2/models/penguins/infer', { id: 'req-1', inputs: names.map((name) => ({ name, shape: [3], datatype: 'BYTES', data: rows.map((r) => r[name] ?? null) })) });
    expect(byColumns.statusCode, byColumns.body).toBe(200);
    const out = byColumns.json();
    // Logged like any prediction: one entry a row, each with the row it was given.
    expect(logged.map((p) => p.request)).toEqual(rows.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null]))));
    expect(out).toMatchObject({ model_name: 'penguins', model_version: '1', id: 'req-1' });
    const prediction = out.outputs.find((o: { name: string }) => o.name === 'prediction');
    const probabilities = out.outputs.find((o: { name: string }) => o.name === 'probabilities');
    expect(prediction).toMatchObject({ shape: [3], datatype: 'BYTES' });
    expect(probabilities.shape).toEqual([3, 3]);
    const v1 = (await post('/v1/models/penguins/predict', { rows })).json();
    expect(prediction.data).toEqual(v1.predictions.map((p: { prediction: string }) => p.prediction));
    expect(probabilities.data).toEqual(v1.predictions.flatMap((p: { probabilities: Record<string, number> }) => Object.values(p.probabilities)));
    const matrix = await post('/v2/models/penguins/infer', { inputs: [{ name: 'input-0', shape: [3, names.length], datatype: 'BYTES', data: rows.map((r) => names.map((n) => r[n] ?? null)) }] });
    expect(matrix.json().outputs[1].data).toEqual(probabilities.data);
    const bad = await post('/v2/models/penguins/infer', { inputs: [{ name: 'input-0', shape: [3, 2], datatype: 'FP64', data: [1, 2, 3, 4, 5, 6] }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems[0].problem).toBe('has 2 columns');
  });

  it("answers MLflow's /invocations bodies, split and records, like its own route", async () => {
    const rows = penguins.slice(0, 2);
    const columns = Object.keys(rows[0]!);
    const split = await post('/invocations', { dataframe_split: { columns, data: rows.map((r) => columns.map((c) => r[c])) } });
    expect(split.statusCode, split.body).toBe(200);
    logged.length = 0;
    const records = await post('/invocations', { dataframe_records: rows });
    expect(logged.map((p) => p.id)).toEqual(records.json().predictions.map((p: { id: string }) => p.id));
    const strip = (ps: { id: string }[]) => ps.map(({ id: _id, ...rest }) => rest);
    expect(strip(split.json().predictions)).toEqual(strip(records.json().predictions));
    expect(split.json().predictions[0]).toMatchObject({ prediction: expect.any(String), Adelie: expect.any(Number) });
    expect(split.headers['x-hyperplane-version']).toBe('1');
    expect((await post('/invocations', { instances: [] })).statusCode).toBe(400);
  });

  it("answers a model's input and output schema by name, alias and version, from the signature v2 metadata gives", async () => {
    const v2 = (await server.app.inject({ method: 'GET', url: '/v2/models/penguins' })).json();
    for (const url of ['/v1/models/penguins', '/v1/models/penguins@production', '/v1/models/penguins/versions/1']) {
      const r = await server.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.json()).toMatchObject({ name: 'penguins', version: 1, output: { name: 'Species', task: 'multiclass', labels: expect.arrayContaining(['Adelie']) } });
      expect(r.json().inputs.map((i: { name: string }) => i.name)).toEqual(v2.inputs.map((i: { name: string }) => i.name));
      expect(Object.keys(r.json().input_schema.properties)).toEqual(v2.inputs.map((i: { name: string }) => i.name));
    }
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins/versions/x' })).statusCode).toBe(400);
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins/versions/9' })).statusCode).toBe(404);
  });

  it('publishes its OpenAPI document and /docs, and docs/api.md is generated from it', async () => {
    const spec = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const route of Object.keys(ROUTE_DOCS)) {
      const [method, url] = route.split(' ') as [string, string];
      expect(spec.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]?.summary, route).toBe(ROUTE_DOCS[route]!.summary);
    }
    // Typed: named schemas, a request schema on every route that takes a body, a schema for every success and error answer.
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['PredictRequest', 'Prediction', 'Predictions', 'FeedbackRequest', 'FeedbackAnswer', 'Error']));
    const resolve = (s: { $ref?: string }): object => (s.$ref !== undefined ? spec.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s);
    /** A schema that says what it is: a type, or the shapes it may take. */
    const typed = (s: object): boolean => 'type' in s || 'oneOf' in s || 'anyOf' in s;
    for (const route of Object.keys(ROUTE_DOCS)) {
      const [method, url] = route.split(' ') as [string, string];
      const op = spec.paths[url.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()];
      if (ROUTE_DOCS[route]!.body !== undefined || (method !== 'GET' && /predict|infer|feedback|invocations|deployments/.test(route))) expect(typed(resolve(op.requestBody?.content?.['application/json']?.schema ?? {})), `${route}: request schema`).toBe(true);
      const ok = Object.keys(op.responses).find((code) => code.startsWith('2'))!;
      const content = op.responses[ok].content ?? {};
      const schema = (Object.values(content)[0] as { schema?: { $ref?: string } } | undefined)?.schema;
      expect(schema, `${route}: ${ok} response schema`).toBeDefined();
      expect(typed(resolve(schema!)), `${route}: ${ok} response schema`).toBe(true);
      for (const code of Object.keys(op.responses).filter((c) => /^[45]/.test(c))) expect(op.responses[code].content?.['application/json']?.schema, `${route}: ${code}`).toEqual({ $ref: '#/components/schemas/Error' });
    }
    expect(spec.paths['/v1/models/{model}/predict'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PredictRequest' });
    // Each served model's row, from its signature, added when the document is asked for.
    const v2 = (await server.app.inject({ method: 'GET', url: '/v2/models/penguins' })).json();
    expect(Object.keys(spec.components.schemas.Model_penguins_Input?.properties ?? {})).toEqual(v2.inputs.map((i: { name: string }) => i.name));
    expect((await server.app.inject({ method: 'GET', url: '/docs/json' })).json().components.schemas.Model_penguins_Input).toEqual(spec.components.schemas.Model_penguins_Input);
    expect(spec.paths['/openapi.json']).toBeUndefined();
    expect(spec.paths['/v1/models/{model}/predict'].post.security).toEqual([{ apiKey: [] }]);
    const docs = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(docs.body).toContain('swagger-ui');
    expect(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'), 'docs/api.md is stale: npm run build && npm run api-docs').toBe(apiMarkdown(spec));
  });

  it('reports readiness and Prometheus metrics per model and version', async () => {
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    // The details are for an admin key (bad-requests.test.ts); anyone learns only whether it is ready.
    expect(ready.json()).toEqual({ ready: true });
    expect(server.models.status()).toContainEqual(expect.objectContaining({ ref: 'penguins@production', model: 'penguins', version: 1, error: null }));
    const scrape = async () => {
      const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
      return {
        text,
        answered: value(/hyperplane_requests_total\{route="predict",model="penguins",version="1",status="200"\} (\d+)/),
        rows: value(/hyperplane_rows_predicted_total\{model="penguins",version="1"\} (\d+)/),
        timed: value(/hyperplane_request_duration_seconds_count\{route="predict",model="penguins",version="1"\} (\d+)/),
      };
    };
    const before = await scrape();
    await post('/v1/models/penguins/predict', penguins[0]!);
    await post('/v1/models/penguins/predict', { rows: penguins.slice(0, 5) });
    const after = await scrape();
    // Counted between scrapes, settled at each: exactly what was answered.
    expect([after.answered - before.answered, after.rows - before.rows, after.timed - before.timed]).toEqual([2, 6, 2]);
    expect(after.text).toMatch(/hyperplane_request_duration_seconds_bucket\{le="0.005",route="predict",model="penguins",version="1"\}/);
  });

  it('swaps in a new version when its alias moves, and keeps serving the old one when the new one is corrupt', async () => {
    const { version: v2 } = await register(store, ['--learner', 'logistic'], 'penguins');
    await store.registry.setAlias('penguins', 'production', v2);
    await server.reload();
    expect((await post('/v1/models/penguins/predict', penguins[0]!)).json().version).toBe(v2);
    // A version whose artifact is not a package: registered, aliased, and refused by the server.
    const junk = await store.artifacts.put(new TextEncoder().encode('not a model'));
    const v3 = await store.registry.createVersion('penguins', { artifact: junk });
    await store.registry.setAlias('penguins', 'production', v3.version);
    await server.reload();
    const r = await post('/v1/models/penguins/predict', penguins[0]!);
    expect(r.statusCode).toBe(200);
    expect(r.json().version).toBe(v2);
    const ready = (await server.app.inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.ready).toBe(true);
    expect(server.models.status().find((m) => m.ref === 'penguins@production')!.error).toMatch(/not a Hyperplane model package/);
  });
});

describe('API keys on the server', () => {
  let store: Store;
  let server: Server;
  let keys: { predict: string; feedback: string; admin: string };

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-serve-keys-'), 'hyperplane.db')}` });
    await register(store, ['--learner', 'logistic'], 'penguins', 'production');
    const env = { HYPERPLANE_STORE: `sqlite:${store.location}` };
    const create = (scope: string): string => {
      const r = runCli(['keys', 'create', `${scope}-key`, '--scope', scope], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/it is not shown again/);
      return r.stdout.trim();
    };
    keys = { predict: create('predict'), feedback: create('feedback'), admin: create('admin') };
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const call = (url: string, key: string | undefined, payload: unknown = penguins[0]) =>
    server.app.inject({ method: 'POST', url, payload: payload as object, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

  it('answers 401 without a key or with a wrong one, 403 with the wrong scope, 200 with the right one', async () => {
    expect((await call('/v1/models/penguins/predict', undefined)).statusCode).toBe(401);
    expect((await call('/v1/models/penguins/predict', 'hp_0123456789abcdef_nope')).statusCode).toBe(401);
    const forbidden = await call('/v1/models/penguins/predict', keys.feedback);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().message).toMatch(/scope feedback, not 'predict'/);
    expect((await call('/v1/models/penguins/predict', keys.predict)).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[0]!, headers: { 'x-api-key': keys.admin } })).statusCode).toBe(200);
    expect((await call('/v1/feedback', keys.predict, { id: 'x', outcome: 1 })).statusCode).toBe(403);
    // This server has no prediction log, so ids can't be checked: taken, without a reward.
    expect((await call('/v1/feedback', keys.feedback, { id: 'x', outcome: 1 })).statusCode).toBe(202);
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('keeps admin routes to admin keys, and stops accepting a revoked key after a reload', async () => {
    expect((await call('/v1/admin/reload', keys.predict, {})).statusCode).toBe(403);
    expect((await call('/v1/admin/reload', keys.admin, {})).statusCode).toBe(200);
    const id = keys.predict.split('_')[1]!;
    expect(runCli(['keys', 'revoke', id], { env: { HYPERPLANE_STORE: `sqlite:${store.location}` } }).stdout).toBe(`revoked ${id}\n`);
    await server.reload();
    expect((await call('/v1/models/penguins/predict', keys.predict)).statusCode).toBe(401);
  });
});

describe('deployments: traffic policies on the server', () => {
  let store: Store;
  let server: Server;
  const logged: Prediction[] = [];
  const env = () => ({ HYPERPLANE_STORE: `sqlite:${store.location}` });

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-serve-policies-'), 'hyperplane.db')}` });
    await register(store, ['--learner', 'gbdt', '--n-estimators', '20'], 'penguins', 'production');
    await register(store, ['--learner', 'logistic'], 'penguins');
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (p) => logged.push(decodePrediction(p)) } });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const ask = (key?: string) => server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[3]!, headers: key === undefined ? {} : { 'x-request-key': key } });

  it('split: a request key always reaches the same version, and keys divide by the weights', async () => {
    const deploy = runCli(['deploy', 'penguins', '--policy', 'split v1=50,v2=50'], { env: env() });
    expect(deploy.code, deploy.stderr).toBe(0);
    await server.reload();
    const versions = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const body = (await ask(`user-${i}`)).json();
      expect(body.arm).toBe(`penguins/${body.version}`);
      versions.set(`user-${i}`, body.version);
    }
    for (let i = 0; i < 200; i += 7) expect((await ask(`user-${i}`)).json().version).toBe(versions.get(`user-${i}`));
    const ones = [...versions.values()].filter((v) => v === 1).length;
    expect(ones).toBeGreaterThan(70);
    expect(ones).toBeLessThan(130);
  });

  it('shadow: production answers; the candidate scores a copy that is logged, never returned', async () => {
    expect(runCli(['deploy', 'penguins', '--policy', 'shadow v2'], { env: env() }).code).toBe(0);
    await server.reload();
    logged.length = 0;
    const body = (await ask()).json();
    expect(body).toMatchObject({ version: 1, arm: 'penguins@production' });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(logged.map((p) => [p.version, p.arm])).toEqual([
      [1, 'penguins@production'],
      [2, 'shadow'],
    ]);
    expect(logged[1]!.request).toEqual(logged[0]!.request);
  });

  it("logged(): resolves once the answers sent have their records with the log, a batch's and its shadow's included", async () => {
    expect(runCli(['deploy', 'penguins', '--policy', 'shadow v2'], { env: env() }).code).toBe(0);
    await server.reload();
    logged.length = 0;
    const rows = Array.from({ length: 40 }, (_, i) => penguins[i % penguins.length]!);
    const answer = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: { rows } });
    expect(answer.statusCode).toBe(200);
    // A batch's records are made a turn after its answer, its shadow's a turn after those: a shutdown flushes the log only after this.
    await server.logged();
    expect(logged.map((p) => p.arm)).toEqual([...Array<string>(40).fill('penguins@production'), ...Array<string>(40).fill('shadow')]);
    expect(logged.map((p) => p.id).slice(0, 40)).toEqual((answer.json() as { predictions: { id: string }[] }).predictions.map((p) => p.id));
  });

  it('bandit: traffic moves to the arm with the better rewards within 20 rounds of 20 requests, its state read back from the store', async () => {
    expect(runCli(['deploy', 'penguins', '--policy', 'bandit v1,v2'], { env: env() }).code).toBe(0);
    await server.reload();
    let s = 42;
    const random = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const rate: Record<number, number> = { 1: 0.3, 2: 0.8 };
    const shares: number[] = [];
    for (let round = 0; round < 20; round++) {
      logged.length = 0;
      const answers = await Promise.all(Array.from({ length: 20 }, async () => (await ask()).json() as { id: string; version: number }));
      await store.predictions.insert(logged);
      for (const a of answers) {
        const r = await server.app.inject({ method: 'POST', url: '/v1/feedback', payload: { id: a.id, outcome: { reward: random() < rate[a.version]! ? 1 : 0 } } });
        expect(r.statusCode).toBe(202);
      }
      await server.reload();
      shares.push(answers.filter((a) => a.version === 2).length / answers.length);
    }
    const late = shares.slice(-5).reduce((x, y) => x + y, 0) / 5;
    expect(late).toBeGreaterThan(0.8);
    // A new server (a restart, or another replica) starts from the same evidence.
    const other = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      let v2 = 0;
      for (let i = 0; i < 50; i++) if ((await other.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[3]! })).json().version === 2) v2++;
      expect(v2).toBeGreaterThan(40);
    } finally {
      await other.close();
    }
  });

  it('deploy refuses an arm the registry does not have, naming it', () => {
    const r = runCli(['deploy', 'penguins', '--policy', 'split v1=50,v9=50'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no version 9/);
  });
});

describe('overload', () => {
  it('answers the requests past the in-flight limit with 503 and Retry-After, and keeps serving', async () => {
    const store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-serve-load-'), 'hyperplane.db')}` });
    await register(store, ['--learner', 'gbdt', '--n-estimators', '20'], 'penguins', 'production');
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, maxInFlight: 2 });
    try {
      const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const big = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => penguins[i % penguins.length]) });
      // From another process, each request on its own connection: in this process the server's synchronous
      // scoring would take them one at a time, never twelve in flight at once.
      const bodyFile = join(tempDir('hyperplane-serve-load-body-'), 'big.json');
      writeFileSync(bodyFile, big);
      const client = `const { request } = require('node:http');
        const big = require('node:fs').readFileSync(${JSON.stringify(bodyFile)});
        const send = () => new Promise((resolve) => {
          const req = request('${address}/v1/models/penguins/predict', { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'], body }));
          });
          req.end(big);
        });
        const health = () => new Promise((resolve) => request('${address}/healthz', { agent: false }, (res) => { res.resume(); resolve(res.statusCode); }).end());
        Promise.all([Promise.all(Array.from({ length: 12 }, send)), Promise.all(Array.from({ length: 6 }, health))]).then(([a, h]) => process.stdout.write(JSON.stringify({ a, h })));`;
      const { a: answers, h: health } = await new Promise<{ a: { status: number; retryAfter: string | undefined; body: string }[]; h: number[] }>((resolve, reject) =>
        execFile(process.execPath, ['-e', client], { maxBuffer: 64 << 20 }, (e, out) => (e ? reject(e) : resolve(JSON.parse(out)))),
      );
      // Liveness is answered throughout the burst: a probe failing under load would get the server restarted.
      expect(health).toEqual([200, 200, 200, 200, 200, 200]);
      const codes = answers.map((r) => r.status);
      expect(codes.filter((c) => c === 503).length).toBeGreaterThan(0);
      expect(codes.filter((c) => c === 200).length).toBeGreaterThan(0);
      expect(codes.every((c) => c === 200 || c === 503)).toBe(true);
      const refused = answers.find((r) => r.status === 503)!;
      expect(refused.retryAfter).toBe('1');
      expect(JSON.parse(refused.body).message).toMatch(/requests in flight, the limit is 2/);
      // Once the burst is over, requests are answered again.
      expect((await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(penguins[0]) })).status).toBe(200);
      expect((await server.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/hyperplane_overloaded_total\{reason="in flight"\} [1-9]/);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('draining before close', () => {
  it('answers readiness with 503 and draining: true, and still answers predictions', async () => {
    const store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-serve-drain-'), 'hyperplane.db')}` });
    await register(store, ['--learner', 'logistic'], 'penguins', 'production');
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      // Not listening here, and no connection open: the drain is over at once.
      await server.drain(60_000);
      const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, draining: true });
      expect((await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[0]! })).statusCode).toBe(200);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
